"""The pollers as a ``mode`` service, so ``wirewatch run`` supervises them beside the Faust worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka.errors import KafkaError
from mode import Service

from wirewatch.ingest.errors import ProduceError
from wirewatch.ingest.metrics import Metrics
from wirewatch.ingest.poller import Poller
from wirewatch.ingest.run import running_poller
from wirewatch.settings import Settings

log = logging.getLogger(__name__)


class PollerService(Service):
    """Polls every configured feed forever; waits for the broker first, since state lives there."""

    def __init__(self, settings: Settings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.metrics = Metrics()
        self.poller: Poller | None = None

    async def on_start(self) -> None:
        if self.settings.metrics_port:
            self.metrics.serve(self.settings.metrics_port)

    @Service.task
    async def _poll_forever(self) -> None:
        delay = 1.0
        while not self.should_stop:
            try:
                async with running_poller(self.settings, self.metrics) as poller:
                    self.poller = poller
                    await poller.run_forever(self.settings.feeds)
            except (ProduceError, KafkaError, OSError) as exc:
                log.warning("pollers wait for the broker (%s); retrying in %.0fs", exc, delay)
                with contextlib.suppress(asyncio.TimeoutError):
                    await self.sleep(delay)
                delay = min(delay * 2, 60.0)
