from __future__ import annotations

import random
from typing import Any

from wirewatch.processors import dyads
from wirewatch.schemas import validate


def signal(day: str, polarity: str = "cooperative", goldstein: float = 4.0, article: str = "a1",
           start: int = 0, **extra: Any) -> dict[str, Any]:
    return {"dyad": "SYR-TUR", "kind": "meeting", "polarity": polarity, "goldstein": goldstein,
            "confidence": 1.0, "modality": "reported", "source": "TURSPY", "target": "SYRSPY",
            "article_id": article, "published": f"{day}T12:00:00Z", "attribution": "Reuters",
            "evidence": {"text": "They met.", "start": start, "end": start + 9}, **extra}


def fold(signals: list[dict[str, Any]]) -> dict[str, Any]:
    state = dyads.new_state("SYR-TUR")
    for s in signals:
        dyads.update(state, s)
    return state


def test_windows_sum_by_publication_day_and_late_articles_land_in_their_day() -> None:
    state = fold([signal("2022-09-15"), signal("2022-09-01", article="late"),
                  signal("2022-09-14", "hostile", -7.0, article="h")])
    snap = dyads.snapshot(state)
    validate("dyad", snap)
    assert snap["updated"] == "2022-09-15"
    assert snap["windows"]["day"]["cooperative"] == 4.0
    assert snap["windows"]["week"]["hostile"] == -7.0 and snap["windows"]["week"]["cooperative"] == 4.0
    assert snap["windows"]["month"]["cooperative"] == 8.0
    assert snap["windows"]["month"]["sources"] == ["Reuters"]


def test_redelivery_counts_once_and_order_does_not_matter() -> None:
    signals = [signal(f"2022-09-{d:02d}", article=f"a{d}", start=d) for d in range(1, 20)]
    live = fold(signals + signals[:5])
    shuffled = signals[:]
    random.Random(7).shuffle(shuffled)
    assert dyads.snapshot(live) == dyads.snapshot(fold(shuffled))


def test_denied_and_syndicated_signals_do_not_move_the_dyad() -> None:
    state = dyads.new_state("SYR-TUR")
    assert not dyads.update(state, signal("2022-09-15", modality="denied"))
    assert not dyads.update(state, signal("2022-09-15", duplicate_of="b2"))
    assert not dyads.update(state, {**signal("2022-09-15"), "published": None})
    assert state["days"] == {}


def test_alert_on_sharp_rise_against_own_baseline_only() -> None:
    quiet = [signal(f"2022-08-{d:02d}", goldstein=1.0, article=f"q{d}") for d in range(10, 31, 4)]
    state = fold(quiet)
    assert dyads.alert(state) is None
    burst = [signal("2022-09-15", goldstein=7.0, article=f"b{i}") for i in range(4)]
    state = fold(quiet + burst)
    raised = dyads.alert(state)
    assert raised is not None and raised["z"] >= dyads.Z_THRESHOLD and raised["signals"] == 4
    dyads.update(state, signal("2022-09-15", goldstein=7.0, article="b9"))
    assert dyads.alert(state) is None, "one alert per dyad and day"
    assert dyads.snapshot(state)["trend"] == "warming"


def test_old_days_expire() -> None:
    state = fold([signal("2022-01-01", article="old"), signal("2022-09-15")])
    assert "2022-01-01" not in state["days"]
