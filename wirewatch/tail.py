"""Read a topic the way a downstream consumer would, without joining a consumer group."""

from __future__ import annotations

import time
from typing import BinaryIO

from aiokafka import AIOKafkaConsumer, TopicPartition

from wirewatch import codec
from wirewatch.errors import WirewatchError
from wirewatch.settings import Settings


async def tail(
    settings: Settings,
    topic: str,
    out: BinaryIO,
    from_beginning: bool = False,
    max_messages: int | None = None,
    timeout: float | None = None,
    with_keys: bool = False,
) -> int:
    """Write each message as one JSON line to ``out``; return how many were written."""
    # The reset policy must match the seek below: assign() schedules a reset with this policy, and if it
    # lands after seek_to_beginning() the consumer silently starts at the end (seen under load).
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest" if from_beginning else "latest")
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()  # noqa: SLF001
            partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise WirewatchError(f"topic {topic!r} does not exist on {settings.bootstrap}")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        else:
            await consumer.seek_to_end(*tps)
        deadline = None if timeout is None else time.monotonic() + timeout
        seen = 0
        while max_messages is None or seen < max_messages:
            wait = 1.0 if deadline is None else deadline - time.monotonic()
            if wait <= 0:
                break
            batches = await consumer.getmany(timeout_ms=int(min(wait, 1.0) * 1000))
            for records in batches.values():
                for record in records:
                    out.write(_line(record, with_keys) + b"\n")
                    seen += 1
                    if max_messages is not None and seen >= max_messages:
                        break
                if max_messages is not None and seen >= max_messages:
                    break
            out.flush()
        return seen
    finally:
        await consumer.stop()


def _line(record: object, with_keys: bool) -> bytes:
    value = record.value  # type: ignore[attr-defined]
    try:
        decoded = codec.loads(value) if value is not None else None
    except ValueError:
        decoded = {"undecodable": value.decode("utf-8", "replace")}
    if not with_keys:
        return codec.dumps(decoded)
    key = record.key  # type: ignore[attr-defined]
    return codec.dumps({
        "key": key.decode("utf-8", "replace") if key is not None else None,
        "partition": record.partition,  # type: ignore[attr-defined]
        "offset": record.offset,  # type: ignore[attr-defined]
        "headers": {k: v.decode("utf-8", "replace") for k, v in record.headers or ()},  # type: ignore[attr-defined]
        "value": decoded,
    })
