"""Feed documents saved as files (``.xml``, ``.rss``, ``.atom``, ``.rdf``, ``.json``, each maybe gzipped).

A bare document knows no feed name, URL or fetch time: the name is the file's stem (``bbc-world.rss`` ->
``bbc-world``, so a configured feed of that name lends its language and tags), the fetch time the
file's modification time. None of these enter the article id, which depends on content only.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from wirewatch.ingest.sources import GZIP_MAGIC, Context, Document, Item, Skipped, strip_suffixes


def iso_from_epoch(seconds: float) -> str:
    """A file or member time as the ISO 8601 UTC string articles carry."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_capped(stream: BinaryIO, cap: int) -> bytes | None:
    """All of ``stream`` if it holds at most ``cap`` bytes, else None (a gzip bomb stops here too)."""
    data = stream.read(cap + 1)
    return None if len(data) > cap else data


def gunzip(data: bytes, cap: int) -> bytes:
    """Decompress a gzipped document, refusing more than ``cap`` decoded bytes; ``ValueError`` says why."""
    try:
        with gzip.GzipFile(fileobj=BytesIO(data)) as stream:
            body = read_capped(stream, cap)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"corrupt gzip: {exc}") from None
    if body is None:
        raise ValueError(f"more than {cap} bytes once decompressed (WIREWATCH_MAX_BODY_BYTES)")
    return body


def headers_for_name(name: str) -> dict[str, str]:
    """Only ``.json`` says something parsing needs; XML keeps no content type, so feedparser reads the
    encoding from the XML declaration rather than assuming RFC 3023's us-ascii for ``text/xml``."""
    return {"content-type": "application/feed+json"} if name.lower().removesuffix(".gz").endswith(".json") else {}


def document(origin: str, name: str, data: bytes, fetched: str, ctx: Context) -> Item:
    """One ``Document`` from a file's or member's bytes; a corrupt gzip is a ``Skipped``."""
    if data.startswith(GZIP_MAGIC):
        try:
            data = gunzip(data, ctx.max_bytes)
        except ValueError as exc:
            return Skipped(origin, str(exc), data[:ctx.max_bytes])
    feed_name = strip_suffixes(name)
    feed = ctx.by_name.get(feed_name)
    return Document(origin, data, "", headers_for_name(name), feed_name, fetched,
                    feed.language if feed else None, feed.tags if feed else ())


def read_file(path: Path, ctx: Context) -> Iterator[Item]:
    """The document in one file."""
    with path.open("rb") as stream:
        data = read_capped(stream, ctx.max_bytes)
        if data is None:
            yield Skipped(str(path), f"larger than {ctx.max_bytes} bytes (WIREWATCH_MAX_BODY_BYTES)")
            return
    yield document(str(path), path.name, data, iso_from_epoch(path.stat().st_mtime), ctx)
