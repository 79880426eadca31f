"""WARC files (plain or gzipped, via warcio) holding feed responses, e.g. from a crawler or ``wget --warc-file``.

A ``response`` (or ``resource``) record whose content type or first bytes say RSS, Atom, RDF or JSON
Feed becomes a ``Document`` with the record's target URI, HTTP headers and ``WARC-Date``; its feed name
is the configured feed with that URL, else the name ``poll URL`` would give it. Everything else in
the WARC (HTML pages, images, requests, revisits, non-200 responses) is ignored. A WARC cut short ends
with one ``Skipped`` after the records read so far.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from wirewatch.ingest.sources import Context, Document, Ignored, Item, Skipped
from wirewatch.ingest.sources.documents import read_capped
from wirewatch.settings import feed_name

FEED_TYPES = ("rss", "atom", "rdf", "feed+json")
FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"jsonfeed.org/version")


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """A feed by its declared type, or by its root element (servers often say text/xml or text/html)."""
    if any(t in content_type.lower() for t in FEED_TYPES):
        return True
    head = body[:4096].lower()
    return any(root in head for root in FEED_ROOTS)


def warc_date(value: str | None) -> str:
    """``WARC-Date`` (W3C-DTF, maybe with fractions) as the ISO second articles carry."""
    if not value:
        return "1970-01-01T00:00:00Z"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return value


def record_item(record: ArcWarcRecord, origin: str, ctx: Context) -> Item:
    """One WARC record as a ``Document``, or why it is not one."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    headers: dict[str, str] = {}
    if record.rec_type == "response":
        if record.http_headers is None:
            return Ignored(origin, "response without HTTP headers")
        status = record.http_headers.get_statuscode()
        if status != "200":
            return Ignored(origin, f"HTTP {status}")
        headers = {k.lower(): v for k, v in record.http_headers.headers}
    elif record.rec_type == "resource":
        headers = {"content-type": record.rec_headers.get_header("Content-Type") or ""}
    else:
        return Ignored(origin, f"{record.rec_type} record")
    body = read_capped(record.content_stream(), ctx.max_bytes)
    if body is None:
        return Skipped(origin, f"body larger than {ctx.max_bytes} bytes (WIREWATCH_MAX_BODY_BYTES)")
    if not looks_like_feed(headers.get("content-type", ""), body):
        return Ignored(origin, f"not a feed ({headers.get('content-type') or 'no content type'})")
    headers.pop("content-encoding", None)  # warcio has decoded the body already
    headers.pop("transfer-encoding", None)
    feed = ctx.by_url.get(url)
    return Document(origin, body, url, headers, feed.name if feed else feed_name(url),
                    warc_date(record.rec_headers.get_header("WARC-Date")),
                    feed.language if feed else None, feed.tags if feed else ())


def read_file(path: Path, ctx: Context) -> Iterator[Item]:
    """Feed responses of one WARC file in file order."""
    count = 0
    with path.open("rb") as stream:
        try:
            for record in ArchiveIterator(stream):
                count += 1
                origin = f"{path}#{record.rec_headers.get_header('WARC-Record-ID') or count}"
                try:
                    yield record_item(record, origin, ctx)
                except (OSError, EOFError, zlib.error, ValueError) as exc:
                    yield Skipped(origin, f"WARC record body unreadable: {exc}", error_type=type(exc).__name__)
        except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as exc:
            where = f"after {count} records" if count else "at its start"
            yield Skipped(str(path), f"WARC file corrupt or truncated {where}: {exc}", error_type=type(exc).__name__)
