"""Shared fixtures: the seed article, a loopback feed server, and hygiene checks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.feedserver import FeedServer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The golden article: title on the first line, body after."""
    return (FIXTURES / "seed-article.txt").read_text("utf-8")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """A loopback feed server whose routes the test sets; stopped however the test ends."""
    with FeedServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves non-daemon threads running (servers it forgot to stop)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    assert not leaked, f"test left threads running: {leaked}"
