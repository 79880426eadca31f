"""Entry points of the ``poll`` command: one pass over the feeds, or forever.

Both restore every feed's state from ``wire.feeds`` before the first fetch (so a restart neither
republishes nor hammers publishers) and build the same ``Poller`` that ``PollerService`` runs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from wirewatch.ingest.archive import Archive
from wirewatch.ingest.fetch import make_client
from wirewatch.ingest.metrics import Metrics
from wirewatch.ingest.poller import FeedReport, Poller
from wirewatch.ingest.producer import ArticleSink
from wirewatch.ingest.state import load_states
from wirewatch.settings import Settings
from wirewatch.topics import ensure_topics


def make_executor(settings: Settings) -> Executor:
    """Parse processes (``WIREWATCH_PARSE_PROCESSES``, forkserver: safe beside threads), else 2 threads."""
    if settings.parse_processes > 0:
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        return ProcessPoolExecutor(settings.parse_processes, mp_context=multiprocessing.get_context(method))
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="feedparser")


@contextlib.asynccontextmanager
async def running_poller(settings: Settings, metrics: Metrics | None = None) -> AsyncIterator[Poller]:
    """A ready ``Poller`` (topics created, state restored, producer started); everything closed after."""
    await ensure_topics(settings)
    states = await load_states(settings)
    executor = make_executor(settings)
    archive = Archive(settings.archive_dir) if settings.archive_dir else None
    try:
        async with make_client(settings) as client, ArticleSink(settings) as sink:
            yield Poller(settings, sink, client, executor, states=states, metrics=metrics, archive=archive)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        if archive is not None:
            archive.close()


async def poll_once(settings: Settings) -> list[FeedReport]:
    """Poll every configured feed once and publish what is new; reports come back in feed order."""
    async with running_poller(settings) as poller:
        return await poller.poll_all(settings.feeds)


async def poll_forever(settings: Settings) -> None:
    """Poll on each feed's schedule until cancelled, with metrics on ``WIREWATCH_METRICS_PORT`` if set."""
    metrics = Metrics()
    if settings.metrics_port:
        metrics.serve(settings.metrics_port)
    async with running_poller(settings, metrics) as poller:
        await poller.run_forever(settings.feeds)
