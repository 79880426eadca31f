"""Literal gates for lexicon regexes: the words any match must contain, derived from the pattern.

Most lexicon regexes cannot match most sentences, and a substring or set test in C is far cheaper
than a regex scan (an alternation led by ``\\b`` gives the engine no prefix to skip to). The gates
are read from the compiled patterns themselves (``re._parser``), so lexicon authors never maintain
them; ``signals`` asks these questions of every sentence it reads.
"""

from __future__ import annotations

import importlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# The regex parser's internals have no stubs (typeshed only knows the deprecated ``sre_*`` aliases).
sre_constants: Any = importlib.import_module("re._constants")
sre_parser: Any = importlib.import_module("re._parser")

Gate = tuple[str, ...] | None


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more selective of two literal sets (the one whose shortest member is longest)."""
    if a is None or b is None:
        return a if b is None else b
    return a if min(map(len, a)) >= min(map(len, b)) else b


def _fewer(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The smaller of two literal sets (then the one with the longer shortest member, then ``b``)."""
    if a is None or b is None:
        return a if b is None else b
    if len(a) != len(b):
        return a if len(a) < len(b) else b
    return a if min(map(len, a)) > min(map(len, b)) else b


def _required(seq: Any, fewest: bool = False) -> set[str] | None:
    """Lower-case strings one of which every match of the parsed regex ``seq`` contains, or None;
    of the sets that would do, the most selective (``_better``) or the smallest (``_fewer``)."""
    choose = _fewer if fewest else _better
    best: set[str] | None = None
    run: list[str] = []
    for op, av in list(seq) + [(None, None)]:
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        if run:
            best = choose(best, {"".join(run).lower()})
            run = []
        if op is sre_constants.SUBPATTERN:
            best = choose(best, _required(av[3], fewest))
        elif op is sre_constants.BRANCH:
            alternatives = [_required(branch, fewest) for branch in av[1]]
            known = [alt for alt in alternatives if alt is not None]
            if len(known) == len(alternatives):
                best = choose(best, set().union(*known))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            best = choose(best, _required(av[2], fewest))
    return best


def gate_of(pattern: re.Pattern[str], fewest: bool = False) -> Gate:
    """The literals (lower case) one of which any match of ``pattern`` contains; None if unknown.
    By default the set whose shortest literal is longest (one set test against a text's literals
    costs the same for many as for few); ``fewest``: the smallest set, when a text's hits on the
    literals are to tell the pattern apart from others that share its common words."""
    found = _required(sre_parser.parse(pattern.pattern, pattern.flags), fewest)
    return tuple(sorted(found)) if found and all(found) else None


# The literals of every sentence-level gate that occur in a sentence, found by one Aho-Corasick pass
# (``Lexicon.scanner``): each gate is then a set test instead of a substring search per literal.
Hits = set[str] | None


def admits(gate: Gate, hits: Hits) -> bool:
    """``may_match`` read from the literals ``hits`` found in the text (None: cannot tell)."""
    return gate is None or hits is None or not hits.isdisjoint(gate)


def may_match(gate: Gate, low: str | None) -> bool:
    """False only when ``low`` (lower-cased text; None: cannot tell) holds none of the gate's literals."""
    if gate is None or low is None:
        return True
    for literal in gate:
        if literal in low:
            return True
    return False


def _first(seq: Any) -> set[str] | None:
    """Characters a match of the parsed regex ``seq`` can start with; None when unknown."""
    for op, av in seq:
        if op is sre_constants.AT or op is sre_constants.ASSERT or op is sre_constants.ASSERT_NOT:
            # Zero width: the first character consumed comes after (skipping the assertion can only
            # widen the set, so the guard stays a necessary condition).
            continue
        if op is sre_constants.LITERAL:
            return {chr(av)}
        if op is sre_constants.IN:
            chars: set[str] = set()
            for item, value in av:
                if item is sre_constants.LITERAL:
                    chars.add(chr(value))
                elif item is sre_constants.RANGE and value[1] - value[0] <= 64:
                    chars.update(map(chr, range(value[0], value[1] + 1)))
                else:
                    return None
            return chars
        if op is sre_constants.SUBPATTERN:
            return _first(av[3])
        if op is sre_constants.BRANCH:
            found: set[str] = set()
            for branch in av[1]:
                first = _first(branch)
                if first is None:
                    return None
                found |= first
            return found
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            return _first(av[2])
        return None
    return None


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` behind a lookahead on its possible first characters: the same matches, but the
    engine rejects most positions with one class test instead of trying every alternative there."""
    first = _first(sre_parser.parse(pattern.pattern, pattern.flags))
    if not first or _GLOBAL_FLAGS.match(pattern.pattern):
        return pattern
    chars = "".join(re.escape(c) for c in sorted(first))
    return re.compile(f"(?=[{chars}])(?:{pattern.pattern})", pattern.flags)


@dataclass(frozen=True, slots=True)
class GatedUnion:
    """The alternation ``(?:(?:p1)|(?:p2)|...)`` of ``alternatives`` (guarded), read in a text by the
    sub-alternation of the alternatives whose gate literals occur there. An alternative that cannot
    match anywhere in the text fails at every position where the whole alternation tries it, so
    leaving it out changes nothing ``finditer`` finds; the sub-alternations are compiled on demand."""

    alternatives: tuple[str, ...]
    gates: tuple[Gate, ...]  # per alternative, the fewest literals one of which its matches hold
    flags: int
    compiled: dict[tuple[int, ...], re.Pattern[str] | None] = field(default_factory=dict)

    def pattern_for(self, hits: set[str]) -> re.Pattern[str] | None:
        """The alternation of the alternatives ``hits`` (the literals found in the text) admits."""
        key: list[int] = []
        for i, gate in enumerate(self.gates):
            if gate is None or not hits.isdisjoint(gate):
                key.append(i)
        chosen = tuple(key)
        try:
            return self.compiled[chosen]
        except KeyError:
            pattern = _alternation([self.alternatives[i] for i in chosen], self.flags) if chosen else None
            self.compiled[chosen] = pattern
            return pattern


def _alternation(alternatives: list[str], flags: int) -> re.Pattern[str]:
    return guarded(re.compile("(?:" + "|".join(f"(?:{p})" for p in alternatives) + ")", flags))


def gated_union(alternatives: Iterable[str], flags: int) -> tuple[re.Pattern[str], GatedUnion]:
    """The guarded alternation of ``alternatives`` and its ``GatedUnion``."""
    alts = tuple(alternatives)
    gates = tuple(gate_of(re.compile(p, flags), fewest=True) for p in alts)
    return _alternation(list(alts), flags) if alts else re.compile(r"(?!)"), GatedUnion(alts, gates, flags)


# Characters that case-insensitive matching folds onto ASCII letters although ``str.lower`` does
# not map them there; a sentence holding one is never gated.
_FOLD_EXOTIC_CHARS = "\u0130\u0131\u017f\u212a"
FOLD_EXOTIC = re.compile(f"[{_FOLD_EXOTIC_CHARS}]")


def has_exotic(text: str) -> bool:
    """``FOLD_EXOTIC.search(text)``, by substring tests: instant for Latin-1 text, which cannot hold them."""
    return any(c in text for c in _FOLD_EXOTIC_CHARS)


# ---------------------------------------------------------------------------------------------
# Word gates: a cue scope is read from its words. Each cue pattern is expanded (branches, optional
# parts) into paths; a path's head is the word it starts with at a word boundary ("den(?:y|ied)" ->
# deny, denied; "reject\w*" -> prefix reject). A path that is exactly one word ("\bnot\b") is
# *simple*: it matches a whole token or nothing, so its category is read off a set intersection.
# Only when a word of some longer path ("no longer", "would be expected") or a prefix occurs does
# the scope fall back to the regex, so the result is the regex's, at a fraction of the cost.

_MAX_PATHS = 4096
WORD_TOKEN = re.compile(r"\w+")


_NON_WORD_CATEGORIES = (sre_constants.CATEGORY_NOT_WORD, sre_constants.CATEGORY_SPACE)


def _nonword(op: Any, av: Any) -> int | None:
    """Minimum width of ``op`` when it can only consume non-word characters, else None."""
    if op is sre_constants.LITERAL:
        return None if WORD_TOKEN.fullmatch(chr(av)) else 1
    if op is sre_constants.IN:
        for item, value in av:
            if item is sre_constants.LITERAL and not WORD_TOKEN.fullmatch(chr(value)):
                continue
            if item is sre_constants.CATEGORY and value in _NON_WORD_CATEGORIES:
                continue
            return None
        return 1
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and len(av[2]) == 1:
        inner = _nonword(*av[2][0])
        return None if inner is None else av[0]
    return None


def _paths(seq: Any) -> list[list[tuple[Any, Any]]] | None:
    """``seq`` as flat op lists in the engine's try order (branches and ``?`` expanded)."""
    paths: list[list[tuple[Any, Any]]] = [[]]
    for op, av in seq:
        if op is sre_constants.SUBPATTERN and not av[1] and not av[2]:
            alts = _paths(av[3])
        elif op is sre_constants.BRANCH:
            alts = []
            for branch in av[1]:
                sub = _paths(branch)
                if sub is None:
                    return None
                alts.extend(sub)
        elif op is sre_constants.MAX_REPEAT and av[0] == 0 and av[1] == 1:
            sub = _paths(av[2])
            alts = None if sub is None else sub + [[]]
        else:
            alts = [[(op, av)]]
        if alts is None or len(paths) * len(alts) > _MAX_PATHS:
            return None
        paths = [p + a for p in paths for a in alts]
    return paths


_WORD_TAIL = (
    sre_constants.MAX_REPEAT,
    (0, sre_constants.MAXREPEAT, [(sre_constants.IN, [(sre_constants.CATEGORY, sre_constants.CATEGORY_WORD)])]),
)


def _head(path: list[tuple[Any, Any]]) -> tuple[str, bool, bool] | None:
    """(word, exact, simple) for a flat path: every match holds a token equal to (exact) or starting
    with ``word``, the rarest such token the path names ("in the event" -> event, exact); simple
    paths match exactly one whole token. None when the path names no token."""
    bound = (sre_constants.AT, sre_constants.AT_BOUNDARY)
    found: list[tuple[str, bool]] = []
    i, start = 0, False
    while i < len(path):
        op, av = path[i]
        if op is sre_constants.AT and av in (sre_constants.AT_BOUNDARY, sre_constants.AT_BEGINNING):
            start = True
            i += 1
            continue
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            # Zero width: the position stays; a lookbehind on a non-word character marks a token start.
            behind = av[0] < 0 and op is sre_constants.ASSERT and len(av[1]) == 1 and _nonword(*av[1][0])
            start = start or bool(behind)
            i += 1
            continue
        width = _nonword(op, av)
        if width is not None:
            start = start or width > 0
            i += 1
            continue
        j = i
        while j < len(path) and path[j][0] is sre_constants.LITERAL and WORD_TOKEN.fullmatch(chr(path[j][1])):
            j += 1
        if j > i and start:
            rest = path[j:]
            exact = bool(rest) and (rest[0] == bound or bool(_nonword(*rest[0])))
            found.append(("".join(chr(c) for _, c in path[i:j]), exact))
        start = False
        i = max(j, i + 1)
    if not found:
        return None
    # Rarest first: words of four letters or more, exact over prefix, longer, later in the path.
    best = max(range(len(found)), key=lambda k: (len(found[k][0]) >= 4, found[k][1], len(found[k][0]), k))
    word, exact = found[best]
    literal = [(sre_constants.LITERAL, ord(c)) for c in word]
    simple = len(found) == 1 and path in ([bound, *literal, bound], [bound, *literal, _WORD_TAIL, bound])
    return word, exact, simple


@dataclass(frozen=True, slots=True)
class WordGate:
    """The categories of a cue scope's simple one-word paths, and the words that need the regex."""

    simple: dict[str, str]  # exact word -> category of the first path accepting it
    fallback: frozenset[str]  # exact head words of longer paths (or shadowed simple words)
    prefixes: re.Pattern[str] | None  # heads of prefix paths: a substring of one sends the scope to the regex
    prefix_words: tuple[str, ...] = ()


def _heads_of(pattern: str, flags: int) -> list[tuple[str, bool, bool]] | None:
    """The head word of every path through ``pattern``; None when some path has none."""
    paths = _paths(sre_parser.parse(pattern, flags))
    if paths is None:
        return None
    heads: list[tuple[str, bool, bool]] = []
    for path in paths:
        head = _head(path)
        if head is None:
            return None
        heads.append(head)
    return heads


def word_gate(alternatives: Iterable[tuple[str, str]], flags: int = 0) -> WordGate | None:
    """Derive the word gate of ``(category, pattern)`` alternatives, in order; None if any path has no head."""
    simple: dict[str, str] = {}
    fallback: set[str] = set()
    prefixes: set[str] = set()
    for cat, pattern in alternatives:
        heads = _heads_of(pattern, flags)
        if heads is None:
            return None
        for word, exact, is_simple in heads:
            if not exact:
                prefixes.add(word)
            elif is_simple:
                simple.setdefault(word, cat)
            else:
                fallback.add(word)
    prefix_any = re.compile("|".join(map(re.escape, sorted(prefixes)))) if prefixes else None
    return WordGate(simple, frozenset(fallback), prefix_any, tuple(sorted(prefixes)))


@dataclass(frozen=True, slots=True)
class CueScope:
    """A modality scope's alternatives with the head words of each (a token equal to an exact head,
    or starting with a prefix head, is in every match). An alternative whose heads are absent cannot
    match anywhere, and leaving it out of the alternation changes nothing ``finditer`` finds; so a
    scope is read by the alternation of the few alternatives whose heads occur, compiled on demand."""

    alternatives: tuple[str, ...]  # "(?P<category_i>pattern)", in the scope's order
    exact: dict[str, frozenset[int]]
    prefixes: dict[str, frozenset[int]]
    compiled: dict[tuple[int, ...], re.Pattern[str] | None]
    headed: dict[str, frozenset[int]] = field(default_factory=dict)  # cache of ``headed_by``

    def pattern_for(self, words: Iterable[str]) -> re.Pattern[str] | None:
        """The alternation of the alternatives whose heads are among ``words`` (None: no such one)."""
        chosen: set[int] = set()
        for word in words:
            chosen |= self.headed_by(word)
        key = tuple(sorted(chosen))
        try:
            return self.compiled[key]
        except KeyError:
            pattern = guarded(re.compile("|".join(self.alternatives[i] for i in key))) if key else None
            self.compiled[key] = pattern
            return pattern

    def headed_by(self, word: str) -> frozenset[int]:
        """The alternatives ``word`` is a head of (an exact head, or starting with a prefix head);
        remembered, since the same few cue words come back sentence after sentence."""
        found = self.headed.get(word)
        if found is None:
            got = set(self.exact.get(word, ()))
            for prefix, idx in self.prefixes.items():
                if word.startswith(prefix):
                    got |= idx
            if len(self.headed) >= 65536:
                self.headed.clear()
            found = self.headed[word] = frozenset(got)
        return found


def cue_scope(alternatives: list[tuple[str, str]]) -> CueScope | None:
    """The ``CueScope`` of ``(group name, pattern)`` alternatives; None if some path has no head."""
    exact: dict[str, set[int]] = defaultdict(set)
    prefixes: dict[str, set[int]] = defaultdict(set)
    for i, (_, pattern) in enumerate(alternatives):
        heads = _heads_of(pattern, 0)
        if heads is None:
            return None
        for word, is_exact, _ in heads:
            (exact if is_exact else prefixes)[word].add(i)
    return CueScope(
        tuple(f"(?P<{name}>{pattern})" for name, pattern in alternatives),
        {w: frozenset(v) for w, v in exact.items()},
        {w: frozenset(v) for w, v in prefixes.items()},
        {},
    )


def gated_cues(gate: WordGate, pattern: re.Pattern[str], text: str) -> set[str]:
    """Categories of ``pattern``'s matches in ``text`` (as ``_cues``), read from words when possible."""
    if gate.prefixes is not None and gate.prefixes.search(text):
        return {m.lastgroup.rsplit("_", 1)[0] for m in pattern.finditer(text) if m.lastgroup}
    words = set(WORD_TOKEN.findall(text))
    if not words.isdisjoint(gate.fallback):
        return {m.lastgroup.rsplit("_", 1)[0] for m in pattern.finditer(text) if m.lastgroup}
    simple = gate.simple
    return {simple[w] for w in words.intersection(simple)}



@dataclass(frozen=True, slots=True)
class WordHeads:
    """Whole words (lower case) one of which every match of a pattern holds as a token, and the
    prefixes one of which it holds at a token start: a far stronger gate than substrings."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    prefix_start: re.Pattern[str] | None  # any of ``prefixes`` at a token start

    def admits(self, words: set[str], low: str, hits: Hits = None) -> bool:
        """False only when no match is possible in ``low`` (tokens ``words``; literals ``hits``)."""
        if not words.isdisjoint(self.words):
            return True
        if hits is not None:
            if hits.isdisjoint(self.prefixes):
                return False
            return self.prefix_start is not None and self.prefix_start.search(low) is not None
        return self.starts_some(low)

    def starts_some(self, low: str) -> bool:
        """Whether a token of ``low`` starts with one of the prefixes."""
        for prefix in self.prefixes:
            if prefix in low:
                return self.prefix_start is not None and self.prefix_start.search(low) is not None
        return False


def _heads(words: Iterable[str], prefixes: Iterable[str]) -> WordHeads:
    ordered = tuple(sorted(set(prefixes)))
    start = re.compile(r"(?<!\w)(?:{})".format("|".join(map(re.escape, ordered)))) if ordered else None
    return WordHeads(frozenset(words), ordered, start)


def union_heads(parts: Iterable[WordHeads | None]) -> WordHeads | None:
    """The heads of an alternation of patterns with heads ``parts``; None if any is unknown."""
    words: set[str] = set()
    prefixes: set[str] = set()
    for part in parts:
        if part is None:
            return None
        words |= part.words
        prefixes.update(part.prefixes)
    return _heads(words, prefixes)


def heads_of(pattern: re.Pattern[str]) -> WordHeads | None:
    """The ``WordHeads`` of an unguarded pattern; None when some path has no head word."""
    paths = _paths(sre_parser.parse(pattern.pattern, pattern.flags))
    if paths is None:
        return None
    words: set[str] = set()
    prefixes: set[str] = set()
    for path in paths:
        head = _head(path)
        if head is None:
            return None
        word, exact, _ = head
        (words if exact else prefixes).add(word.lower())
    return _heads(words, prefixes)


def _top_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (outside groups and character classes)."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


@dataclass(frozen=True, slots=True)
class WordSplit:
    """An alternation read as whole-word alternatives (found with ``str.find`` on the tokens that
    occur) plus a regex for the rest, which only ever spans non-word characters: the two kinds of
    match cannot overlap, so their merge is the alternation's ``finditer``."""

    words: frozenset[str]
    rest: re.Pattern[str] | None
    rest_gate: re.Pattern[str] | None = None  # ``char_gate`` of ``rest``

    def spans(self, low: str, tokens: set[str], occurrences: Occurrences | None = None) -> list[tuple[int, int]]:
        """Match spans in ``low`` (lower-cased, tokens ``tokens``; or the whole-word ``occurrences``
        of a superset of ``words``, if known), in text order."""
        rest: list[tuple[int, int]] = []
        if self.rest is not None and (self.rest_gate is None or self.rest_gate.search(low)):
            rest = [m.span() for m in self.rest.finditer(low)]
        words = self.words
        if occurrences is None:
            occurrences = whole_words(low, words.intersection(tokens))
        found = rest + [(start, end) for start, end, word in occurrences if word in words]
        found.sort()
        return found


Occurrences = list[tuple[int, int, str]]  # (start, end, word) of whole-word occurrences


def whole_words(low: str, words: Iterable[str]) -> Occurrences:
    """Every occurrence of each of ``words`` as a whole token of ``low``."""
    found: Occurrences = []
    for word in words:
        size, at = len(word), low.find(word)
        while at >= 0:
            end = at + size
            if (at == 0 or not is_word(low[at - 1])) and (end == len(low) or not is_word(low[end])):
                found.append((at, end, word))
            at = low.find(word, at + 1)
    return found


def is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def word_split(pattern: str, flags: int) -> WordSplit | None:
    """The ``WordSplit`` of ``pattern``; None when an alternative is neither kind."""
    words: set[str] = set()
    rest: list[str] = []
    for alt in _top_alternatives(pattern):
        paths = _paths(sre_parser.parse(alt, flags))
        if paths is None:
            return None
        heads = [_head(path) for path in paths]
        simple = [h for h in heads if h is not None and h[1] and h[2]]
        if len(simple) == len(heads):
            words.update(h[0].lower() for h in simple)
        elif all(path and _nonword(*path[0]) and all(_nonword(*op) is not None for op in path) for path in paths):
            rest.append(alt)
        else:
            return None
    compiled = re.compile("|".join(rest), flags) if rest else None
    return WordSplit(frozenset(words), compiled, char_gate(compiled) if compiled is not None else None)


def _required_chars(seq: Any) -> set[str] | None:
    """Characters one of which every match of the parsed regex ``seq`` contains, or None."""
    best: set[str] | None = None
    for op, av in seq:
        found: set[str] | None
        if op is sre_constants.LITERAL:
            found = {chr(av)}
        elif op is sre_constants.IN:
            found = {chr(value) for _, value in av} if all(item is sre_constants.LITERAL for item, _ in av) else None
        elif op is sre_constants.SUBPATTERN:
            found = _required_chars(av[3])
        elif op is sre_constants.BRANCH:
            alternatives = [_required_chars(branch) for branch in av[1]]
            known = [alt for alt in alternatives if alt is not None]
            found = set().union(*known) if len(known) == len(alternatives) else None
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            found = _required_chars(av[2])
        else:
            continue
        if found is not None and (best is None or len(found) < len(best)):
            best = found
    return best


def char_gate(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A class of the characters one of which every match of ``pattern`` contains: a text it does
    not find cannot match (a class is searched in C, far faster than an alternation led by ``\\s``).
    None when unknown or when one is a cased character (case folding would need care)."""
    chars = _required_chars(sre_parser.parse(pattern.pattern, pattern.flags))
    if not chars or any(c.lower() != c.upper() for c in chars):
        return None
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")
