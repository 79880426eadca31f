"""The rebalance order our consumer enforces: a stream partition is fetched only once seeked and flowing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from unittest.mock import AsyncMock, patch

import faust
import pytest
from faust.transport.consumer import Consumer as FaustConsumer
from faust.types import TP

from wirewatch.processors import transport

ARTICLES = TP("wire.articles", 0)
FRESH = TP("wire.articles", 1)
CHANGELOG = TP("app-dyad-state-changelog", 0)


@pytest.fixture()
async def consumer() -> AsyncIterator[Any]:
    app = faust.App("wirewatch-transport-test", broker="kafka://127.0.0.1:1", store="memory://",
                    autodiscover=False, loop=asyncio.get_running_loop())
    transport.install(app)
    app.finalize()
    built = app.consumer
    assert isinstance(built, transport._Consumer)  # noqa: SLF001
    built.app.topics._acking_topics.add(ARTICLES.topic)  # noqa: SLF001 - what subscribing an agent does
    with patch.object(type(built), "assignment", return_value={ARTICLES, FRESH, CHANGELOG}):
        built.pause_partitions({ARTICLES, FRESH, CHANGELOG})  # what Faust does on assignment
        yield built
    built._thread.thread_loop.close()  # noqa: SLF001 - the thread never started


async def committed_seek(consumer: Any) -> None:
    """Faust's seek, minus the broker: ARTICLES has a committed offset, FRESH has none."""
    consumer._committed_offset[ARTICLES] = 7  # noqa: SLF001


async def test_stream_partition_waits_for_the_seek_and_the_flow(consumer: Any) -> None:
    active = consumer._get_active_partitions  # noqa: SLF001
    consumer.resume_partitions({ARTICLES, FRESH, CHANGELOG})
    assert active() == {CHANGELOG}, "changelog partitions resume at once; stream partitions wait"

    consumer.resume_flow()
    assert active() == {CHANGELOG}, "the flow alone (table recovery) does not release an unseeked partition"

    beginning = AsyncMock()
    with patch.object(FaustConsumer, "perform_seek", side_effect=committed_seek, autospec=True), \
            patch.object(consumer._thread, "seek_to_beginning", beginning):  # noqa: SLF001
        await consumer.perform_seek()
    assert active() == {CHANGELOG}, "seeked, but the agents' queues are cleared only before the flow resumes"
    assert [tuple(tp) for tp in beginning.await_args.args] == [tuple(FRESH)], \
        "a partition without a committed offset is read from the beginning, not from wherever it was"

    consumer.resume_flow()
    assert active() == {ARTICLES, FRESH, CHANGELOG}


async def test_a_resume_after_the_seek_needs_another_seek(consumer: Any) -> None:
    active = consumer._get_active_partitions  # noqa: SLF001
    with patch.object(FaustConsumer, "perform_seek", side_effect=committed_seek, autospec=True), \
            patch.object(consumer._thread, "seek_to_beginning", AsyncMock()):  # noqa: SLF001
        await consumer.perform_seek()
        consumer.resume_partitions({ARTICLES})
        consumer.resume_flow()
        assert ARTICLES not in active()
        await consumer.perform_seek()
    consumer.resume_flow()
    assert ARTICLES in active()


async def test_revoked_partition_is_not_resumed(consumer: Any) -> None:
    consumer.resume_partitions({ARTICLES})
    with patch.object(FaustConsumer, "on_partitions_revoked", AsyncMock()):
        await consumer.on_partitions_revoked({ARTICLES})
    with patch.object(FaustConsumer, "perform_seek", side_effect=committed_seek, autospec=True), \
            patch.object(consumer._thread, "seek_to_beginning", AsyncMock()):  # noqa: SLF001
        await consumer.perform_seek()
    consumer.resume_flow()
    assert ARTICLES not in consumer._get_active_partitions()  # noqa: SLF001
