"""Literal gates: a gate may only ever admit more texts than its pattern matches, never fewer."""

from __future__ import annotations

import random
import re

from wirewatch.processors.extraction.gates import char_gate
from wirewatch.processors.extraction.signals import _scan_sentence, load_lexicon


def test_char_gate_admits_every_match() -> None:
    """A text whose characters the gate does not find cannot match the pattern; cased characters
    (which case folding could reach from elsewhere) give no gate."""
    pattern = re.compile(r'[;:“”"–—]|\s-\s', re.IGNORECASE)
    gate = char_gate(pattern)
    assert gate is not None
    rng = random.Random(3)
    alphabet = list("ab ;:-\"“”–—\t,.")
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        if pattern.search(text):
            assert gate.search(text), text
    assert char_gate(re.compile(r"\bsaid\b|x", re.IGNORECASE)) is None
    assert char_gate(re.compile(r"\s+")) is None


def test_sentence_scan_finds_whole_reader_words() -> None:
    """The sentence scan's word occurrences are exactly the whole tokens that are reader words."""
    lex = load_lexicon()
    assert lex.reader_words is not None
    for text in (
        "they won't meet, but didn't say whether talks would resume; t-shirts aside.",
        "ap reported that the ministers would not meet unless moscow brokered talks",
        "attempt: if, to, no -- noting, adding after before",
    ):
        _, occurrences = _scan_sentence(text, lex)
        expected = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\w+", text) if m.group() in lex.reader_words]
        assert occurrences == expected, text
