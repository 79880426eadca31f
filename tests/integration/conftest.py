"""A real broker (embedded Tansu, or KAFKA_BOOTSTRAP_SERVERS) and one real worker process per session."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from wirewatch import broker, codec
from wirewatch.schemas import validate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def bootstrap() -> Iterator[str]:
    """An external broker when configured, else Tansu on a free port, stopped after the session."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    with broker.running(f"127.0.0.1:{broker.free_port()}") as embedded:
        yield embedded.bootstrap


@dataclass(frozen=True)
class Env:
    """The environment a wirewatch process of this session runs with."""

    bootstrap: str
    prefix: str
    vars: dict[str, str]

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"


@pytest.fixture(scope="session")
def env(bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Env:
    """Unique topic prefix and app id, so sessions against a shared broker never collide."""
    tag = secrets.token_hex(3)
    prefix = f"t{tag}."
    variables = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "WIREWATCH_TOPIC_PREFIX": prefix,
        "WIREWATCH_APP_ID": f"wirewatch-test-{tag}",
        "WIREWATCH_ALLOW_NETWORKS": "127.0.0.0/8",
        "WIREWATCH_STATE_DIR": str(tmp_path_factory.mktemp("state")),
        "WIREWATCH_DATA_DIR": str(tmp_path_factory.mktemp("faust-data")),
        "WIREWATCH_WEB_PORT": str(broker.free_port()),
        "WIREWATCH_LOG_LEVEL": "INFO",
    }
    return Env(bootstrap, prefix, variables)


def wirewatch(*args: str) -> list[str]:
    """The command line that runs this checkout's CLI with the test interpreter."""
    return [sys.executable, "-m", "wirewatch", *args]


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 150.0) -> dict[str, Any]:
    """Wait until the worker's /health reports assigned partitions; fail fast if it died."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"worker exited with status {process.returncode}")
        try:
            last = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
            if last.get("assigned"):
                return last
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"worker not assigned within {timeout}s; last health: {last}")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def worker(env: Env, tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    """One `wirewatch worker` process for the whole session (a Faust group join costs ~30 s on Tansu)."""
    log = tmp_path_factory.mktemp("logs") / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(wirewatch("worker"), env=env.vars, stdout=out, stderr=subprocess.STDOUT)
        try:
            started = time.monotonic()
            wait_healthy(int(env.vars["WIREWATCH_WEB_PORT"]), process)
            print(f"worker assigned after {time.monotonic() - started:.1f}s")
            yield process
        except BaseException:
            print(Path(log).read_text(errors="replace")[-5000:])
            raise
        finally:
            stop_process(process)


#: Topic suffix -> schema every message read from it must match.
SCHEMAS = {"articles": "article", "enriched": "enriched", "signals": "signal", "dyads": "dyad"}


async def read_until(
    bootstrap: str, topic: str, done: Callable[[list[Any]], bool], timeout: float = 60.0, validated: bool = True
) -> list[Any]:
    """Read ``topic`` from the beginning (no group) until ``done(records)`` or the timeout.

    Every record read from a topic with a schema is validated against it, unless ``validated=False``
    (for a topic that a test deliberately fills with garbage too).
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        partitions: set[int] = set()
        while not partitions:
            await consumer._client.force_metadata_update()  # noqa: SLF001
            partitions = consumer.partitions_for_topic(topic) or set()
            assert partitions or time.monotonic() < deadline, f"topic {topic} never appeared"
            await asyncio.sleep(0 if partitions else 0.5)
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        while not done(records) and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
        schema = SCHEMAS.get(topic.rsplit(".", 1)[-1])
        if validated and schema:
            for record in records:
                validate(schema, codec.loads(record.value))
        return records
    finally:
        await consumer.stop()


def values(records: list[Any]) -> list[Any]:
    return [codec.loads(r.value) for r in records]


