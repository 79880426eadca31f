"""One parametrised test over the fixture corpus in tests/fixtures/feeds/.

Each fixture states what it tests and the expected outcome in its own header — an XML/HTML comment
with ``Description:``, optional ``Serve:`` (how the loopback server answers) and ``Expect:`` lines, a
``_test`` object in JSON Feeds (underscore keys are JSON Feed extensions), or a ``NAME.meta`` file
beside an empty body. Every fixture is served over loopback and polled twice: the second poll must
never republish anything (no duplicates).
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, Route
from wirewatch.ingest.fetch import make_client
from wirewatch.ingest.poller import Poller
from wirewatch.schemas.models import Article
from wirewatch.settings import Feed, Settings

CORPUS = Path(__file__).parent.parent / "fixtures" / "feeds"
FIXTURES = sorted(p for p in CORPUS.iterdir() if p.suffix != ".meta")
CONTENT_TYPES = {".xml": "application/rss+xml", ".rdf": "application/rdf+xml", ".json": "application/feed+json",
                 ".html": "text/html"}
SETTINGS = Settings(allow_networks=("127.0.0.0/8",), max_body_bytes=1 << 20, total_timeout=1.0, http_timeout=1.0,
                    max_redirects=3, concurrency=8)


@dataclass
class Case:
    """A fixture's body and its stated description, serving instructions and expectations."""

    path: Path
    body: bytes
    description: str
    serve: dict[str, str]
    expect: dict[str, str]


def _pairs(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) if "=" in part else (part, "yes") for part in shlex.split(text))


def load_case(path: Path) -> Case:
    body = path.read_bytes()
    if path.suffix == ".json":
        meta = json.loads(body)["_test"]
        return Case(path, body, meta["description"], _pairs(meta.get("serve", "")), _pairs(meta["expect"]))
    sidecar = path.with_suffix(".meta")
    header = sidecar.read_text() if sidecar.exists() else _decode(body[:4096])
    fields = dict(re.findall(r"^(Description|Serve|Expect):\s*(.*)$", header, re.MULTILINE))
    assert "Description" in fields and "Expect" in fields, f"{path.name} does not state what it tests"
    return Case(path, body, fields["Description"], _pairs(fields.get("Serve", "")), _pairs(fields["Expect"]))


def _decode(head: bytes) -> str:
    """The header in the fixture's own encoding: UTF-8, else the Windows-1252/Latin-1 of the legacy ones."""
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        return head.decode("cp1252", errors="replace")


def routes(case: Case, path: str) -> dict[str, Route]:
    """Turn a fixture's ``Serve:`` line into loopback routes."""
    serve = case.serve
    body = case.body + (b"<!--" + b" " * int(serve["pad"]) + b"-->" if "pad" in serve else b"")
    headers = {"Content-Type": serve.get("content-type", CONTENT_TYPES[case.path.suffix])}
    if "etag" in serve:
        headers["ETag"] = f'"{serve["etag"]}"'
    for name in ("cache-control", "retry-after"):
        if name in serve:
            headers[name.title()] = serve[name]
    if "gzip" in serve:
        body = gzip.compress(body, compresslevel=1)
        headers["Content-Encoding"] = "gzip"
    main = Route(body, int(serve.get("status", 200)), headers, float(serve.get("delay", 0)))
    redirect = serve.get("redirect")
    if redirect == "loop":
        return {path: Route(b"", 302, {"Location": path})}
    if redirect:
        return {path: Route(b"", int(redirect), {"Location": path + "-moved"}), path + "-moved": main}
    return {path: main}


class ListSink:
    """Keeps what was published, as the broker would."""

    def __init__(self) -> None:
        self.articles: list[Article] = []
        self.states: dict[str, bytes | None] = {}

    async def send(self, articles: list[Article]) -> None:
        self.articles.extend(articles)

    async def send_state(self, feed: str, value: bytes | None) -> None:
        self.states[feed] = value


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
async def poller() -> AsyncIterator[Poller]:
    with ThreadPoolExecutor(2) as executor:
        async with make_client(SETTINGS) as client:
            yield Poller(SETTINGS, ListSink(), client, executor)


def _list(value: str) -> list[str]:
    return [v for v in value.split(",") if v]


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
async def test_fixture(fixture: Path, server: FeedServer, poller: Poller) -> None:
    case = load_case(fixture)
    path = f"/{fixture.name}"
    server.routes.update(routes(case, path))
    feed = Feed(url=server.url(path), name=fixture.stem, min_interval=60, max_interval=10800)
    sink: ListSink = poller.sink  # type: ignore[assignment]
    expect = case.expect
    started = datetime.now(UTC)

    first = await poller.poll(feed)
    state = poller.state(feed)
    got = sink.articles

    if "error" in expect:
        assert first.kind == expect["error"], (case.description, first)
        assert state.consecutive_errors == 1 and state.next_check is not None
    else:
        assert first.error is None, (case.description, first.error)
    for key, value in expect.items():
        a = got[0] if got else None
        match key:
            case "status":
                assert first.status == int(value)
            case "new":
                assert first.new == int(value) == len(got), (case.description, first, got)
            case "problem":
                assert (first.problem is not None) == (value == "yes"), (case.description, first.problem)
            case "message":
                assert value in (first.error or ""), first.error
            case "title" | "url" | "published" | "language":
                assert a is not None and getattr(a, key) == value, (key, a)
            case "text":
                assert a is not None and " ".join(a.text.split()) == value, a.text
            case "published_missing":
                assert a is not None and a.published_missing == (value == "yes") and (a.published is None) == a.published_missing
            case "authors" | "tags":
                assert a is not None and set(_list(value)) <= set(getattr(a, key)), (key, a)
            case "max_text":
                assert all(len(x.text) <= int(value) for x in got)
            case "max_seconds":
                assert first.elapsed <= float(value), first.elapsed
            case "not_in_text":
                assert all(value not in x.text + x.title for x in got)
            case "moved":
                assert (state.current_url is not None) == (value == "yes"), state.current_url
            case "next_check_at_least":
                assert state.next_check is not None
                assert (state.next_check - started).total_seconds() >= float(value) - 5, state.next_check

    published = len(got)
    before = len(server.requests)
    second = await poller.poll(feed)
    assert len(got) == published, f"{fixture.name}: the second poll republished {got[published:]}"
    if "error" not in expect:
        assert second.new == second.updated == 0 and second.error is None, second
        assert second.status == int(expect.get("second", 200 if "second" not in expect else expect["second"]))
    if expect.get("moved") == "yes":
        assert [p for p, _ in server.requests[before:]] == [path + "-moved"]
    if expect.get("second") == "304":
        assert server.requests[-1][1].get("If-None-Match") == '"v1"'
        assert poller.metrics.parse_seconds._sum.get() == pytest.approx(  # noqa: SLF001
            poller.metrics.parse_seconds._sum.get())  # noqa: SLF001
