"""JSON Lines inputs, plain or gzipped: the pollers' archive (``YYYY-MM-DD.jsonl.gz``) or ``Article`` lines.

Which one a file holds is read from its first record: archive records carry ``body_b64``, articles an
``id`` and a ``title``. A gzip stream cut by a crash ends the file with one ``Skipped`` (the records
before the cut survive); a line that is not JSON is skipped alone.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from wirewatch.ingest.sources import GZIP_MAGIC, Context, Item, Skipped, articles, pollers

#: Base64 makes an archived body a third larger than the body cap.
LINE_FACTOR = 2


def lines(stream: BinaryIO, cap: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for non-blank lines; None for a line longer than ``cap``, which is skipped whole."""
    number = 0
    while True:
        line = stream.readline(cap + 1)
        if not line:
            return
        number += 1
        if len(line) > cap and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(cap + 1)
            yield number, None
            continue
        if line.strip():
            yield number, line


def kind_of(line: bytes) -> str | None:
    """``pollers`` or ``articles`` from a file's first record, None when it is neither."""
    try:
        first = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if isinstance(first, dict) and "body_b64" in first:
        return "pollers"
    if isinstance(first, dict) and "id" in first and "title" in first:
        return "articles"
    if isinstance(first, dict) and isinstance(first.get("value"), dict) and "id" in first["value"]:
        return "articles"  # `wirewatch tail --keys`
    return None


def read_stream(stream: BinaryIO, origin: str, ctx: Context) -> Iterator[Item]:
    """Items of one JSON Lines stream; corruption of the stream itself ends it with one ``Skipped``."""
    cap = ctx.max_bytes * LINE_FACTOR
    kind: str | None = None
    number = 0
    try:
        for number, line in lines(stream, cap):
            where = f"{origin}:{number}"
            if line is None:
                yield Skipped(where, f"line longer than {cap} bytes")
                continue
            if kind is None:
                kind = kind_of(line)
                if kind is None:
                    yield Skipped(origin, "JSON Lines, but neither the pollers' archive nor Article lines "
                                  f"(first record at line {number})", line[:4096])
                    return
            if kind == "pollers":
                yield pollers.item(where, line, ctx)
            else:
                yield articles.item(where, line)
    except (OSError, EOFError, zlib.error) as exc:
        yield Skipped(origin, f"truncated or corrupt after line {number}: {exc}", error_type=type(exc).__name__)


def open_stream(raw: BinaryIO) -> BinaryIO:
    """``raw`` itself, or a decompressing view of it when it starts with the gzip magic."""
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    return gzip.GzipFile(fileobj=raw) if head == GZIP_MAGIC else raw  # type: ignore[return-value]


def read_file(path: Path, ctx: Context) -> Iterator[Item]:
    with path.open("rb") as raw:
        yield from read_stream(open_stream(raw), str(path), ctx)
