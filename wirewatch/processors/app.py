"""The Faust app, built from ``Settings`` (no module-level app, so tests and the CLI choose the config)."""

from __future__ import annotations

import faust

from wirewatch import codec
from wirewatch.settings import Settings


def create_app(settings: Settings) -> faust.App:
    """A Faust app wired to the configured broker, with our topics and agents registered."""
    from wirewatch.processors import agents, tables, topics, transport, web
    from wirewatch.processors.metrics import WorkerMetrics

    codec.register()
    config: dict[str, object] = {
        "broker": [f"kafka://{host.strip()}" for host in settings.bootstrap.split(",")],
        "value_serializer": codec.CODEC_NAME,
        "key_serializer": "raw",
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication_factor,
        "producer_acks": -1,
        "consumer_auto_offset_reset": "earliest",
        # Short enough that a crashed worker's partitions move on quickly, long enough for GC pauses.
        "broker_session_timeout": settings.session_timeout,
        "broker_heartbeat_interval": max(1.0, settings.session_timeout / 5),
        "broker_commit_every": 100,
        "broker_commit_interval": 1.0,
        "store": "memory://",
        "web_port": settings.web_port,
        "web_bind": settings.web_host,
        "autodiscover": False,
        "logging_config": None,
    }
    if settings.data_dir:
        config["datadir"] = settings.data_dir
    app = faust.App(settings.app_id, **config)
    transport.install(app)
    wired = topics.declare(app, settings)
    metrics = WorkerMetrics()
    agents.register(app, wired, metrics)
    agents.register_dyads(app, wired, tables.declare(app, settings), metrics)
    web.register(app)
    metrics.expose(app)
    return app
