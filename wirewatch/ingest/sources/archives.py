"""Tar (plain, gzip, bzip2, xz) and zip archives of feed documents or JSON Lines files.

Tar is read as a stream (``r|*``), one member at a time, so a large ``.tar.gz`` is never held or
seeked; a tar cut short ends with one ``Skipped`` after the members read so far. A zip member whose
CRC or compression is broken is skipped alone. Archives nested in archives are not opened (extract
them first): they are reported as skipped so that nothing is lost silently.
"""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from wirewatch.ingest.sources import Context, Ignored, Item, Skipped, jsonlines, kind_by_name
from wirewatch.ingest.sources.documents import document, iso_from_epoch, read_capped


def member_items(origin: str, name: str, stream: BinaryIO, size: int, fetched: str, ctx: Context) -> Iterator[Item]:
    """Items of one archive member, dispatched on its name."""
    kind = kind_by_name(name)
    if kind == "jsonl":
        yield from jsonlines.read_stream(jsonlines.open_stream(stream), origin, ctx)
    elif kind == "feed":
        if size > ctx.max_bytes:
            yield Skipped(origin, f"larger than {ctx.max_bytes} bytes (WIREWATCH_MAX_BODY_BYTES)")
            return
        data = read_capped(stream, ctx.max_bytes) or b""
        if len(data) < size:
            yield Skipped(origin, f"member cut short: {len(data)} of {size} bytes")
            return
        yield document(origin, name, data, fetched, ctx)
    elif kind in ("tar", "zip", "warc"):
        yield Skipped(origin, f"a {kind} inside an archive is not opened; extract it and replay it directly")
    else:
        yield Ignored(origin, "not a replay input")


def read_tar(path: Path, ctx: Context) -> Iterator[Item]:
    """Members of a tar archive in archive order."""
    members = 0
    try:
        with tarfile.open(path, "r|*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                members += 1
                origin = f"{path}!{member.name}"
                stream = tar.extractfile(member)
                if stream is None:
                    continue
                yield from member_items(origin, member.name, stream, member.size,  # type: ignore[arg-type]
                                        iso_from_epoch(member.mtime), ctx)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        where = f"after {members} members" if members else "at its start"
        yield Skipped(str(path), f"tar archive corrupt or truncated {where}: {exc}", error_type=type(exc).__name__)


def zip_time(info: zipfile.ZipInfo) -> str:
    """A zip member's local timestamp, taken as UTC (zip stores no zone)."""
    try:
        return datetime(*info.date_time, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return iso_from_epoch(0)


def read_zip(path: Path, ctx: Context) -> Iterator[Item]:
    """Members of a zip archive in directory order; a corrupt member is skipped alone."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Skipped(str(path), f"not a readable zip archive: {exc}", error_type=type(exc).__name__)
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            origin = f"{path}!{info.filename}"
            try:
                with archive.open(info) as stream:
                    yield from member_items(origin, info.filename, stream, info.file_size, zip_time(info), ctx)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                yield Skipped(origin, f"corrupt zip member: {exc}", error_type=type(exc).__name__)
