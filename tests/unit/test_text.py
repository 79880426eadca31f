"""Sentence splitting keeps exact offsets and survives abbreviations and quotes."""

from __future__ import annotations

import pytest

from wirewatch.processors.extraction.text import sentence_at, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. said no. Russia agreed.", ["The U.S. said no.", "Russia agreed."]),
        ("Gen. Smith arrived on Jan. 6 in Kabul. He left.", ["Gen. Smith arrived on Jan. 6 in Kabul.", "He left."]),
        ('"We will talk," he said. "Soon."', ['"We will talk," he said.', '"Soon."']),
        ("He said “it is over.” Then he left.", ["He said “it is over.”", "Then he left."]),
        ("Talks in the U.S. The next round is in Geneva.", ["Talks in the U.S.", "The next round is in Geneva."]),
        ("Mr. Fidan and Dr. Mamlouk met. Really?! Yes.", ["Mr. Fidan and Dr. Mamlouk met.", "Really?!", "Yes."]),
        ("First paragraph without stop\nSecond paragraph.", ["First paragraph without stop", "Second paragraph."]),
        ("J. R. Smith spoke. It was 3 p.m. on Friday.", ["J. R. Smith spoke.", "It was 3 p.m. on Friday."]),
        ("", []),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def test_offsets_exact_on_seed() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "fixtures" / "seed-article.txt").read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert len(spans) > 20
    for s, e in spans:
        chunk = text[s:e]
        assert chunk == chunk.strip() and chunk
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert sentence_at(spans, spans[3][0] + 1) == spans[3]
    assert sentence_at(spans, len(text) + 5) is None
