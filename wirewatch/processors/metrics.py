"""Prometheus metrics of the worker, beside Faust's own sensors, in one registry served at ``/metrics``."""

from __future__ import annotations

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from prometheus_client import CollectorRegistry, Counter, Histogram


class WorkerMetrics:
    """Articles enriched, signals by polarity, dead letters by stage, extraction time per batch."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.enriched = Counter("wirewatch_enriched_articles", "Articles enriched and acknowledged.", registry=r)
        self.signals = Counter("wirewatch_signals", "Signals published, by polarity.", ["polarity"], registry=r)
        self.dead_letters = Counter("wirewatch_dead_letters", "Messages sent to dead letter, by stage.", ["stage"],
                                    registry=r)
        self.dyad_updates = Counter("wirewatch_dyad_updates", "Dyad states published.", registry=r)
        self.alerts = Counter("wirewatch_alerts", "Alerts published.", registry=r)
        self.extraction_seconds = Histogram(
            "wirewatch_extraction_seconds", "Extraction time per batch of articles.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=r)

    def expose(self, app: faust.App) -> None:
        """Serve this registry, with Faust's event, commit and rebalance sensors, at ``/metrics``."""
        setup_prometheus_sensors(app, registry=self.registry, name_prefix="faust")
