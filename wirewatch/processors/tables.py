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
        # No value_type: values are plain dicts in the app's orjson codec; a value_type of ``dict`` would
        # make changelog recovery look for a faust.Record (``dict.from_data``) and fail on every entry.
        help="Day buckets of cooperative/hostile Goldstein sums per dyad; see processors/dyads.py.",
    )
