"""The sink of the ingest half: Articles to ``wire.articles`` with acks=all, keyed by article id."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from wirewatch import codec
from wirewatch.ingest.errors import ProduceError
from wirewatch.schemas.models import Article, as_dict
from wirewatch.settings import Settings

log = logging.getLogger(__name__)


def make_producer(settings: Settings, **overrides: object) -> AIOKafkaProducer:
    """An idempotent, acks=all, gzip-compressing producer; the one configuration ingest uses."""
    config: dict[str, object] = {
        "bootstrap_servers": settings.bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": "gzip",
        "linger_ms": 5,
        "request_timeout_ms": 30000,
        "client_id": f"{settings.app_id}-ingest",
    }
    config.update(overrides)
    return AIOKafkaProducer(**config)


def message_headers(feed: str, source: str, schema_version: int, replay: bool = False) -> list[tuple[str, bytes]]:
    """Kafka headers that let consumers route without decoding the value; ``replay: 1`` marks replays."""
    headers = [
        ("feed", feed.encode()),
        ("source", source.encode()),
        ("schema", b"article/%d" % schema_version),
    ]
    if replay:
        headers.append(("replay", b"1"))
    return headers


def headers_for(article: Article, replay: bool = False) -> list[tuple[str, bytes]]:
    """The headers of one Article (replay builds them from stored fields with ``message_headers``)."""
    return message_headers(article.feed, article.source, article.schema_version, replay)


class ArticleSink:
    """Publishes batches of Articles and returns only once the broker acknowledged all of them."""

    def __init__(self, settings: Settings, producer: AIOKafkaProducer | None = None, **overrides: object) -> None:
        self.settings = settings
        self.topic = settings.topic("articles")
        self.state_topic = settings.topic("feeds")
        self.overrides = overrides  # e.g. larger batches for replay
        self.producer = producer or make_producer(settings, **overrides)
        self.idempotent = producer is None

    async def start(self) -> None:
        """Connect; a broker that refuses producer ids (Tansu 0.6) gets acks=all without idempotence."""
        try:
            await self.producer.start()
        except KafkaError as exc:
            await self.producer.stop()
            if not self.idempotent:
                raise ProduceError(f"cannot connect to Kafka: {exc}") from exc
            log.warning("broker refused an idempotent producer (%s); producing with acks=all without it", exc)
            self.idempotent = False
            self.producer = make_producer(self.settings, **{**self.overrides, "enable_idempotence": False})
            try:
                await self.producer.start()
            except KafkaError as exc2:
                await self.producer.stop()
                raise ProduceError(f"cannot connect to Kafka: {exc2}") from exc2

    async def stop(self) -> None:
        await self.producer.stop()

    async def send(self, articles: Sequence[Article], replay: bool = False) -> None:
        """Send all, await every acknowledgement; raise ``ProduceError`` (retriable) if any failed."""
        try:
            futures = [
                await self.producer.send(
                    self.topic, value=codec.dumps(as_dict(a)), key=a.id.encode(), headers=headers_for(a, replay)
                )
                for a in articles
            ]
        except KafkaError as exc:
            raise ProduceError(f"{len(articles)} articles not sent: {exc}", failed=list(articles)) from exc
        results = await asyncio.gather(*futures, return_exceptions=True)
        failed = [a for a, r in zip(articles, results, strict=True) if isinstance(r, BaseException)]
        if failed:
            error = next(r for r in results if isinstance(r, BaseException))
            raise ProduceError(f"{len(failed)} of {len(articles)} articles not acknowledged: {error}",
                               failed=failed)

    async def send_state(self, feed: str, value: bytes | None) -> None:
        """Write one feed's state to the compacted ``wire.feeds`` (None: a tombstone); await the ack."""
        try:
            future = await self.producer.send(self.state_topic, value=value, key=feed.encode())
            await future
        except KafkaError as exc:
            raise ProduceError(f"state of feed {feed} not acknowledged: {exc}") from exc

    async def __aenter__(self) -> ArticleSink:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


