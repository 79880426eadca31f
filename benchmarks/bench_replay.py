"""Replay throughput next to a bare aiokafka producer sending the same bytes, and replay's peak memory.

    python benchmarks/bench_replay.py [--articles 100000] [--memory-sizes 100000,300000] [--feed-articles 20000]

1. Throughput: an archive of ``--articles`` Article JSON lines (as ``wirewatch tail`` writes them) is
   replayed end to end (read, external sort, merge, dedup, produce with acks=all, checkpoint), and the
   same keys, values and headers are sent by a bare ``AIOKafkaProducer`` loop with the same producer
   configuration, in the same run, against the same broker.
2. Parse-bound input: ``--feed-articles`` articles in the pollers' archive format (feed documents of
   50 items), replayed through feedparser in ``WIREWATCH_PARSE_PROCESSES`` processes.
3. Memory: ``wirewatch replay`` as a child process at each of ``--memory-sizes``; peak RSS of the
   replay and its parse processes (``wait4``), to show it does not grow with the archive.

Broker: ``KAFKA_BOOTSTRAP_SERVERS`` when set, else the embedded broker on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wirewatch import broker, codec
from wirewatch.ingest.archive import record as archive_record
from wirewatch.ingest.producer import make_producer, message_headers
from wirewatch.ingest.replay import PRODUCER_OVERRIDES, ReplayOptions, replay
from wirewatch.ingest.sources.records import check_article
from wirewatch.settings import Settings, from_env
from wirewatch.topics import ensure_topics

WORDS = ("minister talks border ceasefire envoy summit sanctions trade pipeline delegation refugees security "
         "agreement parliament election protest army rebels drone strike embassy visit negotiations aid").split()


def article(i: int, rng: random.Random) -> dict:
    text = " ".join(rng.choice(WORDS) for _ in range(120))
    return {"id": f"{i:032x}", "feed": f"feed-{i % 50}", "source": f"Source {i % 50}", "url": f"https://n.test/{i}",
            "title": " ".join(rng.choice(WORDS) for _ in range(8)), "summary": text[:200], "text": text,
            "published": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
            "fetched": "2024-01-01T00:00:00Z", "language": "en", "authors": [], "tags": ["bench"], "revision": 0,
            "content_hash": f"{i:016x}", "schema_version": 1}


def write_lines(path: Path, count: int) -> None:
    rng = random.Random(count)
    with gzip.open(path, "wb", compresslevel=1) as out:
        for i in range(count):
            out.write(codec.dumps(article(i, rng)) + b"\n")


def write_pollers_archive(path: Path, count: int) -> None:
    from tests.feedserver import rss

    rng = random.Random(7)
    with path.open("wb") as out:
        for doc in range(count // 50):
            items = [{"title": f"Story {doc}-{k}", "guid": f"g-{doc}-{k}",
                      "description": " ".join(rng.choice(WORDS) for _ in range(80)),
                      "pubDate": f"Mon, {1 + k % 28:02d} May 2023 {doc % 24:02d}:{k:02d}:00 +0000"} for k in range(50)]
            body = rss(items, title=f"Wire {doc % 20}", link=f"https://w{doc % 20}.test/")
            rec = archive_record(f"wire-{doc % 20}", f"https://w{doc % 20}.test/rss", "2023-05-30T00:00:00Z", 200,
                                 {"content-type": "application/rss+xml"}, body)
            out.write(gzip.compress(codec.dumps(rec) + b"\n", compresslevel=1))


async def bare_producer(settings: Settings, path: Path) -> tuple[int, float]:
    """The baseline: the same keys, values and headers, one ``send`` each, then every ack awaited."""
    messages = []
    with gzip.open(path, "rb") as lines:
        for line in lines:
            a = check_article(codec.loads(line))
            messages.append((a["id"].encode(), codec.dumps(a), message_headers(a["feed"], a["source"], 1, replay=True)))
    producer = make_producer(settings, enable_idempotence=False, **PRODUCER_OVERRIDES)
    await producer.start()
    topic = settings.topic("articles")
    try:
        started = time.perf_counter()
        futures = [await producer.send(topic, value=v, key=k, headers=h) for k, v, h in messages]
        await asyncio.gather(*futures)
        return len(messages), time.perf_counter() - started
    finally:
        await producer.stop()


def vm_hwm(pid: int) -> float:
    """Peak resident memory of one live process, MiB (``VmHWM``)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def descendants(pid: int) -> list[int]:
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return children + [d for c in children for d in descendants(c)]


def peak_rss_of_replay(env: dict[str, str], path: Path, checkpoint: Path) -> tuple[float, float, float, int]:
    """Seconds, peak RSS (MiB) of the replay process and of its largest parse process, and the exit status."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "wirewatch", "replay", str(path), "--no-progress",
                                "--checkpoint", str(checkpoint)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    main_peak = worker_peak = 0.0
    while process.poll() is None:
        main_peak = max(main_peak, vm_hwm(process.pid))
        worker_peak = max([worker_peak, *map(vm_hwm, descendants(process.pid))])
        time.sleep(0.05)
    return time.perf_counter() - started, main_peak, worker_peak, process.returncode


async def main(args: argparse.Namespace, bootstrap: str) -> None:
    tag = secrets.token_hex(3)
    base_env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "WIREWATCH_LOG_LEVEL": "WARNING"}
    settings = lambda name: from_env({**base_env, "WIREWATCH_TOPIC_PREFIX": f"bench{tag}.{name}."})  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        work = Path(tmp)
        lines = work / "articles.jsonl.gz"
        write_lines(lines, args.articles)
        bare, replayed = settings("bare"), settings("replay")
        await ensure_topics(bare)
        await ensure_topics(replayed)
        sent, seconds = await bare_producer(bare, lines)
        bare_rate = sent / seconds
        started = time.perf_counter()
        summary = await replay(replayed, ReplayOptions((lines,), checkpoint=work / "cp.json", progress=False))
        replay_seconds = time.perf_counter() - started
        replay_rate = summary.sent / replay_seconds
        print(f"articles (JSON lines): {summary.sent:,} replayed in {replay_seconds:.1f}s = {replay_rate:,.0f}/s "
              f"end to end (read, sort, merge, produce, acks, checkpoint; reading and sorting {summary.reading:.1f}s, "
              f"sending {replay_seconds - summary.reading:.1f}s = {summary.sent / (replay_seconds - summary.reading):,.0f}/s); bare aiokafka producer, same bytes and "
              f"config: {sent:,} in {seconds:.1f}s = {bare_rate:,.0f}/s; replay/bare = {replay_rate / bare_rate:.0%}")

        if args.feed_articles:
            archive = work / "2023-05-30.jsonl.gz"
            write_pollers_archive(archive, args.feed_articles)
            feeds = settings("feeds")
            started = time.perf_counter()
            summary = await replay(feeds, ReplayOptions((archive,), checkpoint=work / "cpf.json", progress=False))
            took = time.perf_counter() - started
            print(f"pollers' archive (feed documents, {feeds.parse_processes} parse processes): "
                  f"{summary.sent:,} articles from {summary.documents:,} documents in {took:.1f}s = "
                  f"{summary.sent / took:,.0f}/s")

        for size in args.memory_sizes:
            path = work / f"mem-{size}.jsonl.gz"
            write_lines(path, size)
            env = {**base_env, "WIREWATCH_TOPIC_PREFIX": f"bench{tag}.mem{size}."}
            took, peak, worker, status = peak_rss_of_replay(env, path, work / f"cp-{size}.json")
            size_mb = path.stat().st_size / 2**20
            print(f"memory: {size:,} articles ({size_mb:.0f} MiB gzipped) replayed by the CLI in {took:.1f}s, "
                  f"peak RSS {peak:.0f} MiB (largest child process {worker:.0f} MiB) (exit {status})")
            path.unlink()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--feed-articles", type=int, default=20_000)
    parser.add_argument("--memory-sizes", default="100000,300000")
    args = parser.parse_args()
    args.memory_sizes = [int(s) for s in args.memory_sizes.split(",") if s]
    configured = from_env().bootstrap_servers
    if configured:
        asyncio.run(main(args, configured))
        return
    with broker.running(f"127.0.0.1:{broker.free_port()}") as embedded:
        asyncio.run(main(args, embedded.bootstrap))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    cli()
