"""Evaluate actor recognition against a labelled JSONL set; print per-type precision and recall.

Usage::

    python -m wirewatch.processors.extraction.evaluate actors [PATH] [--errors]

Each line of the set is ``{"id", "published", "text", "actors": [expected codes]}``. An item is
scored as the set of codes predicted against the set expected (a code found twice counts once), so
the figures say whether the right actors were found, whatever the surface form. Codes are grouped
into types by shape — ``country`` (ISO alpha-3), ``state`` (ISO + GOV/MIL/SPY/COP/LEG/JUD),
``nonstate`` (ISO + OPP/REB/BUS/ELI/..., armed groups, parties, proxies ``UAF<ISO>``) and ``igo`` —
and precision/recall are micro-averaged per type and overall.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .actors import STATE_ROLES, find_actors, knowledge

DEFAULT_SET = Path(__file__).resolve().parents[3] / "tests" / "eval" / "actors" / "eval.jsonl"
TYPES = ("country", "state", "nonstate", "igo")

Predictor = Callable[[str, dt.date | None], set[str]]


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives for one type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Report:
    """Per-type and overall counts, plus the items that were not exactly right."""

    items: int = 0
    exact: int = 0
    per_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TYPES})
    overall: Counts = field(default_factory=Counts)
    per_code: dict[str, Counts] = field(default_factory=dict)
    errors: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        def row(c: Counts) -> dict[str, float | int]:
            return {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": round(c.precision, 3), "recall": round(c.recall, 3), "f1": round(c.f1, 3)}

        return {
            "items": self.items,
            "exact": self.exact,
            "overall": row(self.overall),
            "per_type": {t: row(c) for t, c in self.per_type.items()},
        }


def code_type(code: str) -> str:
    """The evaluation type of a code, from its shape and the knowledge base."""
    kb = knowledge()
    if code in kb.countries:
        return "country"
    if len(code) == 6 and code[:3] in kb.countries:
        return "state" if code[3:] in STATE_ROLES else "nonstate"
    igo_codes = {e.code for e in kb.entities.values() if e.type in ("igo", "ngo")}
    if code in igo_codes:
        return "igo"
    return "nonstate"


def _recognise(text: str, published: dt.date | None) -> set[str]:
    return {a.code for a in find_actors(text, published)}


def load_set(path: Path | str = DEFAULT_SET) -> list[dict[str, object]]:
    """Read the JSONL evaluation set."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate_actors(path: Path | str = DEFAULT_SET, predict: Predictor | None = None) -> Report:
    """Score ``predict`` (default: ``find_actors``) on the labelled set at ``path``."""
    predict = predict or _recognise
    report = Report()
    for item in load_set(path):
        published = dt.date.fromisoformat(str(item["published"])) if item.get("published") else None
        expected = set(item["actors"])  # type: ignore[arg-type]
        got = predict(str(item["text"]), published)
        report.items += 1
        report.exact += got == expected
        for code in got | expected:
            counts = report.per_type[code_type(code)]
            hit = code in got and code in expected
            for c in (counts, report.overall, report.per_code.setdefault(code, Counts())):
                c.tp += hit
                c.fp += code in got and code not in expected
                c.fn += code in expected and code not in got
        if got != expected:
            report.errors.append({"id": item["id"], "text": item["text"], "missing": sorted(expected - got), "extra": sorted(got - expected)})
    return report


def format_report(report: Report, title: str = "actors") -> str:
    """A small fixed-width table."""
    lines = [f"{title}: {report.items} items, {report.exact} exactly right ({report.exact / max(report.items, 1):.1%})"]
    lines.append(f"{'type':<10}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}")
    for name, c in [*report.per_type.items(), ("overall", report.overall)]:
        lines.append(f"{name:<10}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}{c.tp:>6}{c.fp:>6}{c.fn:>6}")
    return "\n".join(lines)


def format_codes(report: Report) -> str:
    """Per-code precision and recall, worst F1 first, so a code that is often missed or invented shows at the top."""
    rows = sorted(report.per_code.items(), key=lambda kv: (kv[1].f1, kv[0]))
    lines = [f"{'code':<10}{'P':>7}{'R':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]
    lines += [f"{code:<10}{c.precision:>7.3f}{c.recall:>7.3f}{c.tp:>6}{c.fp:>6}{c.fn:>6}" for code, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``evaluate actors [PATH] [--errors] [--json] [--codes]``."""
    parser = argparse.ArgumentParser(prog="wirewatch evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["actors"])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_SET))
    parser.add_argument("--errors", action="store_true", help="list the items that were not exactly right")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--codes", action="store_true", help="also print precision and recall per code")
    args = parser.parse_args(argv)
    report = evaluate_actors(args.path)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(format_report(report))
        if args.codes:
            print(format_codes(report))
    if args.errors:
        for err in report.errors:
            print(f"- {err['id']}: missing={err['missing']} extra={err['extra']} :: {err['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
