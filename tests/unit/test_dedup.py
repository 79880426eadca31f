"""Near-duplicate index: syndicated rewrites cluster, unrelated texts do not, memory is bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.processors.extraction.dedup import NearDuplicateIndex, shingle_hashes

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


def test_shingles_ignore_case_accents_and_quote_style() -> None:
    assert shingle_hashes("“We will meet,” Erdoğan said.") == shingle_hashes('"we WILL meet" Erdogan said')
    assert shingle_hashes("one two") == shingle_hashes("two one")  # short texts: single words


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_estimate_tracks_exact_jaccard(cut: float) -> None:
    index = NearDuplicateIndex(max_entries=10)
    words = SEED.split()
    part = " ".join(words[: int(len(words) * cut)])
    exact_a, exact_b = set(shingle_hashes(SEED)), set(shingle_hashes(part))
    exact = len(exact_a & exact_b) / len(exact_a | exact_b)
    assert abs(index.signature(SEED).jaccard(index.signature(part)) - exact) < 0.15
