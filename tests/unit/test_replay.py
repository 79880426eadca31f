"""Replay without a broker: external sort, copies and revisions, positions, checkpoints, pacing, dry runs."""

from __future__ import annotations

import gzip
import random
import threading
import time
from pathlib import Path

import pytest

from tests.feedserver import rss
from wirewatch import codec
from wirewatch.ingest.errors import CheckpointError, ReplayError
from wirewatch.ingest.replay import (
    AckTracker,
    Checkpoint,
    Pacer,
    ReplayOptions,
    fingerprint,
    parse_when,
    ranges,
    replay,
)
from wirewatch.ingest.sources import runs as runs_module
from wirewatch.ingest.sources.records import HASH, ID, REVISION, Record
from wirewatch.ingest.sources.runs import Runs, sequenced
from wirewatch.settings import Settings

SETTINGS = Settings(parse_processes=0)


def rec(when: str, ident: str, fetched: str = "2024-01-01T00:00:00Z", digest: str = "a", revision: int = 0) -> Record:
    value = codec.dumps({"id": ident, "revision": revision, "content_hash": digest})
    return (when, ident, fetched, 0, digest, "feed", "Source", 1, revision, value)


def test_external_sort_spills_merges_in_passes_and_keeps_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs_module, "FANIN", 3)
    rng = random.Random(7)
    records = [rec(f"2024-01-{rng.randint(1, 28):02d}T00:00:00Z", f"{i:032x}") for i in range(2000)]
    runs = Runs(budget=20_000)
    try:
        for r in records:
            runs.add(r)
        assert len(runs.files) > 9  # several passes of 3-way merges
        assert list(runs.merged()) == sorted(records)
    finally:
        runs.close()
    assert not runs.directory.exists()


def test_copies_dropped_and_revisions_numbered_like_live() -> None:
    t = "2024-01-01T10:00:00Z"
    stream = sorted([
        rec(t, "a", "2024-01-01T11:00:00Z", "h1"),
        rec(t, "a", "2024-01-01T12:00:00Z", "h1"),  # the same content polled again: a copy
        rec(t, "a", "2024-01-01T13:00:00Z", "h2"),  # changed: revision 1
        rec(t, "a", "2024-01-01T14:00:00Z", "h2"),  # copy
        rec(t, "b", "2024-01-01T11:00:00Z", "h1"),
        rec(t, "b", "2024-01-01T11:00:00Z", "h1"),  # the same article from a second input
    ])
    counts = {"duplicates": 0}
    out = list(sequenced(iter(stream), counts))
    assert [(r[ID], r[HASH], r[REVISION]) for r in out] == [("a", "h1", 0), ("a", "h2", 1), ("b", "h1", 0)]
    assert codec.loads(out[1][-1])["revision"] == 1
    assert counts["duplicates"] == 3


def test_ack_tracker_out_of_order_and_compact_ranges() -> None:
    tracker = AckTracker()
    for p in (1, 2, 5, 0, 7):
        tracker.acked(p)
    assert tracker.through == 3 and tracker.beyond == {5, 7} and tracker.count == 5
    assert tracker.done(2) and tracker.done(5) and not tracker.done(3)
    assert ranges({3, 4, 5, 9, 11, 12}) == [[3, 5], [9, 9], [11, 12]]


def test_parse_when() -> None:
    assert parse_when("2024-03-01") == "2024-03-01T00:00:00Z"
    assert parse_when("2024-03-01T12:30:00+02:00") == "2024-03-01T10:30:00Z"
    assert parse_when("2024-03-01t12:30z".upper()) == "2024-03-01T12:30:00Z"
    with pytest.raises(ReplayError, match="not a date"):
        parse_when("yesterday")


def corpus(tmp: Path) -> Path:
    """Two feeds, one archived twice (a copy), plus Article lines and a corrupt file."""
    folder = tmp / "in"
    folder.mkdir()
    items = [{"title": f"S{i}", "guid": f"g{i}", "description": f"B{i}", "pubDate": f"Thu, 0{i + 1} Sep 2022 10:00:00 +0000"}
             for i in range(4)]
    (folder / "wire-a.rss").write_bytes(rss(items))
    (folder / "wire-a-again.rss.gz").write_bytes(gzip.compress(rss(items)))
    (folder / "wire-b.xml").write_bytes(rss(items[:2], link="https://b.test/"))
    (folder / "broken.atom").write_bytes(b"this is not a feed at all")
    return folder


async def test_dry_run_counts_filters_and_reports_skips(tmp_path: Path) -> None:
    folder = corpus(tmp_path)
    summary = await replay(SETTINGS, ReplayOptions((folder,), dry_run=True, progress=False))
    assert (summary.read, summary.duplicates, summary.sent, summary.skipped) == (10, 4, 6, 1)
    assert summary.exit_status == 3 and "broken.atom" in "\n".join(summary.lines())
    window = await replay(SETTINGS, ReplayOptions((folder,), dry_run=True, progress=False,
                                                  since="2022-09-02", until="2022-09-04"))
    assert (window.outside, window.sent) == (5, 3)  # Sep 2 and 3 of wire-a (twice) and Sep 2 of wire-b


async def test_stop_interrupts_cleanly(tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()
    summary = await replay(SETTINGS, ReplayOptions((corpus(tmp_path),), dry_run=True, progress=False), stop)
    assert summary.interrupted and summary.exit_status == 130


async def test_resume_needs_a_matching_checkpoint(tmp_path: Path) -> None:
    folder = corpus(tmp_path)
    options = ReplayOptions((folder,), resume=True, checkpoint=tmp_path / "cp.json", progress=False)
    with pytest.raises(CheckpointError, match="no checkpoint"):
        await replay(SETTINGS, options)
    other = Checkpoint(tmp_path / "cp.json", "not-these-inputs", [])
    other.write(other.snapshot(AckTracker(3), False))
    with pytest.raises(CheckpointError, match="other inputs"):
        await replay(SETTINGS, options)
    mine = Checkpoint(tmp_path / "cp.json", fingerprint((folder,), options, SETTINGS.topic("articles")), [])
    mine.write(mine.snapshot(AckTracker(6), True))
    done = await replay(SETTINGS, options)  # finished before: nothing to send, no broker needed
    assert done.sent == 0 and done.acknowledged_before == 6


async def test_fingerprint_changes_with_files_and_filters(tmp_path: Path) -> None:
    folder = corpus(tmp_path)
    base = fingerprint((folder,), ReplayOptions((folder,)), "wire.articles")
    assert base == fingerprint((folder,), ReplayOptions((folder,)), "wire.articles")
    assert base != fingerprint((folder,), ReplayOptions((folder,), since="2024-01-01T00:00:00Z"), "wire.articles")
    (folder / "new.rss").write_bytes(rss([]))
    assert base != fingerprint((folder,), ReplayOptions((folder,)), "wire.articles")


async def test_rate_and_speed_pacing() -> None:
    stop = threading.Event()
    pacer = Pacer(rate=200, speed=None, stop=stop)
    started = time.monotonic()
    for _ in range(21):
        await pacer.wait("2024-01-01T00:00:00Z")
    assert 0.09 <= time.monotonic() - started < 1.0
    pacer = Pacer(rate=None, speed=3600, stop=stop)  # an hour of news in a second
    started = time.monotonic()
    for minute in range(0, 31, 10):
        await pacer.wait(f"2024-01-01T00:{minute:02d}:00Z")
    assert 0.45 <= time.monotonic() - started < 1.5
    with pytest.raises(ReplayError, match="exclude each other"):
        await replay(SETTINGS, ReplayOptions((Path("."),), rate=1, speed=1))
