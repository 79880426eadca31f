"""Per-feed poller state, kept in the compacted ``wire.feeds`` topic (key: feed name) across restarts.

Kafka is already the one durable store the pollers need and ``wire.feeds`` is compacted, so the latest
state of each feed survives without a database or a volume: start reads the topic to its end (last
value per key wins), each poll writes the feed's new state after its articles were acknowledged.

``seen`` maps article id -> (content hash, revision, last seen, epoch seconds); an id is forgotten when
the feed has not shown it for ``SEEN_RETENTION`` seconds, and at most ``SEEN_LIMIT`` are kept per feed,
so one message stays far below Kafka's 1 MB default limit.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from wirewatch import codec
from wirewatch.ingest.errors import ProduceError
from wirewatch.ingest.fetch import Validators
from wirewatch.schemas.models import Article
from wirewatch.settings import Settings

log = logging.getLogger(__name__)

STATE_VERSION = 1
SEEN_RETENTION = 90 * 86400.0
SEEN_LIMIT = 5000
#: ``auto_offset_reset`` is "earliest" because assign() schedules a reset with that policy that can land
#: after seek_to_beginning() under load, silently starting at the end (seen: a restarted poller lost state).
#: Tansu 0.6 can report end offsets below the true end (measured: 31 for 42 records in 31 batches), so a
#: partition is finished only when its position has reached the reported end AND a fetch then comes back
#: empty; and a partition that stays empty this many fetches in a row (0.5 s each) is finished too.
IDLE_ROUNDS = 6


def iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


def from_iso(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


@dataclass
class FeedState:
    """What we remember about one feed between polls (and, except ``pending``, across restarts)."""

    configured_url: str = ""
    current_url: str | None = None  # target of a permanent redirect, used until the configured URL changes
    validators: Validators = field(default_factory=Validators)
    seen: dict[str, tuple[str, int, float]] = field(default_factory=dict)
    last_status: int | None = None
    last_error: str | None = None
    error_kind: str | None = None
    consecutive_errors: int = 0
    last_check: datetime | None = None
    last_success: datetime | None = None
    next_check: datetime | None = None
    problem: str | None = None
    published: int = 0
    pending: list[Article] = field(default_factory=list)  # acknowledged by no broker yet; never persisted

    @property
    def entries_seen(self) -> int:
        return len(self.seen)

    def remember(self, articles: list[Article], now: float) -> None:
        """Record delivered (or buffered) articles as seen, then forget the oldest beyond the limits."""
        for article in articles:
            self.seen[article.id] = (article.content_hash, article.revision, now)
        self.prune(now)

    def touch(self, ids: list[str], now: float) -> None:
        """Entries still in the feed stay remembered."""
        for article_id in ids:
            known = self.seen.get(article_id)
            if known is not None:
                self.seen[article_id] = (known[0], known[1], now)

    def prune(self, now: float) -> None:
        horizon = now - SEEN_RETENTION
        keep = [(k, v) for k, v in self.seen.items() if v[2] >= horizon]
        if len(keep) > SEEN_LIMIT:
            keep = sorted(keep, key=lambda kv: kv[1][2])[-SEEN_LIMIT:]
        if len(keep) != len(self.seen):
            self.seen = dict(keep)

    def to_dict(self, feed: str, broken: bool) -> dict[str, Any]:
        """The ``wire.feeds`` value: health for ``wirewatch feeds``, and what a restart needs."""
        return {
            "schema_version": STATE_VERSION,
            "feed": feed,
            "url": self.configured_url,
            "current_url": self.current_url,
            "etag": self.validators.etag,
            "last_modified": self.validators.last_modified,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "error_kind": self.error_kind,
            "consecutive_errors": self.consecutive_errors,
            "broken": broken,
            "last_check": iso(self.last_check),
            "last_success": iso(self.last_success),
            "next_check": iso(self.next_check),
            "problem": self.problem,
            "published": self.published,
            "entries_seen": self.entries_seen,
            "seen": {k: [h, r, int(t)] for k, (h, r, t) in self.seen.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedState:
        return cls(
            configured_url=str(data.get("url") or ""),
            current_url=data.get("current_url"),
            validators=Validators(data.get("etag"), data.get("last_modified")),
            seen={k: (str(v[0]), int(v[1]), float(v[2])) for k, v in (data.get("seen") or {}).items()},
            last_status=data.get("last_status"),
            last_error=data.get("last_error"),
            error_kind=data.get("error_kind"),
            consecutive_errors=int(data.get("consecutive_errors") or 0),
            last_check=from_iso(data.get("last_check")),
            last_success=from_iso(data.get("last_success")),
            next_check=from_iso(data.get("next_check")),
            problem=data.get("problem"),
            published=int(data.get("published") or 0),
        )


def encode(feed: str, state: FeedState, broken: bool) -> bytes:
    return codec.dumps(state.to_dict(feed, broken))


async def read_states(settings: Settings, timeout: float = 60.0) -> dict[str, dict[str, Any]]:
    """The latest ``wire.feeds`` value per feed, read to the end offsets at call time (no group)."""
    topic = settings.topic("feeds")
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
                                client_id=f"{settings.app_id}-feeds-state", max_partition_fetch_bytes=4 << 20)
    try:
        await consumer.start()
    except KafkaError as exc:
        raise ProduceError(f"cannot read {topic} to restore poller state: {exc}") from exc
    states: dict[str, dict[str, Any]] = {}
    try:
        if topic not in await consumer.topics():  # a metadata request for every topic, without joining a group
            return states
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(tps)
        end = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning(*tps)
        remaining = set(tps)
        idle = dict.fromkeys(remaining, 0)
        deadline = time.monotonic() + timeout
        while remaining:
            if time.monotonic() > deadline:
                raise ProduceError(f"reading {topic} did not reach its end within {timeout:g}s")
            batches = await consumer.getmany(*remaining, timeout_ms=500)
            for tp in list(remaining):
                records = batches.get(tp) or []
                for record in records:
                    key = record.key.decode() if record.key else ""
                    if record.value is None:
                        states.pop(key, None)
                    else:
                        states[key] = codec.loads(record.value)
                idle[tp] = 0 if records else idle[tp] + 1
                at_end = await consumer.position(tp) >= end[tp]
                if (at_end and idle[tp]) or idle[tp] >= IDLE_ROUNDS:
                    remaining.discard(tp)
        return states
    finally:
        await consumer.stop()


async def load_states(settings: Settings) -> dict[str, FeedState]:
    """Restore every feed's ``FeedState`` from ``wire.feeds``."""
    raw = await read_states(settings)
    states = {}
    for name, data in raw.items():
        try:
            states[name] = FeedState.from_dict(data)
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            log.warning("ignoring unreadable state of feed %s on %s: %s", name, settings.topic("feeds"), exc)
    return states
