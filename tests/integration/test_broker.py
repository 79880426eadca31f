"""The embedded broker starts, answers, and leaves nothing behind however its parent ends."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.integration.conftest import stop_process, wirewatch
from wirewatch import broker
from wirewatch.errors import BrokerError

pytestmark = pytest.mark.integration


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")


def wait_for(predicate, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_running_starts_and_stops_tansu() -> None:
    with broker.running(f"127.0.0.1:{broker.free_port()}") as embedded:
        assert broker.answers(embedded.host, embedded.port)
        pid = embedded.process.pid
    assert not alive(pid)
    assert not broker.answers(embedded.host, embedded.port)


def test_port_in_use_is_a_clear_error() -> None:
    with broker.running(f"127.0.0.1:{broker.free_port()}") as embedded:
        with pytest.raises(BrokerError, match="already in use"):
            broker.start(embedded.bootstrap)


def test_missing_binary_is_a_one_line_error() -> None:
    env = {**os.environ, "CALF_TANSU_BIN": "/nonexistent/tansu"}
    result = subprocess.run(wirewatch("broker", "--listen", f"127.0.0.1:{broker.free_port()}"), env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "CALF_TANSU_BIN" in result.stderr


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_broker_command_leaves_no_orphan(how: signal.Signals) -> None:
    port = broker.free_port()
    process = subprocess.Popen(wirewatch("broker", "--listen", f"127.0.0.1:{port}"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: broker.answers("127.0.0.1", port), 30)
        [tansu] = children_of(process.pid)
        process.send_signal(how)
        process.wait(15)
        assert wait_for(lambda: not alive(tansu)), f"tansu {tansu} outlived its parent after {how.name}"
    finally:
        stop_process(process)
