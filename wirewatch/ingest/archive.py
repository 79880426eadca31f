"""Every fetched response, written to ``WIREWATCH_ARCHIVE_DIR`` for ``wirewatch replay`` and forensics.

Format (version 1): one file per UTC day, ``YYYY-MM-DD.jsonl.gz``; each line one JSON object
``{"v": 1, "feed", "url", "fetched", "status", "headers", "body_b64"}`` — ``headers`` lower-cased,
``body_b64`` the decoded (uncompressed) body in base64, ``null`` for 304s and error statuses. Each
record is its own gzip member, so a crash can only cut the last record, and ``gzip.open`` reads the
file as one stream. JSON lines rather than WARC: a replay needs only ``gzip`` and ``json``, and the
record carries the feed name, which WARC would need custom headers for.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from wirewatch import codec

ARCHIVE_VERSION = 1


def record(feed: str, url: str, fetched: str, status: int, headers: dict[str, str], body: bytes | None) -> dict[str, Any]:
    """One archive line."""
    return {
        "v": ARCHIVE_VERSION,
        "feed": feed,
        "url": url,
        "fetched": fetched,
        "status": status,
        "headers": headers,
        "body_b64": base64.b64encode(body).decode("ascii") if body is not None else None,
    }


class Archive:
    """Appends records to the day's file from one writer thread, so the event loop never blocks on disk."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")
        self._lock = threading.Lock()

    def path_for(self, fetched: str) -> Path:
        return self.directory / f"{fetched[:10]}.jsonl.gz"

    def write(self, rec: dict[str, Any]) -> None:
        line = codec.dumps(rec) + b"\n"
        with self._lock, self.path_for(rec["fetched"]).open("ab") as out:
            out.write(gzip.compress(line, compresslevel=6))

    async def add(self, rec: dict[str, Any]) -> None:
        await asyncio.get_running_loop().run_in_executor(self._writer, self.write, rec)

    def close(self) -> None:
        self._writer.shutdown(wait=True)


def read_archive(path: str | Path) -> Iterator[dict[str, Any]]:
    """Records of one archive file, bodies decoded; a record cut by a crash ends the iteration."""
    with gzip.open(path, "rb") as stream:
        try:
            for line in stream:
                rec = codec.loads(line)
                rec["body"] = base64.b64decode(rec["body_b64"]) if rec.get("body_b64") else None
                yield rec
        except (EOFError, gzip.BadGzipFile, ValueError):
            return
