"""Rolling per-dyad state from signals: pure functions, so live processing and replays agree.

A dyad's state keeps one bucket per UTC day of *publication* (not arrival), so a late article lands in
its own day. The windows published on ``wire.dyads`` are hopping windows of 1, 7 and 30 days that
advance daily, each the sum of its day buckets ending at the dyad's latest publication day. Sums are
order-independent and each signal is counted once (by its id), so replaying an archive — in any order,
with at-least-once redelivery — yields the same state as live.

Alert statistic: for the latest day d, let c(d) be the confidence-weighted cooperative Goldstein sum.
Over the previous ``BASELINE_DAYS`` days (missing days count as 0) take mean m and standard deviation s.
An alert fires when ``z = (c(d) - m) / max(s, MIN_STD) >= Z_THRESHOLD`` and at least ``MIN_SIGNALS``
cooperative signals back day d: a sharp rise against the dyad's own baseline, not against other dyads.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime, timedelta
from typing import Any

from wirewatch.schemas.models import DYAD_VERSION

WINDOWS = {"day": 1, "week": 7, "month": 30}
RETENTION_DAYS = 60
BASELINE_DAYS = 28
Z_THRESHOLD = 3.0
MIN_STD = 1.0
MIN_SIGNALS = 2


def signal_id(signal: dict[str, Any]) -> str:
    """Identity of one signal occurrence, stable across redeliveries and replays."""
    evidence = signal.get("evidence") or {}
    raw = "\x1f".join(str(x) for x in (
        signal.get("article_id"), signal.get("kind"), signal.get("source"), signal.get("target"),
        evidence.get("start"), evidence.get("end"),
    ))
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def signal_day(signal: dict[str, Any]) -> str | None:
    """The UTC publication day of the signal's article, or None when it is unknown."""
    published = signal.get("published")
    if not published:
        return None
    return datetime.fromisoformat(published.replace("Z", "+00:00")).date().isoformat()


def counts(signal: dict[str, Any]) -> bool:
    """Denied interactions and syndicated copies must not move a dyad."""
    return signal.get("modality") != "denied" and not signal.get("duplicate_of")


def new_state(dyad: str) -> dict[str, Any]:
    return {"dyad": dyad, "days": {}, "latest_day": None, "last_evidence": None}


def update(state: dict[str, Any], signal: dict[str, Any]) -> bool:
    """Fold one signal into ``state`` in place; False when it was ignored or already counted."""
    day = signal_day(signal)
    if day is None or not counts(signal):
        return False
    sid = signal_id(signal)
    bucket = state["days"].setdefault(day, {"cooperative": 0.0, "hostile": 0.0, "n_cooperative": 0,
                                             "n_hostile": 0, "sources": [], "ids": []})
    if sid in bucket["ids"]:
        return False
    weight = float(signal.get("goldstein", 0.0)) * float(signal.get("confidence", 1.0))
    side = "cooperative" if signal.get("polarity") == "cooperative" else "hostile"
    bucket[side] = round(bucket[side] + weight, 6)
    bucket[f"n_{side}"] += 1
    bucket["ids"].append(sid)
    attribution = signal.get("attribution")
    if attribution and attribution not in bucket["sources"]:
        bucket["sources"].append(attribution)
    if state["latest_day"] is None or day > state["latest_day"]:
        state["latest_day"] = day
    evidence = _evidence(signal)
    last = state["last_evidence"]
    if last is None or (evidence["published"], evidence["article_id"]) >= (last["published"], last["article_id"]):
        state["last_evidence"] = evidence
    _expire(state)
    return True


def _evidence(signal: dict[str, Any]) -> dict[str, Any]:
    return {
        "published": signal.get("published") or "",
        "article_id": signal.get("article_id") or "",
        "kind": signal.get("kind"),
        "polarity": signal.get("polarity"),
        "modality": signal.get("modality"),
        "text": (signal.get("evidence") or {}).get("text"),
    }


def _expire(state: dict[str, Any]) -> None:
    cutoff = (date.fromisoformat(state["latest_day"]) - timedelta(days=RETENTION_DAYS)).isoformat()
    for day in [d for d in state["days"] if d < cutoff]:
        del state["days"][day]


def _window(state: dict[str, Any], end: date, days: int) -> dict[str, Any]:
    start = (end - timedelta(days=days - 1)).isoformat()
    buckets = [b for d, b in state["days"].items() if start <= d <= end.isoformat()]
    cooperative = round(sum(b["cooperative"] for b in buckets), 3)
    hostile = round(sum(b["hostile"] for b in buckets), 3)
    return {
        "start": start,
        "end": end.isoformat(),
        "cooperative": cooperative,
        "hostile": hostile,
        "net": round(cooperative + hostile, 3),
        "n_cooperative": sum(b["n_cooperative"] for b in buckets),
        "n_hostile": sum(b["n_hostile"] for b in buckets),
        "sources": sorted({s for b in buckets for s in b["sources"]}),
    }


def trend(state: dict[str, Any]) -> str | None:
    """'warming', 'cooling' or 'steady': the last week's net against the three weeks before it."""
    if state["latest_day"] is None:
        return None
    end = date.fromisoformat(state["latest_day"])
    week = _window(state, end, 7)["net"]
    before = _window(state, end - timedelta(days=7), 21)["net"] / 3
    if week - before > 1.0:
        return "warming"
    if before - week > 1.0:
        return "cooling"
    return "steady"


def snapshot(state: dict[str, Any]) -> dict[str, Any]:
    """The ``DyadState`` message for ``wire.dyads``."""
    end = date.fromisoformat(state["latest_day"])
    return {
        "schema_version": DYAD_VERSION,
        "dyad": state["dyad"],
        "updated": state["latest_day"],
        "windows": {name: _window(state, end, days) for name, days in WINDOWS.items()},
        "trend": trend(state),
        "last_evidence": state["last_evidence"],
    }


def alert(state: dict[str, Any]) -> dict[str, Any] | None:
    """An alert when the latest day's cooperation rises sharply against the dyad's baseline.

    At most one alert per dyad and day: the state remembers the day it last alerted on.
    """
    if state["latest_day"] is None or state.get("alerted_day") == state["latest_day"]:
        return None
    end = date.fromisoformat(state["latest_day"])
    today = state["days"].get(end.isoformat())
    if not today or today["n_cooperative"] < MIN_SIGNALS:
        return None
    history = [
        (state["days"].get((end - timedelta(days=i)).isoformat()) or {}).get("cooperative", 0.0)
        for i in range(1, BASELINE_DAYS + 1)
    ]
    mean = sum(history) / len(history)
    std = math.sqrt(sum((x - mean) ** 2 for x in history) / len(history))
    z = (today["cooperative"] - mean) / max(std, MIN_STD)
    if z < Z_THRESHOLD:
        return None
    state["alerted_day"] = end.isoformat()
    return {
        "schema_version": DYAD_VERSION,
        "dyad": state["dyad"],
        "day": end.isoformat(),
        "cooperative": today["cooperative"],
        "baseline_mean": round(mean, 3),
        "baseline_std": round(std, 3),
        "z": round(z, 2),
        "signals": today["n_cooperative"],
        "evidence": state["last_evidence"],
    }
