"""The Faust topic objects the agents read and write, named from ``Settings``."""

from __future__ import annotations

from dataclasses import dataclass

import faust

from wirewatch.settings import Settings


@dataclass(frozen=True, slots=True)
class Topics:
    """Handles on every topic the processors touch; values are raw bytes we encode with ``codec``."""

    articles: faust.TopicT
    enriched: faust.TopicT
    signals: faust.TopicT
    dyads: faust.TopicT
    alerts: faust.TopicT
    deadletter: faust.TopicT


def declare(app: faust.App, settings: Settings) -> Topics:
    def topic(name: str, compacted: bool = False) -> faust.TopicT:
        return app.topic(
            settings.topic(name),
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.partitions,
            compacting=compacted or None,
        )

    return Topics(
        articles=topic("articles"),
        enriched=topic("enriched"),
        signals=topic("signals"),
        dyads=topic("dyads", compacted=True),
        alerts=topic("alerts"),
        deadletter=topic("deadletter"),
    )
