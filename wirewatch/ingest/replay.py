"""``wirewatch replay``: archived feeds onto ``wire.articles``, in publication order, with the ids of live polling.

Three stages:

1. Collect (one thread; documents parsed in ``WIREWATCH_PARSE_PROCESSES`` processes by the live
   ``read_feed``): every input streamed through its source (``ingest/sources``), records outside
   ``--since``/``--until`` dropped, the rest sorted externally in bounded memory (``sources/runs``).
   Bad members are skipped, counted, reported, and with ``--deadletter`` sent to ``wire.deadletter``.
2. Order: the sorted runs merged, repeated copies dropped and revisions numbered
   (``sources.runs.sequenced``). Each record gets a position, the same for the same inputs and options.
3. Send (the event loop): paced by ``--rate`` or ``--speed`` or by the broker alone, produced with
   acks=all and the ``replay: 1`` header. A checkpoint of acknowledged positions is written from
   acknowledgements only (at most every second and at the end), so ``--resume`` never re-sends what the
   broker acknowledged before a clean stop (Ctrl-C, SIGTERM); after a SIGKILL, at most the last
   second's acknowledgements are sent again, which consumers absorb by deduplicating on the key.

Global publication order needs every input read before the first send (an external sort cannot
emit before it has seen its last record); memory stays flat, disk holds a sorted copy meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from aiokafka.errors import KafkaError, MessageSizeTooLargeError

from wirewatch import broker
from wirewatch.ingest.errors import CheckpointError, ProduceError, ReplayError
from wirewatch.ingest.producer import ArticleSink, message_headers
from wirewatch.ingest.run import make_executor
from wirewatch.ingest.sources import ArticleLine, Context, Document, Ignored, Skipped, input_files, read_path
from wirewatch.ingest.sources.records import (
    FEED,
    ID,
    SCHEMA,
    SOURCE,
    VALUE,
    WHEN,
    Parsed,
    Record,
    article_records,
    document_records,
)
from wirewatch.ingest.sources.runs import Runs, sequenced
from wirewatch.settings import Settings
from wirewatch.topics import ensure_topics

log = logging.getLogger(__name__)

CHECKPOINT_VERSION = 1
LINE_BATCH = 2000
BATCH = 512
WINDOW = 20_000
CHECKPOINT_EVERY = 1.0
DRAIN_TIMEOUT = 60.0
EXAMPLES = 20
#: Larger batches than the pollers': replay is throughput-bound, and latency of a backfill does not matter.
PRODUCER_OVERRIDES: dict[str, object] = {"linger_ms": 20, "max_batch_size": 256 * 1024}


def parse_when(value: str) -> str:
    """``--since``/``--until``: a date or ISO 8601 time (naive means UTC) as ``YYYY-MM-DDTHH:MM:SSZ``."""
    try:
        when = datetime.fromisoformat(value.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ReplayError(f"{value!r} is not a date or time; use e.g. 2024-03-01 or 2024-03-01T12:00:00Z") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(iso: str) -> float:
    """Seconds of a record's ``when``; unreadable times count as the epoch (they sort first anyway)."""
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    """What to replay and how; ``progress`` None means a bar on a terminal, log lines otherwise."""

    paths: tuple[Path, ...]
    since: str | None = None
    until: str | None = None
    rate: float | None = None
    speed: float | None = None
    dry_run: bool = False
    resume: bool = False
    checkpoint: Path | None = None
    deadletter: bool = False
    progress: bool | None = None
    run_bytes: int = 32 << 20


@dataclass
class ReplaySummary:
    """Counts of one replay; ``exit_status`` is 0 clean, 3 finished but skipped input, 130 interrupted."""

    dry_run: bool = False
    files: int = 0
    documents: int = 0
    read: int = 0
    outside: int = 0
    duplicates: int = 0
    sent: int = 0
    acknowledged_before: int = 0
    skipped: int = 0
    ignored: int = 0
    ill_formed: int = 0
    deadlettered: int = 0
    examples: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    reading: float = 0.0
    interrupted: bool = False
    checkpoint: str | None = None

    @property
    def exit_status(self) -> int:
        return 130 if self.interrupted else 3 if self.skipped else 0

    def lines(self) -> list[str]:
        rate = self.sent / self.seconds if self.seconds else 0.0
        verb = "would send" if self.dry_run else "sent"
        head = (f"replay {'interrupted' if self.interrupted else 'done'}: {verb} {self.sent:,} articles "
                f"in {self.seconds:.1f}s ({rate:,.0f}/s; reading and sorting {self.reading:.1f}s) from {self.files:,} files, {self.documents:,} feed documents; "
                f"{self.read:,} read, {self.duplicates:,} repeated copies dropped, {self.outside:,} outside "
                f"--since/--until, {self.acknowledged_before:,} acknowledged by an earlier run, "
                f"{self.ignored:,} non-feed entries ignored, {self.ill_formed:,} ill-formed feeds read in part")
        lines = [head]
        if self.skipped:
            dead = f", {self.deadlettered:,} sent to the dead-letter topic" if self.deadlettered else ""
            lines.append(f"{self.skipped:,} input(s) skipped as corrupt{dead}:")
            lines += [f"  {s.origin}: {s.reason}" for s in self.examples]
            if self.skipped > len(self.examples):
                lines.append(f"  … and {self.skipped - len(self.examples):,} more (see the log)")
        if self.interrupted and self.checkpoint:
            lines.append(f"resume with the same arguments and --resume (checkpoint {self.checkpoint})")
        return lines


class AckTracker:
    """Acknowledged positions: all below ``through``, plus the out-of-order ones in ``beyond``."""

    def __init__(self, through: int = 0, beyond: set[int] | None = None) -> None:
        self.through = through
        self.beyond = beyond or set()
        self.changes = 0

    def acked(self, position: int) -> None:
        self.changes += 1
        if position != self.through:
            self.beyond.add(position)
            return
        self.through += 1
        while self.through in self.beyond:
            self.beyond.remove(self.through)
            self.through += 1

    def done(self, position: int) -> bool:
        return position < self.through or position in self.beyond

    @property
    def count(self) -> int:
        return self.through + len(self.beyond)


def ranges(positions: set[int]) -> list[list[int]]:
    """``{3, 4, 5, 9}`` -> ``[[3, 5], [9, 9]]``: a compact checkpoint."""
    out: list[list[int]] = []
    for p in sorted(positions):
        if out and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return out


def fingerprint(paths: tuple[Path, ...], options: ReplayOptions, topic: str) -> str:
    """What makes positions comparable between runs: the input files (name, size, mtime) and the filters."""
    digest = hashlib.sha256()
    for path in paths:
        for file in input_files(path):
            try:
                st = file.stat()
            except OSError:
                continue
            digest.update(f"{file.resolve()}\x1f{st.st_size}\x1f{st.st_mtime_ns}\n".encode())
    digest.update(f"{options.since}\x1f{options.until}\x1f{topic}".encode())
    return digest.hexdigest()


class Checkpoint:
    """A small JSON file of acknowledged positions, replaced atomically; written from acks only."""

    def __init__(self, path: Path, fingerprint: str, inputs: list[str]) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.inputs = inputs

    def load(self) -> tuple[AckTracker, bool]:
        """The tracker and whether that replay had finished; ``CheckpointError`` if it does not fit."""
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            raise CheckpointError(f"no checkpoint at {self.path} for these inputs and options; "
                                  "run without --resume to start, or give --checkpoint") from None
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"checkpoint {self.path} is unreadable ({exc}); run without --resume") from None
        if data.get("version") != CHECKPOINT_VERSION or data.get("fingerprint") != self.fingerprint:
            raise CheckpointError(f"checkpoint {self.path} was written for other inputs, files that changed since, "
                                  "or other --since/--until; run without --resume to start over")
        beyond = {p for first, last in data.get("acked_beyond", []) for p in range(first, last + 1)}
        return AckTracker(int(data["acked_through"]), beyond), bool(data.get("done"))

    def exists_unfinished(self) -> bool:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return False
        return data.get("fingerprint") == self.fingerprint and not data.get("done")

    def snapshot(self, tracker: AckTracker, done: bool) -> bytes:
        return json.dumps({
            "version": CHECKPOINT_VERSION, "fingerprint": self.fingerprint, "inputs": self.inputs,
            "acked_through": tracker.through, "acked_beyond": ranges(tracker.beyond), "done": done,
            "updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }, indent=1).encode()

    def write(self, data: bytes) -> None:
        """Atomic replace with fsync: a crash leaves the old or the new checkpoint, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)


class Progress(Protocol):
    """Where replay reports progress: a rich bar on a terminal, log lines otherwise."""

    def phase(self, name: str, total: int | None) -> None: ...

    def advance(self, n: int, info: str) -> None: ...

    def message(self, text: str) -> None: ...

    def close(self) -> None: ...


class LogProgress:
    """One log line every ``interval`` seconds: done/total, rate, ETA and the counters."""

    def __init__(self, interval: float = 5.0) -> None:
        self.interval = interval
        self.lock = threading.Lock()
        self.name, self.total, self.done, self.started, self.last = "", None, 0, 0.0, 0.0

    def phase(self, name: str, total: int | None) -> None:
        with self.lock:
            self.name, self.total, self.done = name, total, 0
            self.started = self.last = time.monotonic()

    def advance(self, n: int, info: str) -> None:
        with self.lock:
            self.done += n
            now = time.monotonic()
            if now - self.last < self.interval:
                return
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            if self.total:
                eta = (self.total - self.done) / rate if rate else float("inf")
                log.info("replay %s: %s/%s (%.0f%%), %s/s, ETA %.0fs; %s", self.name, f"{self.done:,}",
                         f"{self.total:,}", 100 * self.done / self.total, f"{rate:,.0f}", eta, info)
            else:
                log.info("replay %s: %s, %s/s; %s", self.name, f"{self.done:,}", f"{rate:,.0f}", info)

    def message(self, text: str) -> None:
        log.warning("%s", text)

    def close(self) -> None:
        pass


class RichProgress:
    """A rich progress bar on stderr with counts, rate and ETA; messages print above it."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                return Text(f"{task.speed:,.0f}/s" if task.speed else "…/s")

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                            TimeRemainingColumn(), TextColumn("{task.fields[info]}"),
                            console=Console(stderr=True), transient=False)
        self.task: Any = None
        self.bar.start()

    def phase(self, name: str, total: int | None) -> None:
        if self.task is not None:
            self.bar.stop_task(self.task)
        self.task = self.bar.add_task(name, total=total, info="")

    def advance(self, n: int, info: str) -> None:
        self.bar.update(self.task, advance=n, info=info)

    def message(self, text: str) -> None:
        self.bar.console.print(text, markup=False, highlight=False)

    def close(self) -> None:
        self.bar.stop()


def make_progress(wanted: bool | None) -> Progress:
    if wanted is None:
        wanted = sys.stderr.isatty()
    return RichProgress() if wanted else LogProgress()


class SkipLog:
    """Counts skipped inputs, keeps a few for the summary, and spills them for ``wire.deadletter``."""

    def __init__(self, summary: ReplaySummary, progress: Progress, spill: Path | None) -> None:
        self.summary = summary
        self.progress = progress
        self.spill_path = spill
        self.spill = spill.open("wb") if spill else None

    def add(self, item: Skipped) -> None:
        self.summary.skipped += 1
        if len(self.summary.examples) < EXAMPLES:
            self.summary.examples.append(Skipped(item.origin, item.reason, None, item.error_type))
        self.progress.message(f"skipped {item.origin}: {item.reason}")
        if self.spill is not None:
            pickle.dump(item, self.spill, protocol=pickle.HIGHEST_PROTOCOL)

    def spilled(self) -> Iterator[Skipped]:
        if self.spill is None or self.spill_path is None:
            return
        self.spill.close()
        with self.spill_path.open("rb") as stream:
            while True:
                try:
                    yield pickle.load(stream)
                except EOFError:
                    return

    def close(self) -> None:
        if self.spill is not None:
            self.spill.close()


@dataclass
class Collector:
    """Stage 1, run in a thread: inputs to sorted runs, with parse tasks fanned out to ``pool``."""

    options: ReplayOptions
    ctx: Context
    pool: Executor
    runs: Runs
    skips: SkipLog
    summary: ReplaySummary
    progress: Progress
    stop: threading.Event
    pending: deque[Future[Parsed]] = field(default_factory=deque)
    lines: list[ArticleLine] = field(default_factory=list)
    limit: int = 8
    seq: int = 0

    def run(self, files: list[Path], explicit: set[Path]) -> None:
        self.progress.phase("reading", len(files))
        for path in files:
            for item in read_path(path, self.ctx, explicit=path in explicit):
                if self.stop.is_set():
                    return
                self.take(item)
            self.summary.files += 1
            self.progress.advance(1, self.info())
        self.flush_lines()
        self.drain(0)

    def take(self, item: Document | ArticleLine | Skipped | Ignored) -> None:
        if isinstance(item, Document):
            self.summary.documents += 1
            self.seq += 1
            self.pending.append(self.pool.submit(document_records, item, self.seq))
        elif isinstance(item, ArticleLine):
            self.lines.append(item)
            if len(self.lines) >= LINE_BATCH:
                self.flush_lines()
        elif isinstance(item, Skipped):
            self.skips.add(item)
        else:
            self.summary.ignored += 1
            log.debug("ignored %s: %s", item.origin, item.reason)
        self.drain(self.limit)

    def flush_lines(self) -> None:
        if self.lines:
            self.seq += 1  # checked here: cheaper than the round trip to a parse process
            self.absorb(article_records(self.lines, self.seq))
            self.lines = []

    def drain(self, limit: int) -> None:
        while len(self.pending) > limit:
            self.absorb(self.pending.popleft().result())

    def absorb(self, parsed: Parsed) -> None:
        since, until = self.options.since, self.options.until
        for record in parsed.records:
            self.summary.read += 1
            when = record[WHEN]
            if since is not None and when < since or until is not None and when >= until:
                self.summary.outside += 1
                continue
            self.runs.add(record)
        for skipped in parsed.skipped:
            self.skips.add(skipped)
        self.summary.ill_formed += parsed.ill_formed

    def info(self) -> str:
        return f"{self.summary.read:,} articles, {self.summary.skipped:,} skipped"


class Sender:
    """Stage 3: produce records with a bounded window in flight, recording each acknowledgement."""

    def __init__(self, sink: ArticleSink, tracker: AckTracker, summary: ReplaySummary, skips: SkipLog,
                 stop: threading.Event) -> None:
        self.producer = sink.producer
        self.skips = skips
        self.topic = sink.topic
        self.tracker = tracker
        self.summary = summary
        self.stop = stop
        self.inflight = 0
        self.drained = asyncio.Event()
        self.drained.set()
        self.below = asyncio.Event()  # fewer than WINDOW in flight
        self.below.set()
        self.error: BaseException | None = None

    async def send(self, position: int, record: Record) -> None:
        if self.inflight >= WINDOW:
            self.below.clear()
            await self.below.wait()
        try:
            future = await self.producer.send(
                self.topic, value=record[VALUE], key=record[ID].encode(),
                headers=message_headers(record[FEED], record[SOURCE], record[SCHEMA], replay=True))
        except MessageSizeTooLargeError as exc:
            self.tracker.acked(position)  # settled: --resume must not try it again
            self.skips.add(Skipped(f"article {record[ID]}", f"larger than the producer accepts: {exc}"))
            return
        except KafkaError as exc:
            self.fail(exc)
            return
        self.inflight += 1
        self.drained.clear()
        future.add_done_callback(functools.partial(self._done, position))

    def _done(self, position: int, future: asyncio.Future[Any]) -> None:
        self.inflight -= 1
        if self.inflight == 0:
            self.drained.set()
        if self.inflight < WINDOW // 2 and not self.below.is_set():
            self.below.set()
        if future.cancelled():
            self.fail(asyncio.CancelledError())
        elif future.exception() is not None:
            self.fail(future.exception())  # type: ignore[arg-type]
        else:
            self.tracker.acked(position)
            self.summary.sent += 1

    def fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc
        self.stop.set()

    async def drain(self) -> None:
        try:
            await asyncio.wait_for(self.drained.wait(), DRAIN_TIMEOUT)
        except TimeoutError:
            log.error("%d articles still unacknowledged after %.0fs; they are sent again on --resume",
                      self.inflight, DRAIN_TIMEOUT)


class Pacer:
    """``--rate`` (articles per second) or ``--speed`` (x the original timing); neither: no waiting."""

    def __init__(self, rate: float | None, speed: float | None, stop: threading.Event) -> None:
        self.rate, self.speed, self.stop = rate, speed, stop
        self.active = rate is not None or speed is not None
        self.started: float | None = None
        self.first: float | None = None
        self.count = 0

    async def wait(self, when: str) -> None:
        if self.rate is None and self.speed is None:
            return
        now = time.monotonic()
        if self.started is None:
            self.started = now
        if self.rate is not None:
            due = self.started + self.count / self.rate
            self.count += 1
        else:
            moment = epoch(when)
            if self.first is None:
                self.first = moment
            due = self.started + max(0.0, moment - self.first) / self.speed  # type: ignore[operator]
        while (delay := due - time.monotonic()) > 0 and not self.stop.is_set():
            await asyncio.sleep(min(delay, 0.5))


class Replay:
    """One replay run; see the module docstring for its stages."""

    def __init__(self, settings: Settings, options: ReplayOptions, stop: threading.Event | None = None) -> None:
        if options.rate is not None and options.speed is not None:
            raise ReplayError("--rate and --speed exclude each other: pace by count or by original timing")
        self.settings = settings
        self.options = options
        self.stop = stop or threading.Event()
        self.summary = ReplaySummary(dry_run=options.dry_run)
        self.topic = settings.topic("articles")
        self.checkpoint: Checkpoint | None = None
        if not options.dry_run:
            digest = fingerprint(options.paths, options, self.topic)
            path = options.checkpoint or Path(settings.state_dir) / "replay" / f"{digest[:16]}.json"
            self.checkpoint = Checkpoint(path, digest, [str(p) for p in options.paths])
            self.summary.checkpoint = str(path)

    async def run(self) -> ReplaySummary:
        started = time.monotonic()
        tracker = AckTracker()
        if self.checkpoint is not None and self.options.resume:
            tracker, done = self.checkpoint.load()
            if done:
                log.info("replay: checkpoint %s says this replay finished; nothing to send", self.checkpoint.path)
                self.summary.acknowledged_before = tracker.count
                return self.summary
        elif self.checkpoint is not None and self.checkpoint.exists_unfinished():
            log.warning("replay: an interrupted replay of these inputs exists (%s); starting over. "
                        "Use --resume to continue it instead", self.checkpoint.path)
        progress = make_progress(self.options.progress)
        threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay")
        runs = Runs(self.options.run_bytes)
        skips = SkipLog(self.summary, progress, runs.directory / "skipped.pickle" if self.options.deadletter else None)
        try:
            await self._collect(threads, runs, skips, progress)
            if not self.stop.is_set():
                if self.options.dry_run:
                    await self._order(threads, runs, progress, tracker, None)
                else:
                    await self._send(threads, runs, skips, progress, tracker)
        finally:
            self.summary.interrupted = self.stop.is_set()
            progress.close()
            skips.close()
            await asyncio.get_running_loop().run_in_executor(threads, runs.close)
            threads.shutdown(wait=True)
            self.summary.seconds = time.monotonic() - started
        return self.summary

    async def _collect(self, threads: Executor, runs: Runs, skips: SkipLog, progress: Progress) -> None:
        files = [f for p in self.options.paths for f in input_files(p)]
        explicit = {p for p in self.options.paths if not p.is_dir()}
        pool = make_executor(self.settings)
        ctx = Context(self.settings.feeds, self.settings.max_body_bytes)
        collector = Collector(self.options, ctx, pool, runs, skips, self.summary, progress, self.stop,
                              limit=2 * max(self.settings.parse_processes, 2))
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        try:
            await loop.run_in_executor(threads, collector.run, files, explicit)
            self.summary.reading = time.monotonic() - started
        finally:
            await loop.run_in_executor(threads, functools.partial(pool.shutdown, wait=True, cancel_futures=True))

    async def _order(self, threads: Executor, runs: Runs, progress: Progress, tracker: AckTracker,
                     sender: Sender | None) -> None:
        """Merge, deduplicate, and hand each record with its position to ``sender`` (none: dry run)."""
        loop = asyncio.get_running_loop()
        counts = {"duplicates": 0}
        stream = await loop.run_in_executor(threads, lambda: sequenced(runs.merged(), counts))
        take = functools.partial(lambda: list(islice(stream, BATCH)))
        progress.phase("dry run" if sender is None else "sending", runs.count)
        pacer = Pacer(self.options.rate, self.options.speed, self.stop)
        position = 0
        next_batch = loop.run_in_executor(threads, take)
        seen_duplicates = 0
        while batch := await next_batch:
            next_batch = loop.run_in_executor(threads, take)
            for record in batch:
                if self.stop.is_set():
                    break
                if tracker.done(position):
                    self.summary.acknowledged_before += 1
                elif sender is None:
                    self.summary.sent += 1
                else:
                    if pacer.active:
                        await pacer.wait(record[WHEN])
                    await sender.send(position, record)
                position += 1
            if self.stop.is_set():
                await next_batch
                break
            progress.advance(len(batch) + counts["duplicates"] - seen_duplicates,
                             f"{self.summary.sent:,} sent, {self.summary.skipped:,} skipped")
            seen_duplicates = counts["duplicates"]
        self.summary.duplicates = counts["duplicates"]

    async def _send(self, threads: Executor, runs: Runs, skips: SkipLog, progress: Progress,
                    tracker: AckTracker) -> None:
        assert self.checkpoint is not None
        checkpoint = self.checkpoint
        await broker.wait_until_answers(self.settings.bootstrap, timeout=15.0)
        await ensure_topics(self.settings)
        loop = asyncio.get_running_loop()
        async with ArticleSink(self.settings, **PRODUCER_OVERRIDES) as sink:
            await self._dead_letter(sink, skips)
            sender = Sender(sink, tracker, self.summary, skips, self.stop)
            saver = asyncio.create_task(self._save_periodically(threads, tracker))
            try:
                await self._order(threads, runs, progress, tracker, sender)
            finally:
                await sender.drain()
                saver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await saver
                finished = sender.error is None and not self.stop.is_set()
                await loop.run_in_executor(threads, checkpoint.write, checkpoint.snapshot(tracker, finished))
        if sender.error is not None:
            self.summary.interrupted = True
            raise ProduceError(f"the broker did not acknowledge an article ({sender.error}); "
                               f"{tracker.count:,} are acknowledged and recorded in {checkpoint.path}: "
                               "run again with --resume once the broker is back")

    async def _save_periodically(self, threads: Executor, tracker: AckTracker) -> None:
        assert self.checkpoint is not None
        loop = asyncio.get_running_loop()
        saved = -1
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY)
            if tracker.changes != saved:
                saved = tracker.changes
                await loop.run_in_executor(threads, self.checkpoint.write, self.checkpoint.snapshot(tracker, False))

    async def _dead_letter(self, sink: ArticleSink, skips: SkipLog) -> None:
        """Send skipped inputs to ``wire.deadletter`` (key: where it came from) and await every ack."""
        if not self.options.deadletter:
            return
        topic = self.settings.topic("deadletter")
        futures = []
        for item in skips.spilled():
            headers = [("error", item.reason.encode()[:2000]), ("error_type", item.error_type.encode()),
                       ("stage", b"replay.read"), ("origin", item.origin.encode()[:2000])]
            try:
                futures.append(await sink.producer.send(topic, value=item.data or b"", key=item.origin.encode(),
                                                        headers=headers))
            except KafkaError as exc:
                log.error("could not dead-letter %s: %s", item.origin, exc)
        for result in await asyncio.gather(*futures, return_exceptions=True):
            if isinstance(result, BaseException):
                log.error("a skipped input was not dead-lettered: %s", result)
            else:
                self.summary.deadlettered += 1


async def replay(settings: Settings, options: ReplayOptions, stop: threading.Event | None = None) -> ReplaySummary:
    """Replay ``options.paths`` onto ``wire.articles``; setting ``stop`` ends it cleanly and resumably."""
    return await Replay(settings, options, stop).run()


def run_replay(settings: Settings, options: ReplayOptions) -> ReplaySummary:
    """``replay`` for the command line: Ctrl-C or SIGTERM stop it cleanly (a second Ctrl-C aborts)."""
    stop = threading.Event()

    async def main() -> ReplaySummary:
        loop = asyncio.get_running_loop()

        def interrupted(signum: int) -> None:
            log.warning("replay: %s received; waiting for acknowledgements, then saving the checkpoint",
                        signal.Signals(signum).name)
            stop.set()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, interrupted, sig)
        return await replay(settings, options, stop)

    return asyncio.run(main())
