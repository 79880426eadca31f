"""A downstream consumer of Wirewatch topics in plain aiokafka, as the README's consumer guide describes.

    python examples/consumer.py --bootstrap 127.0.0.1:9092 --topic wire.enriched --group my-dashboard

It joins a consumer group (offsets committed after processing: at-least-once), routes on headers
without decoding, checks ``schema_version``, and deduplicates by key and revision: a message whose
(id, revision) was already handled, or that is older than the revision already handled, is skipped.
That makes redelivery after a crash, a replay, or a live poll and a replay of the same article harmless.
Only the standard library and aiokafka; JSON via ``json`` so it runs without Wirewatch installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import OrderedDict
from typing import Any

from aiokafka import AIOKafkaConsumer

SUPPORTED = {"article": 1, "enriched": 1, "signal": 1, "dyad": 1}


class Seen:
    """The highest revision handled per article id, for the last ``size`` ids (an LRU, so memory is bounded).

    Production consumers keep this in their own store (a table keyed by id), so that it survives restarts.
    """

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self.revisions: OrderedDict[str, int] = OrderedDict()

    def is_new(self, key: str, revision: int) -> bool:
        known = self.revisions.get(key)
        if known is not None and revision <= known:
            return False
        self.revisions[key] = revision
        self.revisions.move_to_end(key)
        if len(self.revisions) > self.size:
            self.revisions.popitem(last=False)
        return True


def handle(topic: str, key: str, value: dict[str, Any], headers: dict[str, str]) -> None:
    """Your code goes here; this prints one line per new article or revision."""
    origin = "replay" if headers.get("replay") == "1" else "live"
    print(json.dumps({"topic": topic, "key": key, "revision": value.get("revision", 0), "origin": origin,
                      "title": value.get("title"), "published": value.get("published")}), flush=True)


async def consume(args: argparse.Namespace) -> int:
    consumer = AIOKafkaConsumer(
        *args.topic, bootstrap_servers=args.bootstrap, group_id=args.group, enable_auto_commit=False,
        auto_offset_reset="earliest", key_deserializer=lambda k: k.decode() if k else "")
    seen = Seen()
    handled = 0
    await consumer.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = None if args.timeout is None else loop.time() + args.timeout
        while args.max is None or handled < args.max:
            if deadline is not None and loop.time() >= deadline:
                break
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
                    kind, _, version = headers.get("schema", "article/1").partition("/")
                    if kind in SUPPORTED and int(version or 1) > SUPPORTED[kind]:
                        print(f"skipping {record.topic}@{record.offset}: schema {kind}/{version} is newer than "
                              "this consumer; upgrade it", file=sys.stderr)
                        continue
                    try:
                        value = json.loads(record.value)
                    except (TypeError, ValueError):
                        continue  # tombstones (compacted topics) and anything undecodable
                    revision = int(value.get("revision", 0)) if isinstance(value, dict) else 0
                    if not seen.is_new(f"{record.topic}/{record.key}", revision):
                        continue
                    handle(record.topic, record.key, value, headers)
                    handled += 1
            if batches:
                await consumer.commit()  # after handling: a crash redelivers, never skips
    finally:
        await consumer.stop()
    return handled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", action="append", default=None, help="repeatable [wire.enriched]")
    parser.add_argument("--group", default="example-consumer")
    parser.add_argument("--max", type=int, help="exit after this many new messages")
    parser.add_argument("--timeout", type=float, help="exit after this many seconds")
    args = parser.parse_args()
    args.topic = args.topic or ["wire.enriched"]
    asyncio.run(consume(args))


if __name__ == "__main__":
    main()
