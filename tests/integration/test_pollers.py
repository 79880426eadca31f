"""Pollers against the real broker: restart without duplicates, one revision per change, health view."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from tests.feedserver import FeedServer, Route, rss
from tests.integration.conftest import Env, read_until, values, wirewatch
from wirewatch.ingest.run import poll_once
from wirewatch.ingest.state import read_states
from wirewatch.settings import Feed, from_env

pytestmark = pytest.mark.integration

ITEMS = [{"title": f"Story {i}", "guid": f"story-{i}", "description": f"Body {i}",
          "pubDate": "Thu, 15 Sep 2022 16:30:00 +0200"} for i in range(5)]


async def test_restart_publishes_nothing_twice_and_one_revision_per_change(env: Env, server: FeedServer) -> None:
    server.routes["/wire"] = Route(rss(ITEMS), headers={"Content-Type": "application/rss+xml", "ETag": '"1"'})
    server.routes["/other"] = Route(rss(ITEMS[:2], link="https://other.test/"))
    # Own topics: other tests of the session write to the shared wire.articles (garbage included).
    settings = from_env({**env.vars, "WIREWATCH_TOPIC_PREFIX": f"{env.prefix}restart."})
    settings = replace(settings, feeds=(Feed(url=server.url("/wire"), name="restart-wire"),
                                        Feed(url=server.url("/other"), name="restart-other")))
    topic = settings.topic("articles")

    first = await poll_once(settings)  # a poller process that then stops
    assert [(r.new, r.error) for r in first] == [(5, None), (2, None)]
    second = await poll_once(settings)  # a fresh poller: state comes back from wire.feeds only
    assert second[0].status == 304 and second[1].new == 0 and second[1].unchanged == 2
    assert server.requests[-2][1].get("If-None-Match") == '"1"' or server.requests[-1][1].get("If-None-Match") == '"1"'

    changed = [dict(ITEMS[0], description="Body 0, corrected"), *ITEMS[1:]]
    server.routes["/wire"] = Route(rss(changed), headers={"Content-Type": "application/rss+xml", "ETag": '"2"'})
    third = await poll_once(settings)
    assert (third[0].new, third[0].updated, third[0].unchanged) == (0, 1, 4)

    records = await read_until(env.bootstrap, topic, lambda r: len(r) >= 8, timeout=30)
    articles = values(records)
    keys = [(a["id"], a["revision"]) for a in articles]
    assert len(articles) == 8 and len(set(keys)) == 8, keys  # 7 originals + 1 revision, no duplicates
    revised = [a for a in articles if a["revision"] == 1]
    assert len(revised) == 1 and revised[0]["text"] == "Body 0, corrected"
    assert records[0].headers and dict(records[0].headers)["feed"] in (b"restart-wire", b"restart-other")

    states = await read_states(settings)
    assert states["restart-wire"]["entries_seen"] == 5 and states["restart-wire"]["etag"] == '"2"'


def test_feeds_command_shows_health(env: Env, server: FeedServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.routes["/ok"] = Route(rss(ITEMS[:1], link="https://health.test/"))
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - {{url: '{server.url('/ok')}', name: health-ok}}\n"
                     f"  - {{url: '{server.url('/gone')}', name: health-gone}}\n")
    run_env = {**env.vars, "WIREWATCH_FEEDS_FILE": str(feeds)}
    poll = subprocess.run(wirewatch("poll", "--once"), env=run_env, capture_output=True, text=True, timeout=120)
    assert poll.returncode == 1, poll.stderr  # one feed failed
    assert "health-ok: 1 new" in poll.stdout and "health-gone: ERROR [http_404]" in poll.stdout
    shown = subprocess.run(wirewatch("feeds"), env=run_env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    lines = {line.split()[0]: line for line in shown.stdout.splitlines()[1:]}
    assert " 200 " in lines["health-ok"] and " 404 " in lines["health-gone"] and "HTTP 404" in lines["health-gone"]


async def test_state_read_goes_past_an_underreported_end_offset(env: Env) -> None:
    """Tansu's end offsets can undercount batched records; the latest state of every feed must still load."""
    from aiokafka import AIOKafkaProducer

    from wirewatch import codec
    from wirewatch.topics import ensure_topics

    settings = from_env({**env.vars, "WIREWATCH_TOPIC_PREFIX": f"{env.prefix}endoffsets."})
    await ensure_topics(settings)
    producer = AIOKafkaProducer(bootstrap_servers=env.bootstrap, compression_type="gzip", acks="all")
    await producer.start()
    try:
        for i in range(30):
            await producer.send_and_wait(settings.topic("feeds"), codec.dumps({"n": i}), key=b"feed-%d" % (i % 3))
        pending = [await producer.send(settings.topic("feeds"), codec.dumps({"n": 100 + i}), key=b"feed-%d" % (i % 5))
                   for i in range(20)]
        for future in pending:
            await future
    finally:
        await producer.stop()
    states = await read_states(settings)
    assert {k: v["n"] for k, v in states.items()} == {f"feed-{i}": 115 + i for i in range(5)}
