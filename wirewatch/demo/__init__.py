"""A loopback server for the packaged sample feed, so ``wirewatch run --demo`` shows output offline."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

SAMPLE = "sample-feed.xml"


@dataclass
class DemoServer:
    """A running sample-feed server; ``url`` is the feed, ``stop()`` shuts it down."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/{SAMPLE}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(host: str = "127.0.0.1", port: int = 0) -> DemoServer:
    """Serve this package folder (the sample feed) over HTTP in a daemon thread."""
    folder = Path(str(resources.files(__name__)))
    server = ThreadingHTTPServer((host, port), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name="wirewatch-demo", daemon=True)
    thread.start()
    return DemoServer(server, thread)
