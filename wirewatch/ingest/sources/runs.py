"""External sort of records in bounded memory: sorted runs spilled to temp files, then one k-way merge.

Records collect in memory until ``budget`` bytes, are sorted and written to a run file as pickled
blocks of ``BLOCK`` records; the merge holds one block per run. More than ``FANIN`` runs are first
merged in groups into longer runs, so memory stays flat however large the archive is:
about ``budget`` plus ``FANIN`` blocks. The files are our own temp files, so pickle is safe here.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from wirewatch import codec
from wirewatch.ingest.sources.records import HASH, ID, REVISION, VALUE, WHEN, Record, compact

BLOCK = 256
FANIN = 64
#: Python objects cost about this much beyond the value bytes of a record.
RECORD_OVERHEAD = 400


def write_run(records: Iterable[Record], directory: Path) -> Path:
    """Write already sorted records to a new run file."""
    with tempfile.NamedTemporaryFile("wb", dir=directory, prefix="run-", suffix=".pickle", delete=False) as out:
        iterator = iter(records)
        while block := list(islice(iterator, BLOCK)):
            pickle.dump(block, out, protocol=pickle.HIGHEST_PROTOCOL)
        return Path(out.name)


def read_run(path: Path) -> Iterator[Record]:
    """The records of a run file, one block in memory at a time."""
    with path.open("rb") as stream:
        while True:
            try:
                block = pickle.load(stream)
            except EOFError:
                return
            yield from block


class Runs:
    """Collects records and gives them back in order; ``close`` deletes the temp files."""

    def __init__(self, budget: int = 32 << 20, directory: str | Path | None = None) -> None:
        self.budget = budget
        self._tmp = tempfile.TemporaryDirectory(prefix="wirewatch-replay-", dir=directory)
        self.directory = Path(self._tmp.name)
        self.buffer: list[Record] = []
        self.size = 0
        self.files: list[Path] = []
        self.count = 0

    def add(self, record: Record) -> None:
        self.buffer.append(record)
        self.size += len(record[VALUE]) + RECORD_OVERHEAD
        self.count += 1
        if self.size >= self.budget:
            self.spill()

    def spill(self) -> None:
        if self.buffer:
            self.buffer.sort()
            self.files.append(write_run(self.buffer, self.directory))
            self.buffer, self.size = [], 0

    def merged(self) -> Iterator[Record]:
        """Every record in order (``heapq.merge`` over the runs and the in-memory rest)."""
        self.buffer.sort()
        files = self.files
        while len(files) > FANIN:
            files = [write_run(heapq.merge(*map(read_run, files[i:i + FANIN])), self.directory)
                     for i in range(0, len(files), FANIN)]
        rest, self.buffer = self.buffer, []
        return heapq.merge(*map(read_run, files), iter(rest))

    def close(self) -> None:
        self._tmp.cleanup()


def sequenced(records: Iterator[Record], counts: dict[str, int]) -> Iterator[Record]:
    """Drop repeated copies of an article and number its revisions, as live polling would have.

    Copies of an id with the same publication time are neighbours, ordered by fetch time: a copy
    whose content hash equals the previous one of its id is a duplicate (``counts["duplicates"]``);
    one whose hash changed is the next revision (never lower than the revision it already carries).
    """
    last_key: tuple[str, str] | None = None
    last_hash = ""
    emitted = 0
    for record in records:
        key = (record[WHEN], record[ID])
        if key == last_key:
            if record[HASH] == last_hash:
                counts["duplicates"] += 1
                continue
            if record[REVISION] < emitted:
                record = renumbered(record, emitted)
            emitted += 1
        else:
            last_key, emitted = key, 1
        last_hash = record[HASH]
        yield record


def renumbered(record: Record, revision: int) -> Record:
    """The record with ``revision`` set in its tuple and in its value bytes (rare: only changed copies)."""
    data = codec.loads(record[VALUE])
    data["revision"] = revision
    return (*record[:REVISION], revision, compact(codec.dumps(data)))  # type: ignore[return-value]
