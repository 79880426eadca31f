"""Faust's aiokafka transport with a configurable fetch wait and an at-least-once fix to its rebalance path.

Fetch wait: Faust hard-codes ``fetch_max_wait_ms=1500``. Tansu (measured, 0.6) holds every fetch for the
full wait even when records arrive, so each article sat 0.5–1.3 s in the consumer; 100 ms keeps the
end-to-end latency near the processing time at the cost of a few more idle fetch requests.

Rebalance: after a (re)assignment, the installed Faust (0.15.3) resumes the stream partitions *before*
seeking them to their committed offsets (``Recovery.on_recovery_completed`` and ``_resume_streams``;
upstream fixed that order in faust-streaming PR #217). While the seek's OffsetFetch is in flight the
fetcher already delivers records from those partitions; the seek then rewinds Faust's read offset, the
flow resume clears the agents' queues (dropping the records just delivered), and the records still in
the fetched batch arrive after a jump that Faust takes for a *gap*: it counts the skipped offsets as
processed, commits past them, and drops them when they are fetched again. A worker taking over a
partition lost 1–4 articles that way (the crash test; see README, Delivery guarantees). ``_Consumer``
therefore holds a stream partition back until it has been seeked and the flow resumed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aiokafka
import faust
from faust.transport.drivers import aiokafka as driver
from faust.types import TP

FETCH_MAX_WAIT_MS = 100


class _ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # noqa: SLF001 - read when its fetcher starts
        return consumer


class _Consumer(driver.Consumer):
    """Resumes a stream partition only once it sits at its committed offset and the agents' queues were cleared.

    Stream partitions are those of acknowledged topics (the agents' inputs); changelog partitions are
    positioned by table recovery and pass through unchanged.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: Stream partitions Faust asked to resume that have not been seeked since.
        self._awaiting_seek: set[TP] = set()
        #: Stream partitions seeked to their committed offsets, to resume with the flow.
        self._awaiting_flow: set[TP] = set()
        super().__init__(*args, **kwargs)

    def _is_stream(self, tp: TP) -> bool:
        return bool(self.app.topics.acks_enabled_for(tp.topic))

    def resume_partitions(self, tps: Iterable[TP]) -> None:
        """Resume changelog partitions now; hold stream partitions until ``perform_seek`` positioned them."""
        wanted = set(tps)
        held = {tp for tp in wanted if self._is_stream(tp)}
        self._awaiting_seek |= held
        self._awaiting_flow -= held
        super().resume_partitions(wanted - held)

    async def perform_seek(self) -> None:
        """Seek to the committed offsets; a held partition with none starts from the beginning.

        aiokafka seeks only to a committed offset above 0, so a partition without one keeps whatever
        position it had; records delivered from it before this seek would be dropped by the flow resume
        and never fetched again. The app reads from the earliest offset when its group has none.
        """
        seeking = set(self._awaiting_seek)
        await super().perform_seek()
        fresh = [tp for tp in seeking if not self._committed_offset[tp] and tp in self.assignment()]
        if fresh:
            await self._thread.seek_to_beginning(*driver.ensure_aiokafka_TPset(fresh))
        self._awaiting_seek -= seeking
        self._awaiting_flow |= seeking

    def resume_flow(self) -> None:
        """Resume the flow, then the stream partitions seeked since they were asked for.

        Faust clears the agents' queues just before it resumes the flow, so records fetched from here on
        are the first the agents see of those partitions.
        """
        super().resume_flow()
        if self._awaiting_flow:
            ready = self._awaiting_flow & self.assignment()
            self._awaiting_flow.clear()
            super().resume_partitions(ready)

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        self._awaiting_seek -= revoked
        self._awaiting_flow -= revoked
        await super().on_partitions_revoked(revoked)

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Warn, then let Faust record the gap: our input topics are contiguous, so one means a fault.

        Faust counts the offsets missing from the fetched sequence as processed, which steps over records
        that compaction or retention removed; a gap caused by records skipped in transit would be committed
        past unprocessed, so it deserves a line in the log.
        """
        self.log.warning("offsets %d-%d of %s missing from the fetched sequence; Faust treats them as done",
                         offset_from, offset_to - 1, tp)
        await super()._add_gap(tp, offset_from, offset_to)

    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(driver.Transport):
    """Use as ``app.transport = Transport(app.conf.broker_consumer, app)``."""

    Consumer = _Consumer


def install(app: faust.App) -> None:
    """Give ``app`` the short-fetch-wait, rebalance-safe transport before anything builds the default one."""
    app.transport = Transport(app.conf.broker_consumer, app)
