"""Near-duplicate index: syndicated rewrites cluster, unrelated texts do not, memory is bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.processors.extraction.dedup import NearDuplicateIndex

SEED = (Path(__file__).resolve().parents[1] / "fixtures" / "seed-article.txt").read_text(encoding="utf-8")


def _rewrite(text: str) -> str:
    """A light syndication edit: new dateline, a few words changed, last paragraph dropped."""
    body = text.replace("QAMISHLI, Syria (North Press)", "ANKARA (Agencies)").replace("Thursday", "Friday")
    return body.rsplit("\n\n", 2)[0].replace("key role", "central role")


def test_rewrite_is_duplicate_and_joins_cluster() -> None:
    index = NearDuplicateIndex(max_entries=100)
    assert index.check_and_add("a", SEED) == (None, "a")
    assert index.check_and_add("b", _rewrite(SEED)) == ("a", "a")
    assert index.check_and_add("c", "Oil prices rose on Monday as traders weighed supply cuts by producers.") == (None, "c")


def test_redelivery_is_idempotent() -> None:
    index = NearDuplicateIndex(max_entries=10)
    index.check_and_add("a", SEED)
    index.check_and_add("b", _rewrite(SEED))
    assert index.check_and_add("b", "anything") == ("a", "a")
    assert len(index) == 2


def test_bounded_eviction_keeps_cluster_ids() -> None:
    index = NearDuplicateIndex(max_entries=2)
    index.check_and_add("a", SEED)
    index.check_and_add("b", _rewrite(SEED))
    index.check_and_add("c", "Completely unrelated story about weather in Oslo and ferry timetables today.")
    assert len(index) == 2 and "a" not in index
    assert index.check_and_add("d", SEED) == ("b", "a")


def test_invalid_bound() -> None:
    with pytest.raises(ValueError):
        NearDuplicateIndex(max_entries=0)
