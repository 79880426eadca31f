"""The agents: thin loops that decode, call the extraction library, and publish with acknowledgement.

Delivery is at-least-once: an agent awaits the broker's acknowledgement of everything it produced
for a batch of events before taking the next batch, and Faust commits an offset only after its event
was processed, so a crash re-processes at most the uncommitted tail and never skips an article.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterable, Awaitable

import faust

from wirewatch import codec
from wirewatch.errors import SchemaError
from wirewatch.processors import dyads
from wirewatch.processors.enrich import decode_article, encode, encode_signal, enrich, warm_up
from wirewatch.processors.errors import UndecodableMessageError
from wirewatch.processors.extraction.dedup import NearDuplicateIndex
from wirewatch.processors.metrics import WorkerMetrics
from wirewatch.processors.topics import Topics
from wirewatch.schemas import validate
from wirewatch.schemas.models import Article, EnrichedArticle

log = logging.getLogger(__name__)

#: Up to this many articles are extracted together, in a worker thread so the loop stays responsive,
#: and their output acknowledged together: one broker round trip per batch, not per article.
BATCH = 64
#: How long a partial batch waits for company; bounds the latency batching adds on a quiet wire.
BATCH_WAIT = 0.02
#: Publications of the dyad agent that may await their acknowledgement at once.
IN_FLIGHT = 256


async def dead_letter(
    topics: Topics, metrics: WorkerMetrics, event: faust.EventT, error: Exception, stage: str
) -> Awaitable[object]:
    """Publish the original bytes with the error and its origin in headers; return the pending ack."""
    message = event.message
    headers = [
        ("error", str(error).encode()[:2000]),
        ("error_type", type(error).__name__.encode()),
        ("stage", stage.encode()),
        ("topic", message.topic.encode()),
        ("partition", str(message.partition).encode()),
        ("offset", str(message.offset).encode()),
    ]
    log.warning("dead-lettered %s[%d]@%d at %s: %s", message.topic, message.partition, message.offset, stage, error)
    metrics.dead_letters.labels(stage).inc()
    return await topics.deadletter.send(key=message.key, value=message.value, headers=headers)


def register(app: faust.App, topics: Topics, metrics: WorkerMetrics) -> faust.types.AgentT:
    """Attach the enrich agent to ``app`` and return it."""
    dedup = NearDuplicateIndex()

    def extract(articles: list[Article]) -> list[EnrichedArticle]:
        return [enrich(article, dedup) for article in articles]

    @app.agent(topics.articles, name="enrich")
    async def enrich_articles(stream: AsyncIterable[bytes]) -> None:
        await asyncio.to_thread(warm_up)
        async for events in stream.take_events(BATCH, within=BATCH_WAIT):  # type: ignore[attr-defined]
            pending: list[Awaitable[object]] = []
            articles = []
            for event in events:
                try:
                    articles.append(decode_article(event.value))
                except UndecodableMessageError as exc:
                    pending.append(await dead_letter(topics, metrics, event, exc, "enrich.decode"))
            with metrics.extraction_seconds.time():
                batch = await asyncio.to_thread(extract, articles)
            for enriched in batch:
                article = enriched.article
                pending.append(await topics.enriched.send(key=article.id.encode(), value=encode(enriched)))
                for signal in enriched.signals:
                    pending.append(await topics.signals.send(key=signal.dyad.encode(), value=encode_signal(signal)))
                log.info("enriched %s %r actors=%s dyads=%s", article.id[:12], article.title[:60],
                         sorted({a.code for a in enriched.actors}),
                         [f"{d.dyad}{'+' if d.rapprochement else '-'}" for d in enriched.dyads])
            await asyncio.gather(*pending)
            metrics.enriched.inc(len(batch))
            for enriched in batch:
                for signal in enriched.signals:
                    metrics.signals.labels(signal.polarity).inc()

    return enrich_articles


def register_dyads(
    app: faust.App, topics: Topics, table: faust.Table, metrics: WorkerMetrics
) -> faust.types.AgentT:
    """Fold each signal into its dyad's state; publish the new state, and an alert on a sharp rise.

    Up to ``IN_FLIGHT`` states await their acknowledgement while later signals are folded: a broker
    round trip per signal held the agent to ~230 signals a second, far behind the enrich agent in a
    burst or a replay. Faust flushes the producer before it commits an offset, and a failed publication
    raises here; each state carries everything before it on a compacted topic, so the dyad's next state
    also supersedes any that was lost. Alerts and dead letters, which nothing supersedes, are awaited
    at once.
    """

    @app.agent(topics.signals, name="dyads")
    async def track_dyads(stream: AsyncIterable[bytes]) -> None:
        in_flight: deque[Awaitable[object]] = deque()
        async for event in stream.events():  # type: ignore[attr-defined]
            while len(in_flight) > IN_FLIGHT:
                await in_flight.popleft()
            try:
                signal = codec.loads(event.value)
                validate("signal", signal)
            except (ValueError, SchemaError) as exc:
                await (await dead_letter(topics, metrics, event, exc, "dyads.decode"))
                continue
            state = table.get(signal["dyad"]) or dyads.new_state(signal["dyad"])
            if not dyads.update(state, signal):
                continue
            raised = dyads.alert(state)
            table[signal["dyad"]] = state
            key = signal["dyad"].encode()
            in_flight.append(await topics.dyads.send(key=key, value=codec.dumps(dyads.snapshot(state))))
            if raised is not None:
                await (await topics.alerts.send(key=key, value=codec.dumps(raised)))
                metrics.alerts.inc()
            metrics.dyad_updates.inc()

    return track_dyads
