"""`wirewatch run --demo` on a machine with nothing configured: embedded broker, sample feed, enriched output."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.conftest import read_until, stop_process, values, wirewatch
from tests.integration.test_broker import alive, children_of, wait_for
from wirewatch import broker
from wirewatch.schemas import validate

pytestmark = pytest.mark.integration


async def test_run_demo_shows_enriched_seed_and_stops_cleanly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = broker.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "WIREWATCH_"))}
    env.update(WIREWATCH_WEB_PORT=str(broker.free_port()), WIREWATCH_STATE_DIR=str(tmp_path),
               WIREWATCH_DATA_DIR=str(tmp_path / "faust-data"), WIREWATCH_APP_ID="wirewatch-run-test")
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(wirewatch("run", "--demo", "--no-feeds", "--listen", f"127.0.0.1:{port}"),
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: broker.answers("127.0.0.1", port), 60), log.read_text()
        started = time.monotonic()
        records = await read_until(f"127.0.0.1:{port}", "wire.enriched",
                                   lambda r: any("Turkey, Syria" in v["title"] for v in values(r)), 120)
        print(f"run --demo: first enriched seed {time.monotonic() - started:.1f}s after the broker answered")
        [seed] = [v for v in values(records) if "Turkey, Syria" in v["title"]]
        validate("enriched", seed)
        assert {"TUR", "SYR", "RUS"} <= {a["country"] for a in seed["actors"]}
        assert f"enriched {seed['id'][:12]}" in log.read_text()
        tansu = [pid for pid in children_of(process.pid) if "tansu" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(tansu) == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) is not None
        assert wait_for(lambda: not alive(tansu[0])), "the embedded broker outlived `wirewatch run`"
    finally:
        stop_process(process)
