"""Article in, EnrichedArticle out: the one code path shared by the agent and ``wirewatch extract``."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from wirewatch import __version__, codec
from wirewatch.errors import SchemaError
from wirewatch.processors.errors import UndecodableMessageError
from wirewatch.processors.extraction.actors import find_actors
from wirewatch.processors.extraction.dedup import NearDuplicateIndex
from wirewatch.processors.extraction.signals import dyad_verdicts, find_signals
from wirewatch.schemas import validate
from wirewatch.schemas.models import Article, EnrichedArticle, Signal, as_dict


def decode_article(raw: bytes | str) -> Article:
    """Parse and validate an ``Article`` message; ``UndecodableMessageError`` says why not."""
    try:
        data: Any = codec.loads(raw)
    except ValueError as exc:
        raise UndecodableMessageError(f"not JSON: {exc}") from None
    try:
        validate("article", data)
    except SchemaError as exc:
        raise UndecodableMessageError(str(exc)) from None
    return Article.from_dict(data)


def published_at(article: Article) -> datetime | None:
    """The publication time, for date-ranged actor roles; None when the feed gave none."""
    if not article.published:
        return None
    return datetime.fromisoformat(article.published.replace("Z", "+00:00"))


def enrich(article: Article, dedup: NearDuplicateIndex | None = None) -> EnrichedArticle:
    """Run extraction on one article; pure apart from the optional near-duplicate index."""
    started = time.perf_counter()
    when = published_at(article)
    actors = find_actors(article.text, when)
    t_actors = time.perf_counter()
    duplicate_of, cluster = dedup.check_and_add(article.id, article.text) if dedup else (None, None)
    t_dedup = time.perf_counter()
    signals = [
        replace(s, article_id=article.id, published=article.published, duplicate_of=duplicate_of)
        for s in find_signals(article.text, actors, when)
    ]
    t_signals = time.perf_counter()
    return EnrichedArticle(
        article=article,
        actors=tuple(actors),
        signals=tuple(signals),
        dyads=tuple(dyad_verdicts(signals)),
        duplicate_of=duplicate_of,
        cluster=cluster,
        processing={
            "version": __version__,
            "actors_ms": round((t_actors - started) * 1000, 3),
            "dedup_ms": round((t_dedup - t_actors) * 1000, 3),
            "signals_ms": round((t_signals - t_dedup) * 1000, 3),
            "total_ms": round((time.perf_counter() - started) * 1000, 3),
        },
    )


def warm_up() -> None:
    """Load dictionaries and build matchers now, so the first article is not the slow one."""
    text = "Turkish and Syrian officials met in Damascus."
    find_signals(text, find_actors(text), None)


def encode(enriched: EnrichedArticle) -> bytes:
    """Wire bytes of an enriched article."""
    return codec.dumps(enriched.message())


def encode_signal(signal: Signal) -> bytes:
    """Wire bytes of a signal."""
    return codec.dumps(as_dict(signal))
