"""End-to-end worker benchmark on a real broker: wirewatch worker vs a bare aiokafka passthrough.

Both read the same Article messages from a topic and write one message per input, awaiting acks:
the passthrough copies bytes (the floor any Kafka-to-Kafka hop costs here); the worker decodes,
validates, extracts actors and signals, and writes wire.enriched + wire.signals. Also reports the
broker-side latency (enriched timestamp minus article timestamp) of single articles on an idle worker.

    python benchmarks/bench_pipeline.py [--articles 2000] [--latency 30]

Uses the embedded broker on a free port unless KAFKA_BOOTSTRAP_SERVERS is set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_signals import make_articles  # noqa: E402

from wirewatch import broker, codec  # noqa: E402
from wirewatch.schemas.models import Article  # noqa: E402
from wirewatch.settings import from_env  # noqa: E402
from wirewatch.topics import ensure_topics  # noqa: E402


def articles(count: int) -> list[tuple[bytes, bytes]]:
    """(key, value) pairs of ~600-word Articles with distinct ids and realistic text."""
    out = []
    for i, text in enumerate(make_articles(count, 600)):
        article = Article(id=f"{i:032x}", feed="bench", source="Bench Wire", url=f"https://bench.test/{i}",
                          title=text[:60], summary="", text=text, published="2022-09-15T12:00:00Z",
                          fetched="2022-09-15T12:00:05Z", content_hash=f"{i:016x}")
        out.append((article.id.encode(), codec.dumps(asdict(article))))
    return out


@contextlib.contextmanager
def bootstrap() -> Iterator[str]:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    with broker.running(f"127.0.0.1:{broker.free_port()}") as embedded:
        yield embedded.bootstrap


async def produce(servers: str, topic: str, messages: list[tuple[bytes, bytes]]) -> list[int]:
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=5, max_request_size=4_000_000)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=v, key=k) for k, v in messages]
        return [(await f).timestamp for f in futures]
    finally:
        await producer.stop()


async def count_until(servers: str, topic: str, expected: int, timeout: float) -> list[tuple[bytes, int]]:
    """Read ``topic`` from the start until ``expected`` records; return (key, timestamp) of each."""
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=8_000_000)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # noqa: SLF001
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        seen: list[tuple[bytes, int]] = []
        deadline = time.monotonic() + timeout
        while len(seen) < expected and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                seen.extend((r.key, r.timestamp) for r in batch)
        return seen
    finally:
        await consumer.stop()


async def passthrough(servers: str, source: str, sink: str, expected: int) -> float:
    """Bare aiokafka consume -> produce -> await acks -> commit; return messages per second."""
    consumer = AIOKafkaConsumer(source, bootstrap_servers=servers, group_id=f"bench-{secrets.token_hex(3)}",
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=8_000_000)
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        done, started = 0, None
        while done < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            if not batches:
                continue
            started = started or time.perf_counter()
            futures = [await producer.send(sink, key=r.key, value=r.value) for b in batches.values() for r in b]
            await asyncio.gather(*futures)
            await consumer.commit()
            done += len(futures)
        return expected / (time.perf_counter() - (started or time.perf_counter()))
    finally:
        await producer.stop()
        await consumer.stop()


def start_worker(servers: str, prefix: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": servers, "WIREWATCH_TOPIC_PREFIX": prefix,
           "WIREWATCH_APP_ID": f"bench-{prefix.strip('.')}", "WIREWATCH_WEB_PORT": str(port),
           "WIREWATCH_LOG_LEVEL": "WARNING", "WIREWATCH_DATA_DIR": str(log.with_suffix(".data"))}
    process = subprocess.Popen([sys.executable, "-m", "wirewatch", "worker"], env=env,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, ValueError):
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json().get("assigned"):
                return process
        time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"worker not assigned in time; see {log}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--latency", type=int, default=30, help="single articles sent one at a time")
    args = parser.parse_args()
    messages = articles(args.articles)
    print(f"{len(messages)} articles, {sum(len(v) for _, v in messages) / len(messages) / 1024:.1f} KiB each")
    with bootstrap() as servers:
        prefix = f"bench{secrets.token_hex(2)}."
        settings = from_env({"KAFKA_BOOTSTRAP_SERVERS": servers, "WIREWATCH_TOPIC_PREFIX": prefix})
        await ensure_topics(settings)

        await produce(servers, settings.topic("articles"), messages)
        rate = await passthrough(servers, settings.topic("articles"), settings.topic("deadletter"), len(messages))
        print(f"bare aiokafka passthrough:   {rate:8.0f} msg/s")

        log = Path(f"/tmp/{prefix}worker.log")
        worker = start_worker(servers, prefix, broker.free_port(), log)
        try:
            started, started_epoch = time.perf_counter(), time.time()
            enriched = await count_until(servers, settings.topic("enriched"), len(messages), 600)
            elapsed = time.perf_counter() - started
            print(f"wirewatch worker (1 proc):   {len(enriched) / elapsed:8.0f} articles/s "
                  f"({len(enriched)} enriched in {elapsed:.1f}s, extraction on one core)")

            # The dyad agent is still folding the burst's signals; measure latency on an idle worker.
            previous = -1
            while (done := len(states := await count_until(servers, settings.topic("dyads"), 10**9, 2))) != previous:
                previous = done
            signals = len(await count_until(servers, settings.topic("signals"), 10**9, 2))
            folded = max((ts for _, ts in states), default=0) / 1000 - started_epoch
            print(f"dyad agent: {signals} signals folded into {done} wire.dyads messages, "
                  f"the last {folded:.1f}s after the burst began")
            latencies = []
            single = articles(args.articles + args.latency)[args.articles:]
            for key, value in single:
                [sent_at] = await produce(servers, settings.topic("articles"), [(key, value)])
                out = await count_until(servers, settings.topic("enriched"), len(enriched) + len(latencies) + 1, 30)
                latencies.append(next(ts for k, ts in out if k == key) - sent_at)
            latencies.sort()
            print(f"latency article -> enriched (broker timestamps, idle worker, n={len(latencies)}): "
                  f"p50 {statistics.median(latencies):.0f} ms, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms")
        finally:
            worker.terminate()
            worker.wait(60)


if __name__ == "__main__":
    asyncio.run(main())
