"""Entry points of the ``poll`` command: one pass over the feeds, or forever."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from wirewatch.ingest.fetch import make_client
from wirewatch.ingest.poller import FeedReport, Poller
from wirewatch.ingest.producer import ArticleSink
from wirewatch.settings import Settings
from wirewatch.topics import ensure_topics


async def poll_once(settings: Settings) -> list[FeedReport]:
    """Poll every configured feed once and publish what is new; reports come back in feed order."""
    await ensure_topics(settings)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="feedparser") as executor:
        async with make_client(settings) as client, ArticleSink(settings) as sink:
            return await Poller(settings, sink, client, executor).poll_all(settings.feeds)


async def poll_forever(settings: Settings) -> None:
    """Poll on each feed's schedule until cancelled."""
    await ensure_topics(settings)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="feedparser") as executor:
        async with make_client(settings) as client, ArticleSink(settings) as sink:
            await Poller(settings, sink, client, executor).run_forever(settings.feeds)
