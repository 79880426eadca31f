"""Sentence splitting for wire copy, as exact ``(start, end)`` spans into the original text.

Spans (never copies) so that every downstream offset — actor mentions, signal evidence — indexes the
article's ``text`` unchanged. Wire copy is full of periods that do not end sentences ("U.S.", "Gen.",
"Jan. 6", "No. 2", initials) and of quotes that close after the full stop, so a boundary is a
terminator followed by optional closing quotes/brackets, whitespace, then something that can open a
sentence — unless the word before the terminator is a known abbreviation or an initial.
Blank lines and single line breaks (paragraphs, datelines) always end a sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cmdr adm sgt cpl pvt brig sen rep gov pres st sr jr rev fr
    hon amb supt insp det messrs mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun
    no nos vol art fig approx est dept univ corp inc ltd co bros assn ave blvd rd
    vs etc al cf viz ca
    u.s u.k u.n e.u u.s.a u.a.e d.c p.m a.m i.e e.g
    """.split()
)

# Abbreviations that only abbreviate before a number ("No. 2", "Art. 5"); elsewhere "no." is a word.
NUMERIC_ABBREVIATIONS: frozenset[str] = frozenset({"no", "nos", "vol", "art", "fig", "p", "pp"})

# Abbreviations that routinely end a sentence too ("... based in the U.S. The talks ..."): for these
# a following capitalised word that is a common sentence opener still splits.
SENTENCE_FINAL_ABBREVIATIONS: frozenset[str] = frozenset({"u.s", "u.k", "u.n", "e.u", "d.c", "etc", "p.m", "a.m"})
SENTENCE_OPENERS: frozenset[str] = frozenset(
    """
    the a an it he she they we i this that these those but and in on at on for however meanwhile
    there his her their its our what when while if as after before last earlier later some many
    both such one two three
    """.split()
)

# One character class up front lets the regex engine skip to candidate positions in C; the branch
# after it tells a line break from a terminator run (closing quotes, then a sentence opener).
_BOUNDARY = re.compile(
    r"[.!?…\n](?:(?<=\n)\s*|(?<!\n)[.!?…]*[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9ÀÖØ-Þ]))"
)
_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."
_NEXT_WORD = re.compile(r"\s+[\"'“‘«(\[]?([A-Za-z]+)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return sentence spans ``(start, end)`` with ``text[start:end]`` stripped of outer whitespace.

    Actor recognition and signal detection both need the spans of the same article, so the last few
    results are cached (keyed on the text) and each caller gets its own list.
    """
    return list(_split_cached(text))


@lru_cache(maxsize=32)
def _split_cached(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_split(text, 0, len(text)))


def split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of the line ``text[start:end]`` (``start``/``end`` at line breaks or the ends).

    Line breaks always end a sentence, so these are exactly the spans of ``split_sentences(text)``
    that fall in the line: a caller that needs the sentences around a few offsets (actor
    recognition's sport check) splits those lines only, uncached.
    """
    return _split(text, start, end)


def _split(text: str, start: int, limit: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _BOUNDARY.finditer(text, start, limit):
        stop, after = match.span()
        char = text[stop]
        if char == "\n":
            end = stop
        else:
            if char == "." and not _plain_word_stop(text, stop) and _is_abbreviation_stop(text, stop, after):
                continue
            end = after
        # The chunk ``text[start:end]`` trimmed of whitespace, found without copying it (a sentence
        # usually has one space before it and none after).
        first, last = start, end
        while first < last and text[first].isspace():
            first += 1
        while last > first and text[last - 1].isspace():
            last -= 1
        if first < last:
            spans.append((first, last))
        start = after
    _append_span(text, start, limit, spans)
    return spans


def _plain_word_stop(text: str, stop: int) -> bool:
    """True when the full stop at ``stop`` ends a word of two or more ASCII letters, after a space,
    that is no abbreviation ("said.", "Tehran."): most stops, told without ``_is_abbreviation_stop``'s
    slicing (which would read the same word and find it in no list)."""
    space = text.rfind(" ", stop - 13 if stop > 13 else 0, stop)
    if space < 0:
        return False
    word = text[space + 1 : stop]
    return len(word) > 1 and word.isalpha() and word.isascii() and word.lower() not in ABBREVIATIONS


def _is_abbreviation_stop(text: str, stop: int, after: int) -> bool:
    """True when the terminator at ``stop`` belongs to an abbreviation or an initial ("Gen.", "J.")."""
    if text[stop] != ".":
        return False
    # The run of letters and dots ending at the stop (within 12 characters), from its first letter.
    window = text[max(0, stop - 12) : stop + 1]
    run = window[len(window.rstrip(_WORD_CHARS)) :].lstrip(".")
    if not run:
        return False
    word = run.lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return text[stop + 1 - len(run) : stop].isupper()
    if word not in ABBREVIATIONS:
        return False
    if word in NUMERIC_ABBREVIATIONS:
        return text[after : after + 2].strip()[:1].isdigit()
    if word in SENTENCE_FINAL_ABBREVIATIONS:
        nxt = _NEXT_WORD.match(text, after)
        if nxt and nxt.group(1).lower() in SENTENCE_OPENERS:
            return False
    return True


def _append_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append ``[start, end)`` trimmed of whitespace, if anything is left."""
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        start += len(chunk) - len(chunk.lstrip())
        spans.append((start, start + len(stripped)))


def sentence_at(spans: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The span containing ``offset`` (binary search), for callers that map mentions to sentences."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        s, e = spans[mid]
        if offset < s:
            hi = mid
        elif offset >= e:
            lo = mid + 1
        else:
            return spans[mid]
    return None
