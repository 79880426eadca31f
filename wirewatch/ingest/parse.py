"""feedparser on bytes we fetched ourselves, off the event loop, keeping good entries of bad feeds.

Each parsing quirk is a small named function: byte-level fixes run before feedparser (``BODY_QUIRKS``),
and JSON Feed, which feedparser cannot read, goes through ``jsonfeed``. ``read_feed`` parses *and*
normalises in one call so that a worker process returns small ``Article``s, not feedparser's dicts.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import feedparser

from wirewatch.ingest.errors import ParseError
from wirewatch.ingest.jsonfeed import looks_like_json, parse_json_feed
from wirewatch.ingest.normalise import to_article
from wirewatch.schemas.models import Article

_PROLOG_END = re.compile(rb"<[A-Za-z_]")
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE\s+([\w:.-]+)([^\[>]*)\[(.*?)\]\s*>", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY\s+(\w+)\s+\"([^\"]*)\"\s*>", re.IGNORECASE)
_SAFE_VALUE = re.compile(rb"(&#\w+;|[^&%<\"]*)")
_SKIP_HOURS = re.compile(rb"<skipHours\b[^>]*>(.*?)</skipHours>", re.DOTALL | re.IGNORECASE)
_HOUR = re.compile(rb"<hour\b[^>]*>\s*(\d{1,2})\s*</hour>", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!DOCTYPE\s+html|<html)", re.IGNORECASE | re.DOTALL)
_ALTERNATE = re.compile(
    rb"<link\b[^>]*type=[\"']application/(?:rss|atom|feed)\+(?:xml|json)[\"'][^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.IGNORECASE)


def neutralise_dtd(body: bytes) -> bytes:
    """Drop entity declarations that could expand (billion laughs) or reach out (XXE); keep plain ones.

    feedparser does this only for declarations at the start of a line; expat's own guard stops a bomb
    only after ~1 s of work per feed. Here every declaration in the prolog is checked.
    """
    prolog_end = _PROLOG_END.search(body)
    head = body[: prolog_end.start()] if prolog_end else body
    if b"<!ENTITY" not in head.upper():
        return body
    match = _INTERNAL_SUBSET.search(head)
    if match is None:
        return body
    safe = [m.group(0) for m in _ENTITY.finditer(match.group(3)) if _SAFE_VALUE.fullmatch(m.group(2))]
    doctype = b"<!DOCTYPE " + match.group(1) + match.group(2) + (b"[" + b"".join(safe) + b"]" if safe else b"") + b">"
    return head[: match.start()] + doctype + head[match.end():] + body[len(head):]


def strip_leading_junk(body: bytes) -> bytes:
    """Whitespace before ``<?xml`` makes expat give up on the whole document."""
    if body[:1] in (b" ", b"\t", b"\r", b"\n"):
        return body.lstrip()
    return body


BODY_QUIRKS: tuple[Callable[[bytes], bytes], ...] = (strip_leading_junk, neutralise_dtd)


def skip_hours(body: bytes) -> tuple[int, ...]:
    """RSS ``<skipHours>`` (UTC hours not to poll); feedparser keeps only the last ``<hour>``."""
    if b"skiphours" not in body[:65536].lower():
        return ()
    match = _SKIP_HOURS.search(body)
    if not match:
        return ()
    return tuple(sorted({int(h) for h in _HOUR.findall(match.group(1)) if 0 <= int(h) <= 23}))


def ttl_minutes(channel: dict[str, Any]) -> float | None:
    """RSS ``<ttl>`` in minutes, ignored when not a positive number."""
    try:
        value = float(str(channel.get("ttl") or "").strip())
    except ValueError:
        return None
    return value if value > 0 else None


def html_instead_of_feed(body: bytes) -> str | None:
    """A web page served where the feed should be: say so, and name the feed it advertises if any."""
    if not _HTML_START.match(body[:4096]):
        return None
    link = _ALTERNATE.search(body)
    href = _HREF.search(link.group(0)) if link else None
    hint = f"; the page advertises a feed at {href.group(1).decode('utf-8', 'replace')}" if href else ""
    return f"an HTML page, not a feed{hint}"


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The channel metadata and entries, plus the parser's complaint if the feed was ill-formed."""

    channel: dict[str, Any]
    entries: list[dict[str, Any]]
    version: str
    problem: str | None
    skip_hours: tuple[int, ...] = ()


def parse_bytes(body: bytes, url: str = "", headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse synchronously; raise ``ParseError`` only when nothing usable came out."""
    headers = headers or {}
    where = url or "document"
    if not body.strip():
        raise ParseError(f"{where} is empty")
    if looks_like_json(body, headers.get("content-type", "")):
        try:
            channel, entries, version, problem = parse_json_feed(body)
        except ParseError as exc:
            raise ParseError(f"{where}: {exc}") from None
        return ParsedFeed(channel, entries, version, problem)
    for quirk in BODY_QUIRKS:
        body = quirk(body)
    result = feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    problem = None
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        problem = f"{type(exc).__name__}: {exc}" if exc else "ill-formed feed"
    if not result.entries and not result.get("version"):
        page = html_instead_of_feed(body)
        raise ParseError(f"{where} is {page}" if page else f"{where} is not a readable feed"
                         + (f" ({problem})" if problem else ""))
    return ParsedFeed(
        channel=dict(result.feed),
        entries=[dict(e) for e in result.entries],
        version=result.get("version") or "",
        problem=problem,
        skip_hours=skip_hours(body),
    )


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """A parsed and normalised feed: what the poller needs, small enough to cross a process boundary."""

    articles: tuple[Article, ...]
    version: str
    problem: str | None
    ttl: float | None
    skip_hours: tuple[int, ...]
    entries: int
    seconds: float = 0.0  # parse + normalise time inside the worker, queueing excluded


def read_feed(
    body: bytes,
    url: str,
    headers: dict[str, str],
    *,
    feed: str,
    fetched: str,
    language: str | None = None,
    tags: tuple[str, ...] = (),
) -> FeedDocument:
    """Parse and normalise; an entry that fails to normalise is recorded in ``problem``, not fatal."""
    started = time.perf_counter()
    parsed = parse_bytes(body, url, headers)
    articles: dict[str, Article] = {}
    failures: list[str] = []
    for entry in parsed.entries:
        try:
            article = to_article(entry, parsed.channel, feed=feed, fetched=fetched, language=language, tags=tags)
        except Exception as exc:  # noqa: BLE001 - one odd entry must not cost the others
            failures.append(f"{type(exc).__name__}: {exc}")
            continue
        articles.setdefault(article.id, article)
    problems = [p for p in (parsed.problem, f"{len(failures)} entries not normalised ({failures[0]})"
                            if failures else None) if p]
    return FeedDocument(
        articles=tuple(articles.values()),
        version=parsed.version,
        problem="; ".join(problems) or None,
        ttl=ttl_minutes(parsed.channel),
        skip_hours=parsed.skip_hours,
        entries=len(parsed.entries),
        seconds=time.perf_counter() - started,
    )


async def parse(
    body: bytes, url: str = "", headers: dict[str, str] | None = None, executor: Executor | None = None
) -> ParsedFeed:
    """``parse_bytes`` in an executor, so a large feed never stalls the loop."""
    return await asyncio.get_running_loop().run_in_executor(executor, parse_bytes, body, url, headers)
