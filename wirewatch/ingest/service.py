"""The pollers as a ``mode`` service, so ``wirewatch run`` supervises them beside the Faust worker."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from mode import Service

from wirewatch.ingest.fetch import make_client
from wirewatch.ingest.poller import Poller
from wirewatch.ingest.producer import ArticleSink
from wirewatch.settings import Settings


class PollerService(Service):
    """Polls every configured feed forever; stopping closes the HTTP client and flushes the producer."""

    def __init__(self, settings: Settings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="feedparser")

    async def on_start(self) -> None:
        self.client = make_client(self.settings)
        self.sink = ArticleSink(self.settings)
        await self.sink.start()
        self.poller = Poller(self.settings, self.sink, self.client, self.executor)

    @Service.task
    async def _poll_forever(self) -> None:
        await self.poller.run_forever(self.settings.feeds)

    async def on_stop(self) -> None:
        await self.sink.stop()
        await self.client.aclose()
        self.executor.shutdown(wait=False, cancel_futures=True)
