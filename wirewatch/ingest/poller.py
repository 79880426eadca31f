"""Poll feeds: fetch, parse, normalise, publish what is new or changed, remember what was seen.

One ``Poller`` owns the state of every feed (restored from ``wire.feeds``), the concurrency limits
(global and per host), the retry buffer for articles the broker has not acknowledged, metrics and the
archive. ``poll`` checks one feed and never raises for a bad feed; ``run_forever`` gives each feed a
small loop that sleeps until its next check, so a broken feed is retried (at most at its
``max_interval``) for as long as the service runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from wirewatch.ingest import schedule
from wirewatch.ingest.archive import Archive, record
from wirewatch.ingest.errors import BackPressureError, HTTPStatusError, IngestError, ProduceError
from wirewatch.ingest.fetch import FetchResult, fetch
from wirewatch.ingest.metrics import Metrics
from wirewatch.ingest.parse import FeedDocument, read_feed
from wirewatch.ingest.state import FeedState, encode
from wirewatch.schemas.models import Article
from wirewatch.settings import Feed, Settings

log = logging.getLogger(__name__)


class Sink(Protocol):
    """Where articles and feed state go: ``ArticleSink`` in production, a discarding sink in benchmarks."""

    async def send(self, articles: list[Article]) -> None: ...

    async def send_state(self, feed: str, value: bytes | None) -> None: ...


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
    kind: str | None = None
    next_check: str | None = None

    def line(self) -> str:
        if self.error:
            return f"{self.feed}: ERROR [{self.kind}] {self.error}"
        if self.status == 304:
            return f"{self.feed}: not modified (304) in {self.elapsed:.2f}s"
        warn = f" [ill-formed: {self.problem}]" if self.problem else ""
        return (f"{self.feed}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged "
                f"(HTTP {self.status}) in {self.elapsed:.2f}s{warn}")


class Limiter:
    """A global cap on concurrent fetches and a smaller one per host, so no publisher sees a burst."""

    def __init__(self, total: int, per_host: int) -> None:
        self.total = asyncio.Semaphore(total)
        self.per_host = per_host
        self.hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(self.per_host))

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        async with self.hosts[(urlsplit(url).hostname or "").lower()], self.total:
            yield


def _now() -> datetime:
    return datetime.now(UTC)


class Poller:
    """Checks feeds and publishes their new and changed entries through a ``Sink``."""

    def __init__(
        self,
        settings: Settings,
        sink: Sink,
        client: httpx.AsyncClient,
        executor: Executor | None = None,
        *,
        states: dict[str, FeedState] | None = None,
        metrics: Metrics | None = None,
        archive: Archive | None = None,
        clock: Callable[[], datetime] = _now,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.sink = sink
        self.client = client
        self.executor = executor
        self.states: dict[str, FeedState] = states if states is not None else {}
        self.metrics = metrics or Metrics()
        self.archive = archive
        self.clock = clock
        self.rng = rng or random.Random()
        self.limiter = Limiter(settings.concurrency, settings.host_concurrency)

    def state(self, feed: Feed) -> FeedState:
        """The feed's state; a permanent redirect is forgotten when the configured URL changed."""
        state = self.states.setdefault(feed.name, FeedState(configured_url=feed.url))
        if state.configured_url != feed.url:
            state.configured_url, state.current_url = feed.url, None
        return state

    @property
    def buffered(self) -> int:
        return sum(len(s.pending) for s in self.states.values())

    def broken(self, state: FeedState) -> bool:
        return state.consecutive_errors >= schedule.BROKEN_AFTER

    async def poll(self, feed: Feed) -> FeedReport:
        """Poll one feed once; never raises for a bad feed, the report says what went wrong."""
        state = self.state(feed)
        started = time.perf_counter()
        now = self.clock()
        state.last_check = now
        url = state.current_url or feed.url
        try:
            await self._flush_pending(feed, state)
            async with self.limiter.slot(url):
                fetch_started = time.perf_counter()
                try:
                    result = await fetch(self.client, url, state.validators, self.settings.max_body_bytes,
                                         self.settings.total_timeout)
                finally:
                    self.metrics.fetch_seconds.observe(time.perf_counter() - fetch_started)
            await self._archive(feed, result.url, result.fetched_at, result.status, result.headers, result.body)
            report = await self._publish(feed, state, result, now)
        except IngestError as exc:
            if isinstance(exc, HTTPStatusError):
                await self._archive(feed, url, schedule.iso(now), exc.status, exc.headers, None)
            report = self._failed(feed, state, exc, now)
        except Exception as exc:  # noqa: BLE001 - a bug must cost one check of one feed, not the poller
            log.exception("feed %s: unexpected error", feed.name)
            report = self._failed(feed, state, exc, now)
        await self._save(feed, state)
        self.metrics.buffered.set(self.buffered)
        return replace(report, elapsed=time.perf_counter() - started, next_check=state.next_check
                       and state.next_check.strftime("%Y-%m-%dT%H:%M:%SZ"))

    async def _flush_pending(self, feed: Feed, state: FeedState) -> None:
        """Deliver what the broker refused earlier before fetching more; refuse to fetch when full."""
        if state.pending:
            articles, state.pending = state.pending, []
            try:
                await self.sink.send(articles)
            except ProduceError as exc:
                state.pending = exc.failed or articles
                raise
            log.info("feed %s: %d buffered articles delivered", feed.name, len(articles))
        if self.buffered >= self.settings.retry_buffer:
            raise BackPressureError(
                f"{self.buffered} articles wait for the broker (WIREWATCH_RETRY_BUFFER={self.settings.retry_buffer});"
                " not fetching more until they are delivered")

    async def _archive(self, feed: Feed, url: str, fetched: str, status: int, headers: dict[str, str],
                       body: bytes | None) -> None:
        if self.archive is not None:
            try:
                await self.archive.add(record(feed.name, url, fetched, status, headers, body))
            except OSError as exc:
                log.error("archive write failed for feed %s: %s", feed.name, exc)

    async def _publish(self, feed: Feed, state: FeedState, result: FetchResult, now: datetime) -> FeedReport:
        state.last_status = result.status
        if result.permanent_url and result.permanent_url != (state.current_url or feed.url):
            log.info("feed %s moved permanently to %s; polling that from now on", feed.name, result.permanent_url)
            state.current_url = result.permanent_url
        if result.not_modified:
            self.metrics.polls.labels("not_modified").inc()
            self._succeeded(feed, state, result, now)
            return FeedReport(feed.name, feed.url, 304)
        assert result.body is not None
        doc: FeedDocument = await asyncio.get_running_loop().run_in_executor(
            self.executor,
            functools.partial(read_feed, result.body, result.url, result.headers, feed=feed.name,
                              fetched=result.fetched_at, language=feed.language, tags=feed.tags),
        )
        self.metrics.parse_seconds.observe(doc.seconds)
        fresh, new, updated, unchanged = self._diff(state, doc.articles)
        epoch = now.timestamp()
        state.touch([a.id for a in doc.articles], epoch)
        if fresh:
            try:
                await self.sink.send(fresh)
            except ProduceError as exc:
                state.pending = exc.failed or fresh
                log.warning("feed %s: broker did not acknowledge %d articles; buffered for retry",
                            feed.name, len(state.pending))
            state.remember(fresh, epoch)  # buffered ones count as seen: they are delivered before the next fetch
            delivered = len(fresh) - len(state.pending)
            state.published += delivered
        self.metrics.entries.labels("new").inc(new)
        self.metrics.entries.labels("updated").inc(updated)
        if doc.problem:
            self.metrics.ill_formed.inc()
            log.info("feed %s is ill-formed (%d entries kept): %s", feed.name, len(doc.articles), doc.problem)
        state.problem = doc.problem
        self.metrics.polls.labels("ok").inc()
        self._succeeded(feed, state, result, now, doc)
        if state.pending:
            raise ProduceError(f"{len(state.pending)} articles wait for the broker")
        return FeedReport(feed.name, feed.url, result.status, new, updated, unchanged, problem=doc.problem)

    @staticmethod
    def _diff(state: FeedState, articles: tuple[Article, ...]) -> tuple[list[Article], int, int, int]:
        """New ids get revision 0; a known id whose content hash changed gets the next revision."""
        fresh: list[Article] = []
        new = updated = unchanged = 0
        for article in articles:
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
        return fresh, new, updated, unchanged

    def _succeeded(self, feed: Feed, state: FeedState, result: FetchResult, now: datetime,
                   doc: FeedDocument | None = None) -> None:
        if self.broken(state):
            log.warning("feed %s recovered after %d failed checks", feed.name, state.consecutive_errors)
        state.validators = result.validators
        state.consecutive_errors = 0
        state.last_error = state.error_kind = None
        state.last_success = now
        state.next_check = schedule.next_after_success(
            feed, now, result.headers, doc.ttl if doc else None, doc.skip_hours if doc else ())
        self.metrics.broken.set(sum(map(self.broken, self.states.values())))

    def _failed(self, feed: Feed, state: FeedState, exc: Exception, now: datetime) -> FeedReport:
        kind = getattr(exc, "kind", "internal")
        state.consecutive_errors += 1
        state.last_error, state.error_kind = str(exc), kind
        if isinstance(exc, HTTPStatusError):
            state.last_status = exc.status
        state.next_check = schedule.next_after_failure(
            feed, now, state.consecutive_errors, bool(getattr(exc, "retriable", False)),
            getattr(exc, "retry_after", None), self.rng)
        self.metrics.polls.labels("error").inc()
        self.metrics.errors.labels(kind).inc()
        self.metrics.broken.set(sum(map(self.broken, self.states.values())))
        level = logging.ERROR if state.consecutive_errors == schedule.BROKEN_AFTER else logging.WARNING
        log.log(level, "feed %s failed %d time(s) in a row (%s): %s; next check %s%s", feed.name,
                state.consecutive_errors, kind, exc, state.next_check.isoformat(),
                " — BROKEN, retried at max_interval" if self.broken(state) else "")
        return FeedReport(feed.name, feed.url, state.last_status, error=str(exc), kind=kind)

    async def _save(self, feed: Feed, state: FeedState) -> None:
        """Persist the feed's state, unless articles still wait: seen ids must not outrun the broker."""
        if state.pending:
            return
        try:
            await self.sink.send_state(feed.name, encode(feed.name, state, self.broken(state)))
        except ProduceError as exc:
            log.warning("feed %s: state not saved (%s); saved again after its next check", feed.name, exc)

    async def poll_all(self, feeds: tuple[Feed, ...]) -> list[FeedReport]:
        """Poll every enabled feed once, concurrently within the limits; reports in feed order."""
        return list(await asyncio.gather(*(self.poll(f) for f in feeds if f.enabled)))

    async def run_forever(self, feeds: tuple[Feed, ...]) -> None:
        """Each enabled feed on its own schedule until cancelled; restored next checks are honoured."""
        await asyncio.gather(*(self._loop(f) for f in feeds if f.enabled))

    async def _loop(self, feed: Feed) -> None:
        state = self.state(feed)
        if state.next_check is None:  # first start: spread the first checks instead of a burst
            await asyncio.sleep(self.rng.uniform(0, min(feed.min_interval, 10.0)))
        while True:
            if state.next_check is not None:
                await asyncio.sleep(max(0.0, (state.next_check - self.clock()).total_seconds()))
            try:
                report = await self.poll(feed)
            except Exception:  # noqa: BLE001 - the loop of a feed must outlive any bug
                log.exception("feed %s: poll crashed; retrying at max_interval", feed.name)
                state.next_check = self.clock() + timedelta(seconds=feed.max_interval)
                continue
            log.info("%s", report.line())
