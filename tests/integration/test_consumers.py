"""Downstream consumers read our topics: librdkafka (confluent-kafka, not Python's Kafka code) and the example.

Articles are replayed onto a topic prefix of their own, once live-shaped and once again (a replay of
the same archive), so the consumers see duplicates they must absorb by key and revision.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from tests.feedserver import rss
from tests.integration.conftest import Env
from wirewatch import codec, schemas
from wirewatch.ingest.replay import ReplayOptions, replay
from wirewatch.settings import Settings, from_env

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "consumer.py"
ITEMS = [{"title": f"Consumed {i}", "guid": f"consumed-{i}", "description": f"Body {i}",
          "pubDate": f"Mon, 0{i + 1} May 2023 08:00:00 +0000"} for i in range(5)]


async def published(env: Env, tmp_path: Path, name: str, times: int) -> Settings:
    """Replay a small feed ``times`` times onto the prefix ``name``; return its settings."""
    settings = replace(from_env({**env.vars, "WIREWATCH_TOPIC_PREFIX": f"{env.prefix}{name}."}), parse_processes=0)
    (tmp_path / "wire.rss").write_bytes(rss(ITEMS, link="https://consumers.test/"))
    for run in range(times):
        summary = await replay(settings, ReplayOptions((tmp_path / "wire.rss",), progress=False,
                                                       checkpoint=tmp_path / f"cp{run}.json"))
        assert summary.sent == len(ITEMS)
    return settings


def read_with_librdkafka(bootstrap: str, topic: str, partitions: int, want: int, timeout: float = 30) -> list:
    """Assign every partition from the beginning (no group join) and poll until ``want`` messages."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "wirewatch-test-librdkafka",
                         "enable.auto.commit": False, "api.version.request": True})
    messages = []
    try:
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        deadline = time.monotonic() + timeout
        while len(messages) < want and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            messages.append(message)
    finally:
        consumer.close()
    return messages


async def test_librdkafka_reads_articles_keys_headers_and_schema(env: Env, tmp_path: Path) -> None:
    settings = await published(env, tmp_path, "consumers-rdkafka", times=1)
    messages = await asyncio.to_thread(read_with_librdkafka, env.bootstrap, settings.topic("articles"),
                                       settings.partitions, len(ITEMS))
    assert len(messages) == len(ITEMS)
    for message in messages:
        value = codec.loads(message.value())
        schemas.validate("article", value)  # gzip-compressed batches, JSON values, as documented
        assert message.key().decode() == value["id"]
        headers = {k: v.decode() for k, v in message.headers()}
        assert headers == {"feed": "wire", "source": "Test wire", "schema": "article/1", "replay": "1"}
    assert {codec.loads(m.value())["title"] for m in messages} == {i["title"] for i in ITEMS}


async def test_example_consumer_deduplicates_by_key_and_revision(env: Env, tmp_path: Path) -> None:
    settings = await published(env, tmp_path, "consumers-example", times=2)  # every article twice
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLE), "--bootstrap", env.bootstrap, "--topic", settings.topic("articles"),
        "--group", f"{env.prefix}example", "--timeout", "15",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    lines = [codec.loads(line) for line in out.splitlines()]
    assert sorted(line["title"] for line in lines) == sorted(i["title"] for i in ITEMS), err.decode()[-2000:]
    assert all(line["origin"] == "replay" for line in lines)
