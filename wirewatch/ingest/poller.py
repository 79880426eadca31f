"""Poll feeds: fetch, parse, normalise, publish what is new or changed, remember what was seen."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace

import httpx

from wirewatch.ingest.errors import IngestError
from wirewatch.ingest.fetch import FetchResult, Validators, fetch
from wirewatch.ingest.normalise import to_article
from wirewatch.ingest.parse import parse
from wirewatch.ingest.producer import ArticleSink
from wirewatch.schemas.models import Article
from wirewatch.settings import Feed, Settings

log = logging.getLogger(__name__)


@dataclass
class FeedState:
    """What we remember about one feed between polls."""

    validators: Validators = field(default_factory=Validators)
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)  # article id -> (content hash, revision)
    last_status: int | None = None
    last_error: str | None = None
    consecutive_errors: int = 0
    entries_seen: int = 0


@dataclass(frozen=True, slots=True)
class FeedReport:
    """The outcome of one poll of one feed, as ``poll --once`` prints it."""

    feed: str
    url: str
    status: int | None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str | None = None
    problem: str | None = None
    elapsed: float = 0.0

    def line(self) -> str:
        if self.error:
            return f"{self.feed}: ERROR {self.error}"
        if self.status == 304:
            return f"{self.feed}: not modified (304) in {self.elapsed:.2f}s"
        warn = f" [ill-formed: {self.problem}]" if self.problem else ""
        return (f"{self.feed}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged "
                f"(HTTP {self.status}) in {self.elapsed:.2f}s{warn}")


class Poller:
    """Checks feeds and publishes their new and changed entries through an ``ArticleSink``."""

    def __init__(
        self,
        settings: Settings,
        sink: ArticleSink,
        client: httpx.AsyncClient,
        executor: Executor | None = None,
    ) -> None:
        self.settings = settings
        self.sink = sink
        self.client = client
        self.executor = executor
        self.states: dict[str, FeedState] = {}

    def state(self, feed: Feed) -> FeedState:
        return self.states.setdefault(feed.name, FeedState())

    async def poll(self, feed: Feed) -> FeedReport:
        """Poll one feed once; never raises for a bad feed, the report says what went wrong."""
        state = self.state(feed)
        started = time.perf_counter()
        try:
            result = await fetch(self.client, feed.url, state.validators, self.settings.max_body_bytes)
            report = await self._publish(feed, state, result)
        except IngestError as exc:
            state.consecutive_errors += 1
            state.last_error = str(exc)
            state.last_status = getattr(exc, "status", None)
            log.warning("feed %s failed (%s): %s", feed.name, exc.kind, exc)
            return FeedReport(feed.name, feed.url, state.last_status, error=str(exc),
                              elapsed=time.perf_counter() - started)
        state.consecutive_errors = 0
        state.last_error = None
        return replace(report, elapsed=time.perf_counter() - started)

    async def _publish(self, feed: Feed, state: FeedState, result: FetchResult) -> FeedReport:
        state.last_status = result.status
        if result.not_modified:
            state.validators = result.validators
            return FeedReport(feed.name, feed.url, 304)
        assert result.body is not None
        parsed = await parse(result.body, result.url, result.headers, self.executor)
        fresh: list[Article] = []
        new = updated = unchanged = 0
        for entry in parsed.entries:
            article = to_article(entry, parsed.channel, feed=feed.name, fetched=result.fetched_at,
                                 language=feed.language, tags=feed.tags)
            known = state.seen.get(article.id)
            if known is None:
                new += 1
            elif known[0] != article.content_hash:
                updated += 1
                article = replace(article, revision=known[1] + 1)
            else:
                unchanged += 1
                continue
            fresh.append(article)
        if fresh:
            await self.sink.send(fresh)
        for article in fresh:
            state.seen[article.id] = (article.content_hash, article.revision)
        state.entries_seen = len(state.seen)
        state.validators = result.validators
        return FeedReport(feed.name, feed.url, result.status, new, updated, unchanged, problem=parsed.problem)

    async def poll_all(self, feeds: tuple[Feed, ...]) -> list[FeedReport]:
        """Poll every enabled feed concurrently, once."""
        return list(await asyncio.gather(*(self.poll(f) for f in feeds if f.enabled)))

    async def run_forever(self, feeds: tuple[Feed, ...]) -> None:
        """Poll each feed every ``min_interval`` seconds, backing off to ``max_interval`` on errors."""
        async def loop(feed: Feed) -> None:
            while True:
                report = await self.poll(feed)
                log.info("%s", report.line())
                errors = self.state(feed).consecutive_errors
                await asyncio.sleep(min(feed.max_interval, feed.min_interval * (2 ** errors)))

        await asyncio.gather(*(loop(f) for f in feeds if f.enabled))
