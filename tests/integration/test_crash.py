"""A worker killed mid-batch loses nothing: its replacement re-processes the uncommitted tail.

The replacement takes over partitions with committed offsets and a changelog to recover, the rebalance path
where Faust once delivered records before seeking to the committed offsets and then committed past them
(see ``wirewatch/processors/transport.py``).
"""

from __future__ import annotations

import signal
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from tests.integration.conftest import Env, read_until, stop_process, wait_healthy, wirewatch
from wirewatch import broker, codec
from wirewatch.processors.extract import article_from_text

pytestmark = pytest.mark.integration
ARTICLES = 400


def start_worker(variables: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    variables = {**variables, "WIREWATCH_WEB_PORT": str(broker.free_port())}
    with log.open("ab") as out:
        process = subprocess.Popen(wirewatch("worker"), env=variables, stdout=out, stderr=subprocess.STDOUT)
    wait_healthy(int(variables["WIREWATCH_WEB_PORT"]), process)
    return process


async def committed(bootstrap: str, group: str, topic: str) -> dict[int, int | None]:
    """The group's committed offset of each partition of ``topic``."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # noqa: SLF001
        partitions = consumer.partitions_for_topic(topic) or set()
        return {p: await consumer.committed(TopicPartition(topic, p)) for p in sorted(partitions)}
    finally:
        await consumer.stop()


async def test_killed_worker_loses_no_article(env: Env, seed_text: str, tmp_path: Path) -> None:
    prefix = f"{env.prefix}crash."
    variables = {**env.vars, "WIREWATCH_TOPIC_PREFIX": prefix, "WIREWATCH_APP_ID": f"crash-{env.prefix}",
                 "WIREWATCH_DATA_DIR": str(tmp_path / "faust-data")}
    log = tmp_path / "workers.log"
    first = start_worker(variables, log)
    seed = article_from_text(Path("seed.txt"), seed_text)
    ids = [f"{i:032x}" for i in range(ARTICLES)]
    producer = AIOKafkaProducer(bootstrap_servers=env.bootstrap, acks="all")
    await producer.start()
    try:
        for article_id in ids:
            value = codec.dumps({**asdict(seed), "id": article_id, "published": "2022-09-15T14:30:00Z"})
            await producer.send(f"{prefix}articles", value=value, key=article_id.encode())
        await producer.flush()
    finally:
        await producer.stop()

    enriched = f"{prefix}enriched"
    before = await read_until(env.bootstrap, enriched, lambda r: len(r) >= 20, 120)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    at_kill = await committed(env.bootstrap, variables["WIREWATCH_APP_ID"], f"{prefix}articles")
    done_before_kill = len(before)
    assert done_before_kill < ARTICLES, "the worker finished before it could be killed; raise ARTICLES"

    started = time.monotonic()
    second = start_worker(variables, log)
    try:
        records = await read_until(env.bootstrap, enriched, lambda r: {x.key.decode() for x in r} >= set(ids), 180)
        print(f"replacement assigned and caught up {time.monotonic() - started:.1f}s after the kill; "
              f"{len(records) - ARTICLES} articles re-processed (at-least-once)")
    finally:
        stop_process(second)
    missing = set(ids) - {x.key.decode() for x in records}
    if missing:  # say whether the article was never enriched or the reader missed it
        again = await read_until(env.bootstrap, enriched, lambda r: missing <= {x.key.decode() for x in r}, 20)
        sources = await read_until(env.bootstrap, f"{prefix}articles", lambda r: len(r) >= ARTICLES, 20)
        found = missing & {x.key.decode() for x in again}
        where = {x.key.decode(): (x.partition, x.offset) for x in sources if x.key.decode() in missing}
        gaps = [line for line in log.read_text(errors="replace").splitlines() if "missing from the fetched" in line]
        raise AssertionError(f"{len(missing)} never read from {enriched}; found on a second read: {len(found)}; "
                             f"input positions {where}; committed at kill {at_kill}; "
                             f"read {len(records)} then {len(again)} records; gaps the workers logged: {gaps}")
    assert (tmp_path / "faust-data").is_dir(), "the workers keep Faust's data directory where they were told"
