"""Items to sortable records: feed documents through the live parser, Article lines checked and re-encoded.

These functions run in the parse processes (``WIREWATCH_PARSE_PROCESSES``), so they take and return
only small picklable values. A record is a plain tuple, compared as a tuple, so the merge needs no key
function::

    (when, id, fetched, seq, content_hash, feed, source, schema_version, revision, value)

``when`` is the publication time, or the fetch time when the entry has none; ``seq`` the number of the
document (or batch of lines) in reading order, which orders two fetches within the same second as the
archive does; ``value`` the exact bytes published on ``wire.articles``. The order of the first fields
makes copies of one article neighbours in the merged stream, in fetch order, which is what lets
replay drop them and number revisions in O(1) memory.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

import orjson

from wirewatch import codec
from wirewatch.ingest.errors import ParseError
from wirewatch.ingest.parse import read_feed
from wirewatch.ingest.sources import ArticleLine, Document, Skipped
from wirewatch.schemas.models import ARTICLE_VERSION, Article, as_dict

Record = tuple[str, str, str, int, str, str, str, int, int, bytes]
WHEN, ID, FETCHED, SEQ, HASH, FEED, SOURCE, SCHEMA, REVISION, VALUE = range(10)

_REQUIRED = tuple(f.name for f in fields(Article) if f.default is MISSING)
_DEFAULTS = tuple((f.name, list(f.default) if isinstance(f.default, tuple) else f.default) for f in fields(Article))
_ID = re.compile(r"[0-9a-f]{32}")
_SKIPPED_BYTES = 1 << 20


@dataclass(slots=True)
class Parsed:
    """What one parse task gives back: records, skipped inputs, and whether the feed was ill-formed."""

    records: list[Record] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ill_formed: int = 0


def compact(value: bytes) -> bytes:
    """A right-sized copy: orjson's output keeps its whole growth buffer (~16 KiB for a 1.5 KiB article),
    which multiplied the memory of a sort run by ten."""
    return bytes(memoryview(value))


def article_bytes(article: Article) -> bytes:
    """The message value, byte for byte what ``ArticleSink`` sends."""
    return compact(codec.dumps(as_dict(article)))


def record_of(article: Article, seq: int) -> Record:
    return (article.published or article.fetched, article.id, article.fetched, seq, article.content_hash, article.feed,
            article.source, article.schema_version, article.revision, article_bytes(article))


def document_records(doc: Document, seq: int = 0) -> Parsed:
    """Parse and normalise one document exactly as the poller does, so ids and fields match live."""
    try:
        feed = read_feed(doc.body, doc.url, doc.headers, feed=doc.feed, fetched=doc.fetched,
                         language=doc.language, tags=doc.tags)
    except ParseError as exc:
        return Parsed(skipped=[Skipped(doc.origin, str(exc), doc.body[:_SKIPPED_BYTES], "ParseError")])
    except Exception as exc:  # noqa: BLE001 - one document must not end the replay
        return Parsed(skipped=[Skipped(doc.origin, f"{type(exc).__name__}: {exc}", doc.body[:_SKIPPED_BYTES],
                                       type(exc).__name__)])
    return Parsed(records=[record_of(a, seq) for a in feed.articles], ill_formed=int(feed.problem is not None))


def check_article(data: object) -> dict[str, Any]:
    """The wire form of a decoded line (bare, or ``tail --keys``'s ``value``): exactly the fields of
    ``Article``, defaults filled in; ``ValueError`` says what is wrong. Built directly rather than via
    ``Article.from_dict``: it halves the cost of the cheapest input kind."""
    if isinstance(data, dict) and "value" in data and "title" not in data:
        data = data["value"]
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if not isinstance(data.get("id"), str) or not _ID.fullmatch(data["id"]):
        raise ValueError("'id' is not 32 lower-case hex characters")
    for name in ("feed", "fetched"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise ValueError(f"'{name}' is missing or not a string")
    if data.get("published") is not None and not isinstance(data["published"], str):
        raise ValueError("'published' is not a string")
    if data.get("schema_version", ARTICLE_VERSION) != ARTICLE_VERSION:
        raise ValueError(f"schema_version {data.get('schema_version')} is not {ARTICLE_VERSION}")
    missing = [name for name in _REQUIRED if name not in data]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(missing)}")
    article = {name: data.get(name, default) for name, default in _DEFAULTS}
    if not isinstance(article["authors"], list) or not isinstance(article["tags"], list):
        raise ValueError("'authors' and 'tags' must be lists")
    return article


def article_records(lines: list[ArticleLine], seq: int = 0) -> Parsed:
    """Check and re-encode Article lines; their ids and revisions were assigned live and are kept."""
    parsed = Parsed()
    for line in lines:
        try:
            article = check_article(orjson.loads(line.line))
        except ValueError as exc:  # orjson.JSONDecodeError is one
            parsed.skipped.append(Skipped(line.origin, f"not an Article: {exc}", line.line[:_SKIPPED_BYTES],
                                          type(exc).__name__))
            continue
        parsed.records.append((article["published"] or article["fetched"], article["id"], article["fetched"], seq,
                               article["content_hash"], article["feed"], article["source"], ARTICLE_VERSION,
                               article["revision"], compact(codec.dumps(article))))
    return parsed
