"""The extraction modules' fast paths answer exactly what the regexes they stand in for would."""

from __future__ import annotations

import random
import re

from wirewatch.processors.extraction import signals as S
from wirewatch.processors.extraction.gates import WORD_TOKEN
from wirewatch.processors.extraction.signals import _scan_sentence, load_lexicon
from wirewatch.processors.extraction.text import _is_abbreviation_stop, _plain_word_stop

_SENTENCES = (
    "The two countries agreed to restore ties, and both sides said their relations would improve.",
    "Talks between them stalled; the rivals accused each other of bad faith, one another too.",
    "Bilateral trade between Turkey and Egypt rose, the two countries' ministers said.",
    "Iran, Iraq and Syria, as well as Turkey, met along with the EU in Vienna.",
    "A senior Turkish official told Reuters that Ankara would not meet unless Moscow brokered talks.",
    "Nothing here names anyone at all.",
)


def test_pair_anaphors_read_by_the_admitted_alternatives() -> None:
    """The sub-alternation of the alternatives a sentence's literals admit finds what the whole does."""
    lex = load_lexicon()
    for text in _SENTENCES:
        hits, _ = _scan_sentence(text.lower(), lex)
        pattern = lex.anaphora_union.pattern_for(hits)
        found = [m.span() for m in pattern.finditer(text)] if pattern is not None else []
        assert found == [m.span() for m in lex.anaphora.finditer(text)], text
    assert lex.anaphora_union.pattern_for(set()) is None


def test_speech_verbs_and_claimant_heads_equal_their_regexes() -> None:
    """Speech verbs read from the word occurrences sit where the regex matches; a claimant's head
    word is found exactly when the claimant regex's first alternative matches."""
    lex = load_lexicon()
    assert lex.speech_words is not None and lex.claimant_heads is not None
    heads = re.compile(lex.claimant_ok.pattern.split("|(?-i:")[0], re.IGNORECASE)
    for text in _SENTENCES:
        low = text.lower()
        _, occurrences = _scan_sentence(low, lex)
        verbs = [start for start, _, word in occurrences if word in lex.speech_words]
        assert verbs == [m.start() for m in lex.speech_verb.finditer(text)], text
        for piece in re.split(r"[,;]", text):
            by_tokens = any(token in lex.claimant_heads for token in WORD_TOKEN.findall(piece.lower()))
            assert by_tokens == bool(heads.search(piece)), piece


def test_coordination_links_equal_their_regexes() -> None:
    """``_linked_before`` and ``_linked_after`` answer as ``_LINK_BEFORE`` and ``_LINK_AFTER`` do."""
    rng = random.Random(11)
    pieces = ["Iran", " and ", ", ", " as well as ", " along with ", " the ", " AND ", "  ", "Syria", " x", "\t"]
    checked = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        for m in re.finditer(r"Iran|Syria", text):
            mention = S._Mention(m.start(), m.end(), "IRN", "IRN", True)
            before = S._LINK_BEFORE.search(text, max(0, m.start() - 16), m.start()) is not None
            after = S._LINK_AFTER.match(text, m.end()) is not None
            assert S._linked_before(text, mention) == before, text
            assert S._linked_after(text, mention) == after, text
            checked += 1
    assert checked > 1000


def test_plain_word_stops_are_no_abbreviations() -> None:
    """A stop ``_plain_word_stop`` passes is never one ``_is_abbreviation_stop`` would keep."""
    rng = random.Random(5)
    words = ["said", "Gen", "U.S", "approx", "Messrs", "St", "No", "Jan", "etc", "p.m", "The", "J", "Tehran", "mr", "x"]
    passed = 0
    for _ in range(20000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 5))) + ". The talks"
        stop = text.index(". The talks")
        if _plain_word_stop(text, stop):
            passed += 1
            assert not _is_abbreviation_stop(text, stop, stop + 1), text
    assert passed > 1000


def test_speech_tokens_found_where_their_literals_occur() -> None:
    """``_has_token`` answers as the sentence's ``_WORDS`` token list does, joiners and all."""
    rng = random.Random(7)
    pieces = ["said", "told", " ", "-", "’", "'", "&", "x", "2", "é", "ł", "_", ",", "un"]
    agreed = 0
    for _ in range(20000):
        low = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        expected = not set(S._WORDS.findall(low)).isdisjoint({"said", "told"})
        assert S._has_token(low, {"said", "told"}) == expected, low
        agreed += expected
    assert agreed > 1000


def test_claimants_cleaned_as_by_the_space_regex() -> None:
    """Joining a claimant's words by one space and stripping its ends equals squeezing its space runs."""
    rng = random.Random(3)
    pieces = ["a", " ", "  ", "\t", "\n", '"', "“", ",", ".", "and ", "Reuters", "\u00a0", "’"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        squeezed = re.sub(r"\s+", " ", text).strip(" \t\"“”'‘’,.;:")
        assert S._clean_claimant(text) == S._LEADING_CONJUNCTION.sub("", squeezed), repr(text)
