"""JSON Feed 1.0/1.1 (https://jsonfeed.org) read into feedparser's shape, since feedparser reads only XML.

The result has the same keys ``normalise.to_article`` reads from feedparser entries (``id``, ``link``,
``title``, ``summary``, ``content``, ``published_parsed``, ``authors``, ``tags``), so every format
goes through one normaliser. A malformed item is skipped and counted; good items survive.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson

from wirewatch.ingest.errors import ParseError

VERSION_PREFIX = "https://jsonfeed.org/version/"


def looks_like_json(body: bytes, content_type: str = "") -> bool:
    """JSON by declared type or by its first non-blank byte (servers often say text/plain)."""
    if "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _date(value: Any) -> time.struct_time | None:
    """RFC 3339 to a UTC struct_time; a date without offset is taken as UTC, garbage as absent."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).utctimetuple()


def _authors(node: dict[str, Any]) -> list[dict[str, str]]:
    """1.1 ``authors`` list, or 1.0's single ``author``."""
    raw = node.get("authors") or ([node["author"]] if isinstance(node.get("author"), dict) else [])
    return [{"name": str(a["name"])} for a in raw if isinstance(a, dict) and a.get("name")]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _item(item: dict[str, Any]) -> dict[str, Any]:
    html = _text(item.get("content_html")) or _text(item.get("content_text"))
    entry: dict[str, Any] = {
        "id": str(item.get("id") or ""),
        "link": _text(item.get("url")) or _text(item.get("external_url")),
        "title": _text(item.get("title")),
        "summary": _text(item.get("summary")),
        "content": [{"value": html}] if html else [],
        "published_parsed": _date(item.get("date_published")),
        "updated_parsed": _date(item.get("date_modified")),
        "authors": _authors(item),
        "tags": [{"term": str(t)} for t in item.get("tags") or () if isinstance(t, (str, int))],
    }
    if isinstance(item.get("language"), str):
        entry["title_detail"] = {"language": item["language"]}
    return entry


def parse_json_feed(body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]], str, str | None]:
    """Channel, entries, version and the problem (None when clean); ``ParseError`` if not a JSON Feed."""
    try:
        doc = orjson.loads(body.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise ParseError("JSON document without an 'items' list is not a JSON Feed")
    version = str(doc.get("version") or "")
    problem = None if version.startswith(VERSION_PREFIX) else f"unknown JSON Feed version {version!r}"
    channel = {
        "title": _text(doc.get("title")),
        "link": _text(doc.get("home_page_url")) or _text(doc.get("feed_url")),
        "language": _text(doc.get("language")) or None,
        "authors": _authors(doc),
    }
    entries, bad = [], 0
    for item in doc["items"]:
        if isinstance(item, dict):
            entries.append(_item(item))
        else:
            bad += 1
    if bad:
        problem = f"{bad} item(s) are not JSON objects and were skipped"
    return channel, entries, "json" + version.removeprefix(VERSION_PREFIX).replace(".", ""), problem
