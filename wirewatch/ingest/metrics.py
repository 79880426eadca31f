"""Prometheus metrics of the pollers, in a registry of their own so tests and benchmarks can make many."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

log = logging.getLogger(__name__)

_TIME_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """Polls, 304s, errors by kind, new/updated entries, fetch and parse time, buffer and broken feeds."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.polls = Counter("wirewatch_polls", "Feed checks, by outcome (ok, not_modified, error).",
                             ["outcome"], registry=r)
        self.errors = Counter("wirewatch_poll_errors", "Failed feed checks, by error kind.", ["kind"], registry=r)
        self.entries = Counter("wirewatch_entries", "Entries published, by change (new, updated).",
                               ["change"], registry=r)
        self.ill_formed = Counter("wirewatch_ill_formed_feeds", "Feeds read with a parse error (good entries kept).",
                                  registry=r)
        self.fetch_seconds = Histogram("wirewatch_fetch_seconds", "HTTP fetch time, 304s included.",
                                       buckets=_TIME_BUCKETS, registry=r)
        self.parse_seconds = Histogram("wirewatch_parse_seconds", "Parse and normalise time per changed feed.",
                                       buckets=_TIME_BUCKETS, registry=r)
        self.buffered = Gauge("wirewatch_buffered_articles", "Articles waiting for the broker (retry buffer).",
                              registry=r)
        self.broken = Gauge("wirewatch_broken_feeds", "Feeds failing for several checks in a row.", registry=r)

    def serve(self, port: int) -> bool:
        """Expose ``/metrics`` on ``port``; a busy port is logged, not fatal: polling matters more."""
        try:
            start_http_server(port, registry=self.registry)
        except OSError as exc:
            log.error("metrics not exposed: port %d (WIREWATCH_METRICS_PORT): %s", port, exc)
            return False
        log.info("metrics on http://0.0.0.0:%d/metrics", port)
        return True
