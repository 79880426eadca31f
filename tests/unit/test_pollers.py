"""Scheduling rules, address refusal, the retry buffer, state round trips and the archive format."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, Route, rss
from wirewatch.errors import SettingsError
from wirewatch.ingest import schedule
from wirewatch.ingest.archive import Archive, read_archive
from wirewatch.ingest.errors import ProduceError
from wirewatch.ingest.fetch import make_client
from wirewatch.ingest.poller import Poller
from wirewatch.ingest.state import FeedState
from wirewatch.schemas.models import Article
from wirewatch.settings import Feed, Settings, load_feeds

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
FEED = Feed(url="https://x.test/rss", name="x", min_interval=300, max_interval=3600)
LOOPBACK = Settings(allow_networks=("127.0.0.0/8",), total_timeout=5.0)


def seconds(when: datetime) -> float:
    return (when - NOW).total_seconds()


@pytest.mark.parametrize(("headers", "ttl", "expected"), [
    ({}, None, 300),
    ({"cache-control": "public, max-age=1200"}, None, 1200),
    ({"cache-control": "max-age=10"}, None, 300),
    ({"cache-control": "max-age=999999"}, None, 3600),
    ({"expires": "Fri, 01 Mar 2024 12:30:00 GMT"}, None, 1800),
    ({"cache-control": "max-age=600", "expires": "Fri, 01 Mar 2024 12:50:00 GMT"}, None, 600),
    ({"cache-control": "no-cache, max-age=1200"}, None, 300),
    ({}, 45, 2700),
])
def test_success_interval_honours_hints_within_bounds(headers: dict[str, str], ttl: float | None,
                                                     expected: float) -> None:
    assert seconds(schedule.next_after_success(FEED, NOW, headers, ttl)) == expected


def test_skip_hours_push_the_check_to_the_next_allowed_hour() -> None:
    when = schedule.next_after_success(FEED, NOW, {}, None, skip=(12, 13))
    assert when == datetime(2024, 3, 1, 14, 0, tzinfo=UTC)


def test_backoff_grows_with_jitter_and_caps_at_max_interval() -> None:
    rng = random.Random(1)
    waits = [seconds(schedule.next_after_failure(FEED, NOW, n, True, rng=rng)) for n in range(1, 9)]
    assert 225 <= waits[0] <= 375 and 450 <= waits[1] <= 750
    assert waits[-1] == max(waits) == 3600
    assert seconds(schedule.next_after_failure(FEED, NOW, 1, False)) == 3600
    assert seconds(schedule.next_after_failure(FEED, NOW, 1, True, retry_after=7200)) == 7200


def test_feed_list_validation_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - {url: 'https://a/f', min_interval: 5m, max_interval: 2h}\n")
    assert load_feeds(str(path))[0].max_interval == 7200
    for bad, message in [("enabled: 'no'", "'enabled' must be true or false"), ("language: 12", "'language'"),
                         ("min_interval: soon", "not a duration"), ("tags: world", "'tags' must be a list")]:
        path.write_text(f"feeds:\n  - {{url: 'https://a/f', {bad}}}\n")
        with pytest.raises(SettingsError, match=message):
            load_feeds(str(path))


class FlakySink:
    """A broker that is down until ``up`` is set; remembers what it acknowledged."""

    def __init__(self) -> None:
        self.up = False
        self.acked: list[Article] = []
        self.states: dict[str, bytes | None] = {}

    async def send(self, articles: list[Article]) -> None:
        if not self.up:
            raise ProduceError("broker down", failed=articles)
        self.acked.extend(articles)

    async def send_state(self, feed: str, value: bytes | None) -> None:
        if not self.up:
            raise ProduceError("broker down")
        self.states[feed] = value


@pytest.fixture
async def executor() -> AsyncIterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(1) as pool:
        yield pool


async def test_broker_outage_buffers_and_delivers_once(server: FeedServer, executor: ThreadPoolExecutor) -> None:
    server.routes["/f"] = Route(rss([{"title": "A", "guid": "a"}, {"title": "B", "guid": "b"}]))
    feed = Feed(url=server.url("/f"), name="f", min_interval=60, max_interval=600)
    sink = FlakySink()
    async with make_client(LOOPBACK) as client:
        poller = Poller(LOOPBACK, sink, client, executor)
        first = await poller.poll(feed)
        assert first.kind == "produce" and poller.buffered == 2 and not sink.states
        again = await poller.poll(feed)  # still down: nothing fetched, nothing lost
        assert again.kind == "produce" and poller.buffered == 2
        sink.up = True
        third = await poller.poll(feed)
    assert third.error is None and third.new == 0
    assert sorted(a.title for a in sink.acked) == ["A", "B"] and poller.buffered == 0
    assert "f" in sink.states


async def test_full_buffer_stops_fetching(server: FeedServer, executor: ThreadPoolExecutor) -> None:
    server.routes["/f"] = Route(rss([{"title": "A", "guid": "a"}]))
    settings = Settings(allow_networks=("127.0.0.0/8",), retry_buffer=1)
    async with make_client(settings) as client:
        poller = Poller(settings, FlakySink(), client, executor)
        await poller.poll(Feed(url=server.url("/f"), name="f"))
        requests = len(server.requests)
        report = await poller.poll(Feed(url=server.url("/f"), name="g"))
    assert report.kind == "backpressure" and len(server.requests) == requests


async def test_loopback_is_refused_unless_allowed(server: FeedServer, executor: ThreadPoolExecutor) -> None:
    server.routes["/f"] = Route(rss([{"title": "A", "guid": "a"}]))
    settings = Settings()
    async with make_client(settings) as client:
        report = await Poller(settings, FlakySink(), client, executor).poll(Feed(url=server.url("/f"), name="f"))
    assert report.kind == "forbidden_address" and "WIREWATCH_ALLOW_NETWORKS" in (report.error or "")
    assert not server.requests


async def test_changed_entry_gets_one_revision_and_user_agent_is_honest(
        server: FeedServer, executor: ThreadPoolExecutor) -> None:
    server.routes["/f"] = Route(rss([{"title": "A", "guid": "a"}]))
    feed = Feed(url=server.url("/f"), name="f")
    sink = FlakySink()
    sink.up = True
    async with make_client(LOOPBACK) as client:
        poller = Poller(LOOPBACK, sink, client, executor)
        await poller.poll(feed)
        server.routes["/f"] = Route(rss([{"title": "A (updated)", "guid": "a"}]))
        report = await poller.poll(feed)
        await poller.poll(feed)
    assert report.updated == 1 and [a.revision for a in sink.acked] == [0, 1]
    assert len({a.id for a in sink.acked}) == 1
    assert server.requests[0][1]["User-Agent"].startswith("Wirewatch/")


def test_state_round_trips_and_forgets_old_entries() -> None:
    state = FeedState(configured_url="https://x.test/rss", current_url="https://y.test/rss",
                      next_check=NOW + timedelta(minutes=5))
    state.seen = {"old": ("h0", 0, 0.0), "new": ("h1", 2, NOW.timestamp())}
    state.prune(NOW.timestamp())
    back = FeedState.from_dict(state.to_dict("x", broken=False))
    assert back.seen == {"new": ("h1", 2, NOW.timestamp())}
    assert back.current_url == "https://y.test/rss" and back.next_check == state.next_check


def test_archive_records_read_back(tmp_path: Path) -> None:
    from wirewatch.ingest.archive import record

    archive = Archive(tmp_path)
    archive.write(record("f", "https://x.test/rss", "2024-03-01T12:00:00Z", 200, {"etag": "1"}, b"<rss/>"))
    archive.write(record("f", "https://x.test/rss", "2024-03-01T12:05:00Z", 304, {}, None))
    archive.close()
    with (tmp_path / "2024-03-01.jsonl.gz").open("ab") as out:
        out.write(b"\x1f\x8b\x08")  # a record cut by a crash
    records = list(read_archive(tmp_path / "2024-03-01.jsonl.gz"))
    assert [(r["status"], r["body"]) for r in records] == [(200, b"<rss/>"), (304, None)]
