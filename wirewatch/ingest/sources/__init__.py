"""What ``wirewatch replay`` reads: every input kind turned into a stream of small items.

One module per input kind (``documents``, ``archives``, ``warc``, ``pollers``, ``articles``); each yields
``Document`` (a feed body to parse exactly as live polling would), ``ArticleLine`` (an ``Article`` as
``wirewatch tail`` prints it), ``Skipped`` (a corrupt member: reported, counted, never fatal) or
``Ignored`` (not an input, e.g. a README in a folder or an HTML page in a WARC). Sources stream: no
input is ever held whole in memory, except one feed document at a time (capped at
``WIREWATCH_MAX_BODY_BYTES``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wirewatch.settings import Feed

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".json")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
WARC_SUFFIXES = (".warc", ".warc.gz")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class Document:
    """A feed body and what live polling would have known about it (feed name, URL, headers, fetch time)."""

    origin: str
    body: bytes
    url: str
    headers: dict[str, str]
    feed: str
    fetched: str
    language: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleLine:
    """One JSON line holding an ``Article``; its id is kept as it is (it was assigned live)."""

    origin: str
    line: bytes


@dataclass(frozen=True, slots=True)
class Skipped:
    """A corrupt input: why, where, and its bytes (capped) for ``wire.deadletter``."""

    origin: str
    reason: str
    data: bytes | None = None
    error_type: str = "BadMemberError"


@dataclass(frozen=True, slots=True)
class Ignored:
    """Something that is not replay input (another file type, a non-feed HTTP response)."""

    origin: str
    reason: str


Item = Document | ArticleLine | Skipped | Ignored


@dataclass(frozen=True, slots=True)
class Context:
    """What sources need from the settings: the configured feeds (for names, languages, tags) and the body cap."""

    feeds: tuple[Feed, ...] = ()
    max_bytes: int = 15 * 1024 * 1024
    by_name: dict[str, Feed] = field(default_factory=dict, compare=False)
    by_url: dict[str, Feed] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_name.update({f.name: f for f in self.feeds})
        self.by_url.update({f.url: f for f in self.feeds})


def strip_suffixes(name: str) -> str:
    """``2024/bbc-world.rss.gz`` -> ``bbc-world``: the feed name a bare document gets."""
    base = name.rsplit("/", 1)[-1]
    if base.lower().endswith(".gz"):
        base = base[:-3]
    stem, dot, suffix = base.rpartition(".")
    return stem if dot and f".{suffix.lower()}" in FEED_SUFFIXES + JSONL_SUFFIXES else base


def kind_by_name(name: str) -> str | None:
    """``feed``, ``jsonl``, ``tar``, ``zip``, ``warc`` from the file name, None when it says nothing."""
    lower = name.lower()
    if lower.endswith(WARC_SUFFIXES):
        return "warc"
    if lower.endswith(TAR_SUFFIXES):
        return "tar"
    if lower.endswith(".zip"):
        return "zip"
    plain = lower[:-3] if lower.endswith(".gz") else lower
    if plain.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if plain.endswith(FEED_SUFFIXES):
        return "feed"
    return None


def kind_by_content(head: bytes) -> str | None:
    """Sniff a file whose name says nothing; ``head`` is its first bytes, already gunzipped if gzip."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if stripped.startswith(b"<"):
        return "feed"
    if stripped.startswith(b"{"):
        first = stripped.split(b"\n", 1)
        return "jsonl" if len(first) > 1 and first[1].lstrip().startswith(b"{") else "feed"
    return None


def input_files(path: Path) -> Iterator[Path]:
    """The files under ``path`` in a stable order (a file is itself); symlinked folders are not followed."""
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def read_path(path: Path, ctx: Context, explicit: bool = True) -> Iterator[Item]:
    """Every item of one input file, whatever its kind; a file we cannot read is one ``Skipped``."""
    from wirewatch.ingest.sources import archives, documents, jsonlines, warc

    if path.is_dir():
        for file in input_files(path):
            yield from read_path(file, ctx, explicit=False)
        return
    origin = str(path)
    try:
        kind = kind_by_name(path.name) or sniff_file(path)
    except OSError as exc:
        yield Skipped(origin, f"cannot read: {exc.strerror or exc}", error_type=type(exc).__name__)
        return
    if kind is None:
        if explicit:
            yield Skipped(origin, "not a feed document, tar, zip, WARC or JSON Lines file")
        else:
            yield Ignored(origin, "not a replay input")
        return
    readers = {"feed": documents.read_file, "jsonl": jsonlines.read_file, "tar": archives.read_tar,
               "zip": archives.read_zip, "warc": warc.read_file}
    try:
        yield from readers[kind](path, ctx)
    except OSError as exc:
        yield Skipped(origin, f"cannot read: {exc.strerror or exc}", error_type=type(exc).__name__)


def sniff_file(path: Path) -> str | None:
    """Kind of a file by its first bytes (inside gzip when gzipped), for names without a known suffix."""
    import gzip
    import zlib

    with path.open("rb") as raw:
        head = raw.read(512)
    if head.startswith(GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as inner:
                head = inner.read(512)
        except (OSError, EOFError, zlib.error):
            return None
        return "warc" if head.startswith(b"WARC/") else kind_by_content(head)
    return kind_by_content(head)
