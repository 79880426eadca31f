"""The pollers' own archive (``wirewatch.ingest.archive``, format version 1): one fetched response a line.

Each 200 response becomes the ``Document`` the poller parsed at the time, with the same feed name, final
URL, headers and fetch time, and the configured feed's language and tags: what ``read_feed`` gets
is exactly what it got live, so replayed articles equal the live ones. 304s and error statuses carry no
body and are ignored.
"""

from __future__ import annotations

import base64
import binascii

import orjson

from wirewatch.ingest.archive import ARCHIVE_VERSION
from wirewatch.ingest.sources import Context, Document, Ignored, Item, Skipped


def item(origin: str, line: bytes, ctx: Context) -> Item:
    """One archive line as a ``Document``, ``Ignored`` (no body) or ``Skipped`` (corrupt)."""
    try:
        rec = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Skipped(origin, f"archive record is not JSON: {exc}", line[:ctx.max_bytes])
    if not isinstance(rec, dict) or not isinstance(rec.get("feed"), str) or not isinstance(rec.get("fetched"), str):
        return Skipped(origin, "archive record lacks 'feed' or 'fetched'", line[:ctx.max_bytes])
    if rec.get("v", ARCHIVE_VERSION) > ARCHIVE_VERSION:
        return Skipped(origin, f"archive format version {rec['v']} is newer than this Wirewatch reads "
                       f"({ARCHIVE_VERSION}); upgrade Wirewatch", line[:4096])
    if rec.get("status") != 200 or not rec.get("body_b64"):
        return Ignored(origin, f"HTTP {rec.get('status')} without a body")
    try:
        body = base64.b64decode(rec["body_b64"], validate=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        return Skipped(origin, f"archive body is not valid base64: {exc}", line[:ctx.max_bytes])
    feed = ctx.by_name.get(rec["feed"])
    headers = rec.get("headers") if isinstance(rec.get("headers"), dict) else {}
    return Document(origin, body, str(rec.get("url") or ""), headers, rec["feed"], rec["fetched"],
                    feed.language if feed else None, feed.tags if feed else ())
