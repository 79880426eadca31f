"""feedparser on bytes we fetched ourselves, off the event loop, keeping good entries of bad feeds."""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import feedparser

from wirewatch.ingest.errors import ParseError

# Entities are never expanded from external DTDs, and sanitising keeps scripts out of summaries.
feedparser.RESOLVE_RELATIVE_URIS = True
feedparser.SANITIZE_HTML = True


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The channel metadata and entries, plus the parser's complaint if the feed was ill-formed."""

    channel: dict[str, Any]
    entries: list[dict[str, Any]]
    version: str
    problem: str | None


def parse_bytes(body: bytes, url: str = "", headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse synchronously; raise ``ParseError`` only when nothing usable came out."""
    result = feedparser.parse(body, response_headers=headers or {}, sanitize_html=True, resolve_relative_uris=True)
    problem = None
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        problem = f"{type(exc).__name__}: {exc}" if exc else "ill-formed feed"
    if not result.entries and (problem or not result.get("version")):
        raise ParseError(f"{url or 'document'} is not a readable feed" + (f" ({problem})" if problem else ""))
    return ParsedFeed(
        channel=dict(result.feed),
        entries=[dict(e) for e in result.entries],
        version=result.get("version") or "",
        problem=problem,
    )


async def parse(
    body: bytes, url: str = "", headers: dict[str, str] | None = None, executor: Executor | None = None
) -> ParsedFeed:
    """``parse_bytes`` in an executor, so a large feed never stalls the loop."""
    return await asyncio.get_running_loop().run_in_executor(executor, parse_bytes, body, url, headers)
