"""``wirewatch extract``: the agent's code path over files or stdin, no broker involved."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from wirewatch.ingest.normalise import now_iso
from wirewatch.processors.enrich import decode_article, encode, enrich
from wirewatch.processors.errors import UndecodableMessageError
from wirewatch.processors.extraction.dedup import NearDuplicateIndex
from wirewatch.schemas.models import Article


def article_from_text(path: Path, raw: str) -> Article:
    """A ``.txt`` article: first line the title, the rest the body; the id hashes the content."""
    title, _, body = raw.partition("\n")
    text = body.strip()
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return Article(
        id=digest[:32], feed="file", source=path.name, url="", title=title.strip(), summary="",
        text=text, published=None, published_missing=True, fetched=now_iso(), content_hash=digest[:16],
    )


def _articles(files: tuple[Path, ...], stdin: BinaryIO, errors: TextIO) -> Iterator[Article | None]:
    """Yield articles, or None for each line that could not be read (after reporting it)."""
    def lines(where: str, stream: BinaryIO) -> Iterator[Article | None]:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield decode_article(line)
            except UndecodableMessageError as exc:
                errors.write(f"wirewatch extract: {where}:{number}: skipped: {exc}\n")
                yield None

    if not files:
        yield from lines("<stdin>", stdin)
    for path in files:
        if path.suffix == ".txt":
            yield article_from_text(path, path.read_text("utf-8"))
        else:
            with path.open("rb") as stream:
                yield from lines(str(path), stream)


def extract_files(files: tuple[Path, ...], stdin: BinaryIO, out: BinaryIO, errors: TextIO) -> int:
    """Write one EnrichedArticle line per article; return how many inputs were skipped."""
    dedup = NearDuplicateIndex()
    bad = 0
    for article in _articles(files, stdin, errors):
        if article is None:
            bad += 1
            continue
        out.write(encode(enrich(article, dedup)) + b"\n")
        out.flush()
    return bad
