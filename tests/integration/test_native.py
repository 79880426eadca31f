"""The mypyc build the Docker image ships reads every text exactly as the pure-Python modules do.

mypyc checks annotations at run time, so a wrong one would surface as a TypeError only in the
compiled build; this runs both builds over the evaluation sets, the fixtures and the seed article
(each also upper- and lower-cased) and compares everything they return.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from native import build, native_modules  # noqa: E402

READ = r"""
import datetime as dt, json, sys
from wirewatch.processors.extraction import actors, gates, signals, text
out = []
for body in json.load(open(sys.argv[1])):
    for when in (dt.datetime(2022, 9, 15, tzinfo=dt.timezone.utc), dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)):
        found = actors.find_actors(body, when)
        read = signals.find_signals(body, found, when)
        out.append(repr((found, read, signals.dyad_verdicts(read))))
    out.append(repr((actors.find_sources(body), text.split_sentences(body))))
print(json.dumps({"files": [m.__file__ for m in (actors, gates, signals, text)], "out": out}))
"""


def _texts() -> list[str]:
    texts = []
    for name in ("signals/labelled.jsonl", "signals/heldout.jsonl", "actors/eval.jsonl"):
        texts += [json.loads(line)["text"] for line in (ROOT / "tests" / "eval" / name).read_text().splitlines()]
    texts += [p.read_text() for p in sorted((ROOT / "tests" / "unit" / "fixtures" / "actors").glob("*.txt"))]
    texts.append((ROOT / "tests" / "fixtures" / "seed-article.txt").read_text())
    return texts + [t.upper() for t in texts] + [t.lower() for t in texts]


def _read(path: Path, texts: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(path)}
    # Run from ``path``: "-c" puts the working directory first on sys.path.
    done = subprocess.run(
        [sys.executable, "-c", READ, str(texts)], cwd=path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_native_build_reads_every_text_as_the_source_does(tmp_path: Path) -> None:
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps(_texts()))
    compiled = _read(build(), texts)
    pure = _read(ROOT, texts)
    assert len(native_modules()) == len(compiled["files"])
    assert all(f.endswith(".so") for f in compiled["files"]), compiled["files"]
    assert all(f.endswith(".py") for f in pure["files"]), pure["files"]
    assert len(pure["out"]) > 2000
    assert compiled["out"] == pure["out"]
