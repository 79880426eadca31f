"""Evaluate signal detection on a labelled JSONL set: precision and recall of per-article dyad verdicts.

Each line: ``{"id", "category", "text", "published"?, "actors"?, "expected": [{"dyad", "verdict",
"modality"?, "mediators"?}]}`` where ``verdict`` is ``rapprochement``, ``hostile`` or ``none`` (the
dyad may be detected, e.g. a denied meeting, but must not be labelled either way). An item without
``actors`` is read by the real actor recogniser, so the figures are end to end.

A predicted verdict is labelled ``rapprochement`` when ``DyadVerdict.rapprochement``, ``hostile``
when its score is negative, else nothing. Precision and recall are micro-averaged over (item, dyad,
label) triples; modality and mediator accuracy are counted on the expected dyads that carry them.

``--fit-calibration`` refits the Platt scaling of signal confidence on the signals' correctness
(a signal is correct when its item expects its dyad with the matching label, or a denial as
``none``) and writes ``lexicon/calibration.yaml``. ``--split train|test`` evaluates on a stable
hash split (ids), so a refit can be checked on held-out items.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from wirewatch.processors.extraction.signals import LEXICON_DIR, dyad_verdicts, find_signals, load_lexicon
from wirewatch.schemas.models import Actor, DyadVerdict, Mention, Signal

DEFAULT_SET = Path(__file__).resolve().parents[3] / "tests" / "eval" / "signals" / "labelled.jsonl"
LABELS = ("rapprochement", "hostile")


@dataclass
class Report:
    """Counts and figures of one evaluation run."""

    tp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fn: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    modality: list[int] = field(default_factory=lambda: [0, 0])
    mediators: list[int] = field(default_factory=lambda: [0, 0])
    trap_alarms: list[int] = field(default_factory=lambda: [0, 0])
    errors: list[str] = field(default_factory=list)
    scored: list[tuple[float, bool]] = field(default_factory=list)
    items: int = 0

    def precision(self, label: str | None = None) -> float:
        tp, fp = self._sum(self.tp, label), self._sum(self.fp, label)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, label: str | None = None) -> float:
        tp, fn = self._sum(self.tp, label), self._sum(self.fn, label)
        return tp / (tp + fn) if tp + fn else 1.0

    def f1(self, label: str | None = None) -> float:
        p, r = self.precision(label), self.recall(label)
        return 2 * p * r / (p + r) if p + r else 0.0

    @staticmethod
    def _sum(counts: dict[str, int], label: str | None) -> int:
        return counts[label] if label else sum(counts[k] for k in LABELS)


def load_items(path: Path | str) -> list[dict[str, Any]]:
    """The labelled items of a JSONL file."""
    with open(path, "rb") as fh:
        return [orjson.loads(line) for line in fh if line.strip()]


def split_of(item_id: str) -> str:
    """Stable 70/30 train/test assignment by id hash."""
    return "test" if int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % 10 < 3 else "train"


def _actors(item: dict[str, Any], published: datetime | None) -> list[Actor]:
    if "actors" in item:
        return [
            Actor(
                code=a["code"], name=a.get("name", a["code"]), country=a.get("country"), role=a.get("role"),
                type=a.get("type", "country"), sponsor=a.get("sponsor"),
                mentions=tuple(Mention(m["text"], m["start"], m["end"]) for m in a["mentions"]),
            )
            for a in item["actors"]
        ]
    from wirewatch.processors.extraction.actors import find_actors

    return find_actors(item["text"], published)


def _label(v: DyadVerdict) -> str | None:
    if v.rapprochement:
        return "rapprochement"
    if v.score < 0:
        return "hostile"
    return None


def run_item(item: dict[str, Any]) -> tuple[list[Signal], list[DyadVerdict]]:
    """Signals and verdicts for one item, as the pipeline would produce them."""
    published = datetime.fromisoformat(item["published"]) if item.get("published") else None
    signals = find_signals(item["text"], _actors(item, published), published)
    return signals, dyad_verdicts(signals)


def _signal_correct(s: Signal, expected: dict[str, dict[str, Any]]) -> bool:
    exp = expected.get(s.dyad)
    if exp is None:
        return False
    if exp["verdict"] == "none":
        return s.modality == "denied"
    return (s.polarity == "cooperative") == (exp["verdict"] == "rapprochement") and s.modality != "denied"


def evaluate(items: Iterable[dict[str, Any]]) -> Report:
    """Score every item's verdicts against its labels."""
    rep = Report()
    for item in items:
        rep.items += 1
        signals, verdicts = run_item(item)
        expected = {e["dyad"]: e for e in item.get("expected", [])}
        predicted = {v.dyad: v for v in verdicts}
        ok = True
        for v in verdicts:
            label = _label(v)
            if label is None:
                continue
            exp = expected.get(v.dyad)
            if exp and exp["verdict"] == label:
                rep.tp[label] += 1
            else:
                rep.fp[label] += 1
                ok = False
                rep.errors.append(f"{item['id']}: FP {v.dyad} {label} score={v.score} | {item['text'][:100]}")
        for dyad, exp in expected.items():
            v = predicted.get(dyad)
            if exp["verdict"] in LABELS and (v is None or _label(v) != exp["verdict"]):
                rep.fn[exp["verdict"]] += 1
                ok = False
                got = f"{_label(v)} score={v.score}" if v else "no verdict"
                found = sorted({s.dyad for s in signals})
                rep.errors.append(f"{item['id']}: FN {dyad} {exp['verdict']} ({got}; dyads {found}) | {item['text'][:100]}")
            if exp.get("modality") and v is not None:
                rep.modality[1] += 1
                if any(s.dyad == dyad and s.modality == exp["modality"] for s in signals):
                    rep.modality[0] += 1
                else:
                    mods = sorted({s.modality for s in signals if s.dyad == dyad})
                    rep.errors.append(f"{item['id']}: modality {dyad} want {exp['modality']} got {mods}")
            if exp.get("mediators") and v is not None:
                rep.mediators[1] += 1
                if set(exp["mediators"]) <= set(v.mediators):
                    rep.mediators[0] += 1
                else:
                    rep.errors.append(f"{item['id']}: mediators {dyad} want {exp['mediators']} got {list(v.mediators)}")
        if item.get("category") == "trap":
            rep.trap_alarms[1] += 1
            rep.trap_alarms[0] += int(any(_label(v) for v in verdicts))
        cat = rep.by_category[item.get("category", "?")]
        cat[0] += int(ok)
        cat[1] += 1
        for s in signals:
            rep.scored.append((s.confidence, _signal_correct(s, expected)))
    return rep


def ece(scored: list[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error of confidences against correctness."""
    if not scored:
        return 0.0
    buckets: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for conf, ok in scored:
        buckets[min(int(conf * bins), bins - 1)].append((conf, ok))
    total = len(scored)
    return sum(
        len(b) / total * abs(sum(c for c, _ in b) / len(b) - sum(ok for _, ok in b) / len(b)) for b in buckets.values()
    )


def fit_platt(scored: list[tuple[float, bool]], a0: float, b0: float, iterations: int = 50) -> tuple[float, float]:
    """Refit confidence = sigmoid(a * logit(raw) + b) by Newton's method on the log loss."""
    xs = []
    for conf, ok in scored:
        conf = min(max(conf, 1e-4), 1 - 1e-4)
        xs.append(((math.log(conf / (1 - conf)) - b0) / a0, 1.0 if ok else 0.0))
    a, b = 1.0, 0.0
    for _ in range(iterations):
        ga = gb = haa = hab = hbb = 0.0
        for x, y in xs:
            p = 1 / (1 + math.exp(-(a * x + b)))
            ga += (p - y) * x
            gb += p - y
            w = p * (1 - p)
            haa += w * x * x
            hab += w * x
            hbb += w
        haa += 1e-6
        hbb += 1e-6
        det = haa * hbb - hab * hab
        if abs(det) < 1e-12:
            break
        a -= (hbb * ga - hab * gb) / det
        b -= (haa * gb - hab * ga) / det
    return a, b


def print_report(rep: Report, out: Any = sys.stdout, show_errors: bool = False) -> None:
    """Human-readable figures."""
    w = out.write
    w(f"items: {rep.items}\n")
    w(f"{'label':15} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn\n")
    for label in (*LABELS, None):
        name = label or "micro"
        tp = Report._sum(rep.tp, label)
        fp = Report._sum(rep.fp, label)
        fn = Report._sum(rep.fn, label)
        w(f"{name:15} {rep.precision(label):6.3f} {rep.recall(label):6.3f} {rep.f1(label):6.3f} {tp:4} {fp:3} {fn:3}\n")
    w(f"modality accuracy (expected dyads found): {rep.modality[0]}/{rep.modality[1]}\n")
    w(f"mediators found: {rep.mediators[0]}/{rep.mediators[1]}\n")
    w(f"trap items with a verdict (false alarms): {rep.trap_alarms[0]}/{rep.trap_alarms[1]}\n")
    w(f"signal confidence ECE: {ece(rep.scored):.3f} over {len(rep.scored)} signals\n")
    w("items fully right, by category:\n")
    for cat, (ok, n) in sorted(rep.by_category.items()):
        w(f"  {cat:14} {ok}/{n}\n")
    if show_errors:
        for line in rep.errors:
            w(f"  ! {line}\n")


def evaluate_signals(path: Path | str = DEFAULT_SET, split: str | None = None, show_errors: bool = False) -> Report:
    """Evaluate the labelled set at ``path`` and print precision/recall of dyad verdicts."""
    items = load_items(path)
    if split:
        items = [i for i in items if split_of(i["id"]) == split]
    rep = evaluate(items)
    print_report(rep, show_errors=show_errors)
    return rep


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m wirewatch.processors.extraction.evaluate_signals [PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_SET))
    parser.add_argument("--split", choices=("train", "test"))
    parser.add_argument("--errors", action="store_true", help="list every error")
    parser.add_argument("--fit-calibration", action="store_true", help="refit lexicon/calibration.yaml on --split")
    args = parser.parse_args(argv)
    rep = evaluate_signals(args.path, args.split, args.errors)
    if args.fit_calibration:
        a0, b0 = load_lexicon().calibration
        a1, b1 = fit_platt(rep.scored, a0, b0)
        a, b = a0 * a1, b0 * a1 + b1
        (LEXICON_DIR / "calibration.yaml").write_text(
            "# Platt scaling of the rule score: confidence = sigmoid(a * logit(raw) + b).\n"
            "# Refit with: python -m wirewatch.processors.extraction.evaluate_signals --fit-calibration"
            f" --split {args.split or 'all'}\n"
            f"a: {a:.4f}\nb: {b:.4f}\n",
            encoding="utf-8",
        )
        print(f"calibration written: a={a:.4f} b={b:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
