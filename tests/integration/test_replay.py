"""Replay against the real broker: same ids twice, the same articles as the live poll, resumable interruption.

Each test writes to its own topic prefix: other tests of the session write garbage into the shared
``wire.articles``.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import signal
import subprocess
import tarfile
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, Route, rss
from tests.integration.conftest import Env, read_until, values, wirewatch
from wirewatch import codec
from wirewatch.ingest.replay import ReplayOptions, replay
from wirewatch.ingest.run import poll_once
from wirewatch.settings import Feed, Settings, from_env

pytestmark = pytest.mark.integration

ITEMS = [{"title": f"Replayed {i}", "guid": f"replayed-{i}", "description": f"Body {i}",
          "pubDate": f"Thu, {10 + i} Sep 2022 16:30:00 +0000"} for i in range(6)]


def settings_for(env: Env, name: str, **changes: object) -> Settings:
    return replace(from_env({**env.vars, "WIREWATCH_TOPIC_PREFIX": f"{env.prefix}{name}."}), **changes)


def mixed_inputs(tmp: Path) -> Path:
    """A folder, a tar.gz holding a copy of one of its feeds, Article lines, and a corrupt document."""
    folder = tmp / "archive"
    folder.mkdir()
    (folder / "wire-a.rss").write_bytes(rss(ITEMS[:4]))
    (folder / "wire-b.xml.gz").write_bytes(gzip.compress(rss(ITEMS[2:], link="https://b.test/")))
    with tarfile.open(folder / "old.tar.gz", "w:gz") as tar:
        tar.add(folder / "wire-a.rss", "2022/wire-a.rss")
    lines = [{"id": f"{i:032x}", "feed": "lines", "source": "L", "url": "", "title": f"L{i}", "summary": "",
              "text": "t", "published": f"2022-09-0{i + 1}T00:00:00Z", "fetched": "2022-09-20T00:00:00Z",
              "language": None, "authors": [], "tags": [], "revision": 0, "content_hash": f"c{i}",
              "schema_version": 1} for i in range(3)]
    (folder / "tail.jsonl").write_text("".join(json.dumps(a) + "\n" for a in lines))
    (folder / "corrupt.atom").write_bytes(b"\x00 not a feed")
    return folder


async def test_replaying_twice_gives_identical_ids_and_marks_replays(env: Env, tmp_path: Path) -> None:
    folder = mixed_inputs(tmp_path)
    first = settings_for(env, "replay-a", parse_processes=0)
    second = settings_for(env, "replay-b", parse_processes=0)
    one = await replay(first, ReplayOptions((folder,), checkpoint=tmp_path / "a.json", deadletter=True,
                                            progress=False))
    two = await replay(second, ReplayOptions((folder,), checkpoint=tmp_path / "b.json", progress=False))
    assert (one.sent, one.duplicates, one.skipped, one.deadlettered) == (11, 4, 1, 1), one.lines()
    assert two.sent == 11 and one.exit_status == two.exit_status == 3

    records_a = await read_until(env.bootstrap, first.topic("articles"), lambda r: len(r) >= 11, timeout=30)
    records_b = await read_until(env.bootstrap, second.topic("articles"), lambda r: len(r) >= 11, timeout=30)
    assert len(records_a) == len(records_b) == 11
    assert sorted(r.value for r in records_a) == sorted(r.value for r in records_b)  # same ids, same bytes
    for record in records_a:
        assert record.key.decode() == codec.loads(record.value)["id"]
        assert dict(record.headers)["replay"] == b"1" and dict(record.headers)["schema"] == b"article/1"
    assert {f"{i:032x}" for i in range(3)} <= {a["id"] for a in values(records_a)}  # Article lines keep their ids

    dead = await read_until(env.bootstrap, first.topic("deadletter"), lambda r: len(r) >= 1, timeout=30)
    assert dead[0].value == b"\x00 not a feed" and dead[0].key.decode().endswith("corrupt.atom")
    assert dict(dead[0].headers)["stage"] == b"replay.read"


async def test_replay_of_the_pollers_archive_equals_the_live_poll(env: Env, tmp_path: Path) -> None:
    archive = tmp_path / "pollers-archive"
    with FeedServer() as server:
        server.routes["/wire"] = Route(rss(ITEMS, link="https://live.test/"))
        live = settings_for(env, "replay-live", archive_dir=str(archive),
                            feeds=(Feed(url=server.url("/wire"), name="live-wire", language="en", tags=("x",)),))
        await poll_once(live)
        changed = [dict(ITEMS[0], description="Body 0, corrected"), *ITEMS[1:]]
        server.routes["/wire"] = Route(rss(changed, link="https://live.test/"))
        await poll_once(live)  # one revision
    live_records = await read_until(env.bootstrap, live.topic("articles"), lambda r: len(r) >= 7, timeout=30)
    assert len(live_records) == 7

    replayed = replace(settings_for(env, "replay-of-live"), feeds=live.feeds)
    summary = await replay(replayed, ReplayOptions((archive,), checkpoint=tmp_path / "cp.json", progress=False))
    assert (summary.sent, summary.duplicates, summary.skipped) == (7, 5, 0), summary.lines()
    replay_records = await read_until(env.bootstrap, replayed.topic("articles"), lambda r: len(r) >= 7, timeout=30)
    assert sorted(r.value for r in replay_records) == sorted(r.value for r in live_records)  # ids, revisions, all
    assert {(a["id"], a["revision"]) for a in values(replay_records)} == {
        (a["id"], a["revision"]) for a in values(live_records)}


def checkpoint_count(path: Path) -> int:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return 0
    return data["acked_through"] + sum(b - a + 1 for a, b in data["acked_beyond"])


async def test_interrupted_replay_resumes_without_loss_or_resending(env: Env, tmp_path: Path) -> None:
    total = 1500
    lines = tmp_path / "articles.jsonl.gz"
    with gzip.open(lines, "wt") as out:
        for i in range(total):
            out.write(json.dumps({
                "id": f"{i:032x}", "feed": "bulk", "source": "B", "url": "", "title": f"T{i}", "summary": "",
                "text": "x" * 200, "published": f"2023-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                "fetched": "2023-02-01T00:00:00Z", "language": "en", "authors": [], "tags": [], "revision": 0,
                "content_hash": f"h{i}", "schema_version": 1}) + "\n")
    run_env = {**env.vars, "WIREWATCH_TOPIC_PREFIX": f"{env.prefix}replay-resume."}
    checkpoint = tmp_path / "resume.json"
    command = wirewatch("replay", str(lines), "--rate", "400", "--checkpoint", str(checkpoint), "--no-progress")
    process = subprocess.Popen(command, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while checkpoint_count(checkpoint) < 200 and time.monotonic() < deadline and process.poll() is None:
        await asyncio.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    acknowledged = checkpoint_count(checkpoint)
    assert 200 <= acknowledged < total and b"--resume" in err

    topic = f"{env.prefix}replay-resume.articles"
    first = await read_until(env.bootstrap, topic, lambda r: len(r) >= acknowledged, timeout=30)
    assert len(first) == acknowledged  # everything sent was acknowledged and recorded before exiting

    resumed = subprocess.run([*command[:-5], "--checkpoint", str(checkpoint), "--resume", "--no-progress"],
                             env=run_env, capture_output=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert f"{acknowledged:,} acknowledged by an earlier run".encode() in resumed.stderr
    records = await read_until(env.bootstrap, topic, lambda r: len(r) >= total, timeout=30)
    await asyncio.sleep(1)
    records = await read_until(env.bootstrap, topic, lambda r: len(r) > total, timeout=3)
    keys = [r.key for r in records]
    assert len(keys) == total and len(set(keys)) == total  # nothing lost, nothing sent twice
    assert json.loads(checkpoint.read_text())["done"] is True
