"""Feed -> poller -> broker -> worker -> wire.enriched, as separate processes over loopback."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from tests.feedserver import FeedServer, Route, rss
from tests.integration.conftest import Env, read_until, values, wirewatch
from wirewatch import codec
from wirewatch.schemas import validate

pytestmark = pytest.mark.integration


def seed_feed(seed_text: str) -> bytes:
    title, _, body = seed_text.partition("\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in body.strip().split("\n") if p.strip())
    return rss([{
        "title": title.strip(),
        "link": "https://npasyria.com/en/85000/?utm_source=rss",
        "guid": "https://npasyria.com/en/?p=85000",
        "pubDate": "Thu, 15 Sep 2022 14:30:00 +0000",
        "description": paragraphs,
    }], title="North Press Agency", link="https://npasyria.com/en/")


def find(records: list[Any], article_id: str) -> list[Any]:
    return [v for v in values(records) if v.get("id") == article_id]


async def test_seed_article_reaches_enriched(env: Env, worker: subprocess.Popen[bytes], seed_text: str) -> None:
    with FeedServer() as server:
        server.routes["/seed.xml"] = Route(seed_feed(seed_text))
        started = time.monotonic()
        poll = subprocess.run(wirewatch("poll", "--once", server.url("/seed.xml")), env=env.vars,
                              capture_output=True, text=True, timeout=120)
    assert poll.returncode == 0, poll.stderr
    assert "1 new" in poll.stdout

    def seeds(r: list[Any]) -> list[Any]:  # other tests share the topic, garbage included
        return [x for x in r if x.value.startswith(b"{") and b"npasyria.com/en/85000" in x.value]

    article_records = seeds(await read_until(env.bootstrap, env.topic("articles"), lambda r: bool(seeds(r)),
                                             validated=False))
    assert len(article_records) == 1
    article, article_ts = codec.loads(article_records[0].value), article_records[0].timestamp
    validate("article", article)
    assert article["url"] == "https://npasyria.com/en/85000/"
    assert article["published"] == "2022-09-15T14:30:00Z"

    records = await read_until(env.bootstrap, env.topic("enriched"), lambda r: bool(find(r, article["id"])), 120)
    latency = time.monotonic() - started
    print(f"poll start -> enriched message read: {latency:.2f}s")
    [enriched] = find(records, article["id"])
    validate("enriched", enriched)
    codes = {a["code"] for a in enriched["actors"]}
    countries = {a["country"] for a in enriched["actors"]}
    assert {"TUR", "SYR", "RUS"} <= countries, codes
    for actor in enriched["actors"]:
        for mention in actor["mentions"]:
            assert enriched["text"][mention["start"]:mention["end"]] == mention["text"]
    tail = subprocess.run(wirewatch("tail", "enriched", "--from-beginning", "--max", str(len(records)),
                                    "--timeout", "30"), env=env.vars, capture_output=True, timeout=120)
    assert tail.returncode == 0, tail.stderr
    assert article["id"] in {codec.loads(line)["id"] for line in tail.stdout.splitlines()}
    metrics = httpx.get(f"http://127.0.0.1:{env.vars['WIREWATCH_WEB_PORT']}/metrics", timeout=5).text
    assert "wirewatch_enriched_articles_total" in metrics and "faust_messages_received" in metrics
    lag = [r.timestamp for r in records if codec.loads(r.value)["id"] == article["id"]][0] - article_ts
    print(f"article produced -> enriched produced (broker timestamps): {lag} ms")

    mine = lambda r: [s for s in values(r) if s.get("article_id") == article["id"]]  # noqa: E731
    signals = mine(await read_until(env.bootstrap, env.topic("signals"),
                                    lambda r: len(mine(r)) >= len(enriched["signals"]), 30))
    assert len(signals) == len(enriched["signals"])
    for signal in signals:
        validate("signal", signal)
        assert enriched["text"][signal["evidence"]["start"]:signal["evidence"]["end"]] == signal["evidence"]["text"]
    syr_tur = [s for s in signals if s["dyad"] == "SYR-TUR" and s["polarity"] == "cooperative"]
    assert len(syr_tur) >= 3 and any(s["mediator"] == "RUS" for s in syr_tur)
    assert any(s["dyad"] == "SDF-TUR" and s["polarity"] == "hostile" for s in signals)

    def dyad_states(r: list[Any]) -> dict[str, Any]:
        return {x.key.decode(): codec.loads(x.value) for x in r}

    dyads = dyad_states(await read_until(env.bootstrap, env.topic("dyads"),
                                         lambda r: "SYR-TUR" in dyad_states(r), 60))
    state = dyads["SYR-TUR"]
    validate("dyad", state)
    assert state["updated"] == "2022-09-15"
    assert state["windows"]["week"]["n_cooperative"] >= 3 and state["windows"]["week"]["cooperative"] > 0


async def test_undecodable_message_goes_to_dead_letter(env: Env, worker: subprocess.Popen[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=env.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(env.topic("articles"), b"\xff not json {", key=b"bad-1")
        await producer.send_and_wait(env.topic("articles"), b'{"id": "x"}', key=b"bad-2")
    finally:
        await producer.stop()
    records = await read_until(env.bootstrap, env.topic("deadletter"),
                               lambda r: {b"bad-1", b"bad-2"} <= {x.key for x in r}, 120)
    by_key = {r.key: r for r in records}
    assert by_key[b"bad-1"].value == b"\xff not json {"
    headers = dict(by_key[b"bad-2"].headers)
    assert headers["stage"] == b"enrich.decode"
    assert headers["topic"] == env.topic("articles").encode()
    assert b"required property" in headers["error"]
