"""The agents through Faust's ``test_context()``: no broker, topic sends captured (unit tests only)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any
from unittest.mock import patch

import faust
import pytest

from wirewatch import codec
from wirewatch.processors import agents, topics
from wirewatch.processors.extract import article_from_text
from wirewatch.processors.metrics import WorkerMetrics
from wirewatch.schemas import validate
from wirewatch.settings import Settings

SETTINGS = Settings(bootstrap_servers="127.0.0.1:1", partitions=1)


class Sent:
    """Records what an agent sends to each topic and acknowledges at once."""

    def __init__(self) -> None:
        self.messages: dict[str, list[tuple[bytes, Any]]] = {}

    def capture(self, topic: faust.TopicT) -> Any:
        async def send(*, key: bytes, value: bytes, headers: Any = None) -> asyncio.Future[None]:
            self.messages.setdefault(topic.get_topic_name(), []).append((key, codec.loads(value) if b"{" in value[:1] else value))
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done

        return patch.object(topic, "send", side_effect=send)

    def of(self, name: str) -> list[tuple[bytes, Any]]:
        return self.messages.get(SETTINGS.topic(name), [])


@pytest.fixture()
async def wired() -> AsyncIterator[tuple[faust.App, topics.Topics, Sent]]:
    app = faust.App("wirewatch-agent-test", broker="kafka://127.0.0.1:1", store="memory://", autodiscover=False,
                    loop=asyncio.get_running_loop())
    app.finalize()
    wired = topics.declare(app, SETTINGS)
    sent = Sent()
    with sent.capture(wired.enriched), sent.capture(wired.signals), sent.capture(wired.dyads), \
            sent.capture(wired.alerts), sent.capture(wired.deadletter):
        yield app, wired, sent
    consumer = app._consumer  # noqa: SLF001 - a stream builds it; its thread never starts in test_context()
    if consumer is not None:
        consumer._thread.thread_loop.close()  # noqa: SLF001


async def settle(done: Any, timeout: float = 30.0) -> None:
    """The enrich agent works in batches (``take_events``): wait for it instead of for ``put``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not done():
        assert asyncio.get_running_loop().time() < deadline, "agent produced nothing in time"
        await asyncio.sleep(0.01)


def seed_message(seed_text: str) -> bytes:
    article = article_from_text(Path("seed.txt"), seed_text)
    return codec.dumps({**asdict(article), "published": "2022-09-15T14:30:00Z", "published_missing": False})


async def enrich(wired: Any, messages: list[tuple[bytes, bytes]], metrics: WorkerMetrics | None = None) -> None:
    """Feed ``(key, value)`` messages through the enrich agent until it has published an article."""
    app, wired_topics, sent = wired
    agent = agents.register(app, wired_topics, metrics or WorkerMetrics())
    async with agent.test_context() as test_agent:
        for key, value in messages:
            await test_agent.put(value, key=key)
        await settle(lambda: sent.of("enriched"))


async def test_enrich_agent_publishes_enriched_article_and_signals(wired: Any, seed_text: str) -> None:
    sent = wired[2]
    await enrich(wired, [(b"seed", seed_message(seed_text))])
    [(key, enriched)] = sent.of("enriched")
    validate("enriched", enriched)
    assert key.decode() == enriched["id"]
    signals = sent.of("signals")
    assert len(signals) == len(enriched["signals"]) > 0
    assert all(k.decode() == s["dyad"] for k, s in signals)
    assert any(s["dyad"] == "SYR-TUR" and s["polarity"] == "cooperative" for _, s in signals)


async def test_enrich_agent_dead_letters_bad_input_and_carries_on(wired: Any, seed_text: str) -> None:
    sent, metrics = wired[2], WorkerMetrics()
    await enrich(wired, [(b"bad", b"\x00garbage"), (b"seed", seed_message(seed_text))], metrics)
    assert [k for k, _ in sent.of("deadletter")] == [b"bad"]
    assert len(sent.of("enriched")) == 1
    assert metrics.registry.get_sample_value("wirewatch_dead_letters_total", {"stage": "enrich.decode"}) == 1
    assert metrics.registry.get_sample_value("wirewatch_enriched_articles_total") == 1


async def test_dyads_agent_publishes_state_once_per_new_signal(wired: Any, seed_text: str) -> None:
    app, wired_topics, sent = wired
    await enrich(wired, [(b"seed", seed_message(seed_text))])
    signals = sent.of("signals")
    table: dict[str, Any] = {}  # the changelogged Faust table is exercised in the integration test
    dyads_agent = agents.register_dyads(app, wired_topics, table, WorkerMetrics())  # type: ignore[arg-type]
    async with dyads_agent.test_context() as test_agent:
        for key, signal in signals + signals:  # redelivered: counted once
            await test_agent.put(codec.dumps(signal), key=key)
    states = dict(sent.of("dyads"))
    counted = [s for _, s in signals if s["modality"] != "denied"]
    assert set(table) == {s["dyad"] for s in counted}
    assert len(sent.of("dyads")) == len(counted)
    syr_tur = states[b"SYR-TUR"]
    validate("dyad", syr_tur)
    assert syr_tur["updated"] == "2022-09-15"
    assert syr_tur["windows"]["week"]["n_cooperative"] == sum(
        1 for s in counted if s["dyad"] == "SYR-TUR" and s["polarity"] == "cooperative")


async def test_dyads_agent_dead_letters_bad_signals_and_carries_on(wired: Any, seed_text: str) -> None:
    app, wired_topics, sent = wired
    await enrich(wired, [(b"seed", seed_message(seed_text))])
    key, signal = next((k, s) for k, s in sent.of("signals") if s["modality"] != "denied")
    metrics = WorkerMetrics()
    table: dict[str, Any] = {}
    dyads_agent = agents.register_dyads(app, wired_topics, table, metrics)  # type: ignore[arg-type]
    async with dyads_agent.test_context() as test_agent:
        await test_agent.put(b"\x00garbage", key=b"X-Y")
        await test_agent.put(codec.dumps({**signal, "polarity": "friendly"}), key=key)  # fails the schema
        await test_agent.put(codec.dumps(signal), key=key)
        await settle(lambda: sent.of("dyads"))
    assert [k for k, _ in sent.of("deadletter")] == [b"X-Y", key]
    assert metrics.registry.get_sample_value("wirewatch_dead_letters_total", {"stage": "dyads.decode"}) == 2
    assert list(table) == [signal["dyad"]]
