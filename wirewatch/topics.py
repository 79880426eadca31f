"""Every topic Wirewatch uses, with its partitions and cleanup policy, created explicitly at start.

Tansu (and production clusters with auto-creation off) need topics to exist with the right shape
before anything names them; a topic auto-created with the wrong partition count breaks Faust tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from wirewatch.settings import Settings


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic's logical name, shape and retention."""

    name: str
    compacted: bool = False


SPECS = (
    TopicSpec("articles"),
    TopicSpec("enriched"),
    TopicSpec("signals"),
    TopicSpec("dyads", compacted=True),
    TopicSpec("feeds", compacted=True),
    TopicSpec("alerts"),
    TopicSpec("deadletter"),
)


async def ensure_topics(settings: Settings) -> list[str]:
    """Create any missing topic; return the names created. Existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [
            NewTopic(
                name=settings.topic(spec.name),
                num_partitions=settings.partitions,
                replication_factor=settings.replication_factor,
                topic_configs={"cleanup.policy": "compact"} if spec.compacted else {},
            )
            for spec in SPECS
            if settings.topic(spec.name) not in existing
        ]
        if new:
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in new]
    finally:
        await admin.close()
