"""The Faust tables: per-dyad rolling state, changelogged so a restarted worker recovers it."""

from __future__ import annotations

import faust

from wirewatch.settings import Settings


def declare(app: faust.App, settings: Settings) -> faust.Table:
    """The dyad-state table, co-partitioned with ``wire.signals`` (both keyed by dyad)."""
    return app.Table(
        "dyad-state",
        default=None,
        partitions=settings.partitions,
        key_type=str,
        value_type=dict,
        help="Day buckets of cooperative/hostile Goldstein sums per dyad; see processors/dyads.py.",
    )
