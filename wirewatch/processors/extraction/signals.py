"""Signal detection: who did what to whom, how sure, who says so — per sentence, rules as data.

``find_signals(text, actors)`` reads an article's text plus the actors found in it and returns one
``Signal`` per detected interaction between two dyad sides; ``dyad_verdicts(signals)`` sums them into
the article's verdict per dyad. Everything language-specific lives in ``lexicon/`` (event patterns
with CAMEO/PLOVER codes, Goldstein weights, modality, attribution and mediation cues, traps), so the
code here is only the reading procedure:

1. An Aho-Corasick automaton over the trigger keys picks candidate sentences; only those are read.
   A read sentence is scanned once for what its readers' gates ask (one Aho-Corasick pass for the
   gate literals, one trie regex for the whole words), so each gate is a set test, not a search.
2. In a candidate sentence the event patterns give trigger spans (longest wins on overlap).
3. Claimants ("a senior Turkish official told Reuters") and mediators ("Russia nudged Syria to ...")
   are read first, so that the actors inside them are not taken for participants.
4. Participants come from the trigger's clause, by the entry's frame (joint, directed, visit, host);
   "the two countries" and one-sided mediated events are resolved in a second pass, from the
   article's explicit dyads.
5. Modality from cue scopes around the trigger; confidence from the evidence's strength, Platt-scaled
   (``lexicon/calibration.yaml``, fitted on the labelled set by ``evaluate_signals``).
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from wirewatch.schemas.models import Actor, DyadVerdict, Evidence, Signal

from .gates import (
    FOLD_EXOTIC,
    WORD_TOKEN,
    CueScope,
    Gate,
    GatedUnion,
    Hits,
    Occurrences,
    WordGate,
    WordHeads,
    WordSplit,
    admits,
    cue_scope,
    gate_of,
    gated_union,
    gated_cues,
    guarded,
    has_exotic,
    heads_of,
    is_word,
    may_match,
    union_heads,
    whole_words,
    word_gate,
    word_split,
)

LEXICON_DIR = Path(__file__).with_name("lexicon")

# Strength of the evidence for the participants, a factor of the raw confidence (see README.md).
ARGUMENT_FACTORS: dict[str, float] = {"explicit": 1.0, "speaker": 0.85, "anaphor": 0.85, "context": 0.7}
MODALITY_FACTORS: dict[str, float] = {"reported": 1.0, "planned": 0.9, "hypothetical": 0.75, "denied": 0.85}
STATE_ROLES = frozenset({"", "GOV", "MIL", "SPY", "COP", "JUD", "LEG", "ELI", "PTY", "BUS", "HLH", "EDU", "MED"})
# Actor types that never stand as a side of a political dyad.
NON_PARTY_TYPES: frozenset[str] = frozenset({"company"})
# Signals whose Goldstein magnitude is below this carry no weight in a dyad's verdict.
NEUTRAL_GOLDSTEIN = 1.0
LEFT_WINDOW = 160
RIGHT_WINDOW = 130
GOVERN_SPAN = 110


# ---------------------------------------------------------------------------------------------
# Lexicon


@dataclass(frozen=True, slots=True)
class EventRule:
    """One lexicon entry: a family of trigger patterns with its codes and argument frame."""

    id: str
    kind: str
    cameo: str
    plover: str
    goldstein: float
    polarity: str
    frame: str
    weight: float
    governs: bool
    patterns: tuple[tuple[re.Pattern[str], Gate], ...]  # each trigger pattern with its literal gate
    implicit_target: bool = False
    # A mediator named in the sentence brokered the event, so it is no participant: cooperative
    # events, except appeals, whose appealer is their source even when a cue names it.
    mediable: bool = False
    gate: Gate = None  # the union of the patterns' gates (None: some pattern has none)


@dataclass(frozen=True, slots=True)
class MediationCue:
    """A mediation cue and where its mediator stands relative to it."""

    pattern: re.Pattern[str]
    mediator: str
    needs_party_after: bool
    gate: Gate = None
    heads: WordHeads | None = None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything ``find_signals`` reads, compiled once."""

    rules: tuple[EventRule, ...]
    automaton: Any  # Aho-Corasick over the trigger keys and the pair anaphors' gate literals (``_article_scan``)
    modality: dict[str, re.Pattern[str] | None]
    modality_gates: dict[str, Gate]
    modality_words: dict[str, WordGate | None]
    cue_classes: dict[str, tuple[str | None, ...]]  # cache of ``_cue_classes``
    cue_scopes: dict[str, CueScope | None]
    cue_words: frozenset[str] | None  # every word some modality scope looks at (None: scopes not word-gated)
    cue_prefixes: re.Pattern[str] | None  # tokens starting with some scope's cue prefix
    cue_prefix_words: tuple[str, ...]
    near_words: int
    attribution: tuple[tuple[re.Pattern[str], Gate], ...]
    outlet_patterns: tuple[re.Pattern[str], ...]
    claimant_ok: re.Pattern[str]
    claimant_heads: frozenset[str] | None  # ``claimant_ok``'s head words (None: not all single words)
    mediation: tuple[MediationCue, ...]
    mediation_any: re.Pattern[str]
    mediation_gate: Gate
    mediation_heads: WordHeads | None
    outlet_any: re.Pattern[str]
    outlet_heads: WordHeads | None
    mediation_window: int
    anaphora: re.Pattern[str]
    anaphora_union: GatedUnion  # ``anaphora`` read by the alternatives a sentence's literals admit
    anaphora_gate: Gate
    location_before: re.Pattern[str]
    topic_before: re.Pattern[str]
    forum_before: re.Pattern[str]
    irregular_past: frozenset[str]
    origin_before: re.Pattern[str]
    agent_qualifiers: frozenset[str]
    grievance_before: re.Pattern[str]
    clause_break: re.Pattern[str]
    clause_split: WordSplit | None
    traps: tuple[tuple[frozenset[str], tuple[str, ...], int], ...]
    # Per trap domain: the occasion phrase and the number of sides named by their officials that,
    # together, lift its veto (``_occasion_only``), or None.
    trap_occasions: tuple[tuple[re.Pattern[str], int] | None, ...]
    speech: frozenset[str]
    speech_verb: re.Pattern[str]
    speech_words: frozenset[str] | None  # ``speech_verb``'s words, when all are reader words
    speech_gate: Gate
    calibration: tuple[float, float]
    scanner: Any  # Aho-Corasick over the sentence-level gates' literals and the reader words (``_scan_sentence``)
    reader_words: frozenset[str] | None  # every word a reader tests for as a token (None: some reader needs all tokens)
    word_literals: frozenset[str]  # trap and speech words: a sentence holding none needs no word list
    trap_literals: frozenset[str]  # trap words and phrases: a sentence holding none is no trap


def _yaml(name: str, directory: Path) -> Any:
    with open(directory / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_goldstein(directory: Path = LEXICON_DIR) -> dict[str, float]:
    """CAMEO code -> Goldstein weight, from ``goldstein.tsv``."""
    table: dict[str, float] = {}
    with open(directory / "goldstein.tsv", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("cameo") or not line.strip():
                continue
            code, value = line.split()
            table[code] = float(value)
    return table


@lru_cache(maxsize=4)
def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Compile the YAML lexicon; cached, so the cost is paid once per process."""
    goldstein = load_goldstein(directory)
    rules: list[EventRule] = []
    key_rules: dict[str, set[int]] = defaultdict(set)
    whole: set[str] = set()
    for entry in _yaml("events.yaml", directory):
        idx = len(rules)
        compiled = tuple(guarded(re.compile(p, re.IGNORECASE)) for p in entry["patterns"])
        pattern_gates = [gate_of(p) for p in compiled]
        rules.append(
            EventRule(
                id=entry["id"],
                kind=entry["kind"],
                cameo=str(entry["cameo"]),
                plover=entry["plover"],
                goldstein=goldstein[str(entry["cameo"])],
                polarity=entry["polarity"],
                frame=entry["frame"],
                weight=float(entry.get("weight", 0.8)),
                governs=bool(entry.get("governs", False)),
                patterns=tuple(zip(compiled, pattern_gates, strict=True)),
                implicit_target=bool(entry.get("implicit_target", False)),
                mediable=entry["polarity"] == "cooperative" and entry["frame"] != "appeal",
                gate=None if None in pattern_gates else tuple(sorted({lit for g in pattern_gates if g for lit in g})),
            )
        )
        for key in entry["keys"]:
            key = key.lower()
            if key.endswith("|"):
                key = key[:-1]
                whole.add(key)
            key_rules[key].add(idx)

    mod = _yaml("modality.yaml", directory)
    near = int(mod.get("near_words", 5))
    modality: dict[str, re.Pattern[str] | None] = {}
    modality_words: dict[str, WordGate | None] = {}
    cue_scopes: dict[str, CueScope | None] = {}
    for scope in ("before_any", "before_near", "before_wide", "after_near"):
        modality_words[scope] = word_gate(
            (cat, p)
            for cat in ("conditional", "denied", "hypothetical", "planned")
            for p in mod.get(cat, {}).get(scope, [])
        )
        named = [
            (f"{cat}_{i}", p)
            for cat in ("conditional", "denied", "hypothetical", "planned")
            for i, p in enumerate(mod.get(cat, {}).get(scope, []))
        ]
        modality[scope] = guarded(re.compile("|".join(f"(?P<{name}>{p})" for name, p in named))) if named else None
        cue_scopes[scope] = cue_scope(named)

    cue_words: frozenset[str] | None = None
    cue_prefixes: re.Pattern[str] | None = None
    prefix_alts: list[str] = []
    if all(g is not None for g in modality_words.values()):
        word_gates = [g for g in modality_words.values() if g is not None]
        cue_words = frozenset().union(*(set(g.simple) | g.fallback for g in word_gates))
        prefix_alts = sorted({word for g in word_gates for word in g.prefix_words})
        if prefix_alts:
            cue_prefixes = re.compile(r"(?<!\w)(?:{})\w*".format("|".join(map(re.escape, prefix_alts))))

    att = _yaml("attribution.yaml", directory)
    outlets = sorted(att["outlets"], key=len, reverse=True)
    outlet_alt = "|".join(re.escape(o) for o in outlets)
    heads = "|".join(re.escape(h) for h in att["heads"])
    claimant_ok = re.compile(
        rf"\b(?:{heads})\b|(?-i:\b(?:{outlet_alt})\b)|^(?-i:[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){{0,3}})$",
        re.IGNORECASE,
    )
    attribution = tuple((pattern, gate_of(pattern)) for pattern in (guarded(re.compile(p, re.IGNORECASE)) for p in att["patterns"]))
    outlet_patterns = tuple(
        re.compile(p.replace("{OUTLET}", f"(?-i:{outlet_alt})"), re.IGNORECASE) for p in att["outlet_patterns"]
    )

    med = _yaml("mediation.yaml", directory)
    mediation = tuple(
        MediationCue(
            pattern,
            c["mediator"],
            bool(c.get("needs_party_after", False)),
            gate_of(pattern),
            heads_of(re.compile(c["pattern"], re.IGNORECASE)),
        )
        for c in med["cues"]
        for pattern in (guarded(re.compile(c["pattern"], re.IGNORECASE)),)
    )
    mediation_any = re.compile("|".join(f"(?:{c.pattern.pattern})" for c in mediation), re.IGNORECASE)
    speech_verb = guarded(re.compile(r"\b(?:%s)\b" % att["speech_verbs"], re.IGNORECASE))

    refs = _yaml("references.yaml", directory)
    anaphora, anaphora_union = gated_union(refs["pair_anaphora"], re.IGNORECASE)
    traps_spec = _yaml("traps.yaml", directory)
    traps = tuple(
        (frozenset(w.lower() for w in v.get("words", [])), tuple(p.lower() for p in v.get("phrases", [])), int(v.get("min", 1)))
        for v in traps_spec.values()
    )
    trap_occasions = tuple(
        (re.compile(v["occasion_before"], re.IGNORECASE), int(v.get("officials", 2)))
        if v.get("occasion_before")
        else None
        for v in traps_spec.values()
    )
    cal = _yaml("calibration.yaml", directory) or {}
    speech = frozenset(att["speech_verbs"].split("|")) | {"according", "cited", "citing", "quoting"}
    outlet_heads = heads_of(re.compile(rf"\b(?:{outlet_alt})\b"))
    clause_split = word_split(refs["clause_break"], re.IGNORECASE)
    anaphora_gate = gate_of(anaphora)
    mediation_gate = gate_of(mediation_any)
    mediation_heads = union_heads(heads_of(re.compile(c["pattern"], re.IGNORECASE)) for c in med["cues"])
    word_literals = frozenset().union(speech, *(vocab for vocab, _, _ in traps))
    gates: list[Gate] = [g for rule in rules for _, g in rule.patterns]
    gates += [*anaphora_union.gates, anaphora_gate, mediation_gate]
    gates += [*(g for _, g in attribution), *(c.gate for c in mediation)]
    gates += [tuple(phrases) for _, phrases, _ in traps]
    gates += [h.prefixes for h in (mediation_heads, *(c.heads for c in mediation)) if h is not None]
    gates += [tuple(prefix_alts) if cue_words is not None else (), tuple(word_literals)]
    speech_words = frozenset(att["speech_verbs"].lower().split("|"))
    reader_words = _reader_words(cue_words, clause_split, mediation_heads, outlet_heads, mediation, speech_words)
    head_words = frozenset(h.lower() for h in att["heads"])
    return Lexicon(
        rules=tuple(rules),
        automaton=_article_automaton(key_rules, whole, anaphora_gate or ()),
        modality=modality,
        modality_gates={scope: gate_of(p) if p is not None else None for scope, p in modality.items()},
        modality_words=modality_words,
        cue_classes={},
        cue_scopes=cue_scopes,
        cue_words=cue_words,
        cue_prefixes=cue_prefixes,
        cue_prefix_words=tuple(prefix_alts) if cue_words is not None else (),
        near_words=near,
        attribution=attribution,
        outlet_patterns=outlet_patterns,
        claimant_ok=claimant_ok,
        claimant_heads=head_words if all(WORD_TOKEN.fullmatch(h) for h in head_words) else None,
        mediation=mediation,
        mediation_any=mediation_any,
        mediation_gate=mediation_gate,
        mediation_heads=mediation_heads,
        outlet_any=re.compile(rf"\b(?:{outlet_alt})\b"),
        outlet_heads=outlet_heads,
        mediation_window=int(med.get("window", 60)),
        anaphora=anaphora,
        anaphora_union=anaphora_union,
        anaphora_gate=anaphora_gate,
        location_before=guarded(re.compile(refs["location_before"], re.IGNORECASE)),
        topic_before=guarded(re.compile(refs["topic_before"], re.IGNORECASE)),
        forum_before=re.compile(refs["forum_before"], re.IGNORECASE),
        irregular_past=frozenset(w.lower() for w in refs.get("irregular_past", [])),
        origin_before=re.compile(refs["origin_before"], re.IGNORECASE),
        agent_qualifiers=frozenset(w.lower() for w in refs.get("agent_qualifiers", [])),
        grievance_before=re.compile(refs["grievance_before"], re.IGNORECASE),
        clause_break=re.compile(refs["clause_break"], re.IGNORECASE),
        clause_split=clause_split,
        traps=traps,
        trap_occasions=trap_occasions,
        speech=speech,
        speech_verb=speech_verb,
        speech_gate=gate_of(speech_verb),
        speech_words=speech_words if reader_words is not None and speech_words <= reader_words else None,
        calibration=(float(cal.get("a", 1.0)), float(cal.get("b", 0.0))),
        scanner=_sentence_automaton({lit for gate in gates if gate for lit in gate}, reader_words or frozenset()),
        reader_words=reader_words,
        word_literals=word_literals,
        trap_literals=frozenset().union(*(vocab | set(phrases) for vocab, phrases, _ in traps)),
    )


def _reader_words(
    cue_words: frozenset[str] | None,
    clause_split: WordSplit | None,
    mediation_heads: WordHeads | None,
    outlet_heads: WordHeads | None,
    mediation: tuple[MediationCue, ...],
    speech_words: frozenset[str],
) -> frozenset[str] | None:
    """Every word the sentence readers test for as a token (cue, clause-break, head and speech
    words); None when some reader does not work from words, or a word is not all word characters
    (its occurrences would then not be whole tokens): the readers then need the sentence's full token set."""
    heads = (mediation_heads, outlet_heads, *(c.heads for c in mediation))
    if cue_words is None or clause_split is None or any(h is None for h in heads):
        return None
    words = frozenset().union(cue_words, clause_split.words, speech_words, *(h.words for h in heads if h is not None))
    return words if all(WORD_TOKEN.fullmatch(word) for word in words) else None


def _sentence_automaton(literals: set[str], words: frozenset[str]) -> Any:
    """The automaton of ``_scan_sentence``: each gate literal and reader word reports (itself, its
    length less one, whether it is a gate literal, whether it is a reader word)."""
    automaton = ahocorasick.Automaton()
    for literal in literals | words:
        automaton.add_word(literal, (literal, len(literal) - 1, literal in literals, literal in words))
    automaton.make_automaton()
    return automaton


def _article_automaton(key_rules: dict[str, set[int]], whole: set[str], anaphor_literals: Iterable[str]) -> Any:
    """The automaton of ``_article_scan``: a trigger key reports (its rules, length, whether it must end
    a word, False), a gate literal of the pair anaphors (no rules, length, False, True); a literal
    that is both reports both."""
    automaton = ahocorasick.Automaton()
    anaphoric = set(anaphor_literals)
    for literal in set(key_rules) | anaphoric:
        rule_ids = frozenset(key_rules.get(literal, ()))
        automaton.add_word(literal, (rule_ids, len(literal), literal in whole, literal in anaphoric))
    automaton.make_automaton()
    return automaton


# ---------------------------------------------------------------------------------------------
# Collaborators (actor recognition and sentence splitting live beside this module)


@lru_cache(maxsize=1)
def _line_splitter() -> Callable[[str, int, int], list[tuple[int, int]]] | None:
    """``text.split_line``: the sentence spans of one line of a text (None: split whole texts with
    ``_fallback_split``)."""
    try:
        from wirewatch.processors.extraction.text import split_line
    except ImportError:
        return None
    return split_line


_FALLBACK_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*")


def _fallback_split(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _FALLBACK_BOUNDARY.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=1)
def _country_of() -> Callable[[str], str | None] | None:
    try:
        from wirewatch.processors.extraction.actors import country_of
    except ImportError:
        return None
    return country_of


def side_of(actor: Actor) -> str:
    """The dyad side an actor stands for: a state's organs count as the state, others as themselves."""
    return _side(actor.code, actor.country)


@lru_cache(maxsize=4096)
def _side(code: str, country: str | None) -> str:
    """``side_of`` by code and country (a bounded set of pairs, so cached)."""
    lookup = _country_of()
    if lookup is not None:
        side = lookup(code)
        if side:
            return side
    country = country or ""
    if country and code.startswith(country) and code[len(country) :] in STATE_ROLES:
        return country
    return code


# ---------------------------------------------------------------------------------------------
# Per-article working data


class _Mention:
    """An actor mention in sentence offsets. A plain slotted class, not a dataclass: mypyc compiles
    it to a native class with a native constructor (a dataclass keeps the interpreted ``__init__``)."""

    __slots__ = ("start", "end", "code", "side", "state")

    def __init__(self, start: int, end: int, code: str, side: str, state: bool) -> None:
        self.start = start
        self.end = end
        self.code = code
        self.side = side
        self.state = state

    def same(self, other: _Mention) -> bool:
        """Field equality (what a dataclass's ``==`` compared)."""
        return (
            self.start == other.start
            and self.end == other.end
            and self.code == other.code
            and self.side == other.side
            and self.state == other.state
        )


class _Trigger:
    """A trigger span (sentence offsets) and its rule."""

    __slots__ = ("start", "end", "rule")

    def __init__(self, start: int, end: int, rule: EventRule) -> None:
        self.start = start
        self.end = end
        self.rule = rule


class _Pending:
    """A signal whose participants may still need the article context (second pass)."""

    __slots__ = (
        "rule", "sent", "trig", "modality", "sides", "how", "mediator", "attribution", "distance",
        "anaphor_at", "has_cue_mediator", "context_sides", "implicit",
    )

    def __init__(
        self,
        rule: EventRule,
        sent: tuple[int, int],
        trig: tuple[int, int],
        modality: str,
        sides: list[tuple[str, str]],  # (side, actor code), text order
        how: str,
        mediator: str | None,
        attribution: str | None,
        distance: int,
        anaphor_at: int | None,
        has_cue_mediator: bool,
        context_sides: list[str],
        implicit: bool,
    ) -> None:
        self.rule = rule
        self.sent = sent
        self.trig = trig
        self.modality = modality
        self.sides = sides
        self.how = how
        self.mediator = mediator
        self.attribution = attribution
        self.distance = distance
        self.anaphor_at = anaphor_at
        self.has_cue_mediator = has_cue_mediator
        self.context_sides = context_sides
        self.implicit = implicit

    def with_sides(self, sides: list[tuple[str, str]], anaphor_at: int | None, how: str) -> _Pending:
        """A copy with other sides (the same reading of another pair)."""
        return _Pending(
            self.rule, self.sent, self.trig, self.modality, sides, how, self.mediator, self.attribution,
            self.distance, anaphor_at, self.has_cue_mediator, self.context_sides, self.implicit,
        )


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# What the automata report: (last character, payload); see ``_article_automaton`` and ``_sentence_automaton``.
KeyHit = tuple[int, tuple[frozenset[int], int, bool, bool]]
LiteralHit = tuple[int, tuple[str, int, bool, bool]]

MentionRow = tuple[int, int, str, str, bool]  # start, end, actor code, side, whether the side is a state


def _mentions(actors: Iterable[Actor]) -> list[MentionRow]:
    """Mentions of the actors that can be dyad sides (companies trade, they do not make policy:
    "Qatar Airways agreed with Boeing" is no rapprochement), by start, longer first, else as given.

    A mention inside another's span is a qualifier of that actor ("Iranian" in "Iranian-backed
    militia" names the sponsor), not a party of its own."""
    rows: list[tuple[int, int, int, str, str, bool]] = []
    for actor in actors:
        if actor.type in NON_PARTY_TYPES:
            continue
        side = _side(actor.code, actor.country)
        state = bool(actor.country) and side == actor.country
        code = actor.code
        for m in actor.mentions:
            rows.append((m.start, -m.end, len(rows), code, side, state))
    rows.sort()
    out: list[MentionRow] = []
    reach = -1  # the furthest end of the mentions kept so far (they start no later than this one)
    for start, neg_end, _, code, side, state in rows:
        end = -neg_end
        if end <= reach and (out[-1][0], out[-1][1]) != (start, end):
            continue  # inside a longer mention (a span shared by two actors stays with both)
        out.append((start, end, code, side, state))
        if end > reach:
            reach = end
    return out


# ---------------------------------------------------------------------------------------------
# Sentence-level readers


_WORDS = re.compile(r"[a-zà-ÿ][a-zà-ÿ&'’-]*")
_NO_WORDS: frozenset[str] = frozenset()


_WORD_JOINERS = "&'’-"  # the characters of a ``_WORDS`` token that are no letters


def _has_token(low: str, candidates: Iterable[str]) -> bool:
    """Whether one of ``candidates`` (words of letters) is among ``_WORDS.findall(low)``: a token runs
    from the first letter of a run of letters and joiners to the run's end, so an occurrence is one
    when no letter comes before it in its run and the run ends with it."""
    size = len(low)
    for word in candidates:
        at = low.find(word)
        while at >= 0:
            end = at + len(word)
            if end == size or not _in_word(low[end]):
                k = at - 1
                while k >= 0 and low[k] in _WORD_JOINERS:
                    k -= 1
                if k < 0 or not ("a" <= low[k] <= "z" or "à" <= low[k] <= "ÿ"):
                    return True
            at = low.find(word, at + 1)
    return False


def _in_word(c: str) -> bool:
    """Whether ``c`` continues a ``_WORDS`` token."""
    return "a" <= c <= "z" or "à" <= c <= "ÿ" or c in _WORD_JOINERS


def _is_trap(
    low: str, words: set[str] | frozenset[str], lex: Lexicon, hits: Hits = None, ments: list[_Mention] | None = None
) -> bool:
    """Whether the sentence reads as sport, food or markets (``lexicon/traps.yaml``)."""
    for i, (vocab, phrases, minimum) in enumerate(lex.traps):
        if minimum == 1:
            named = any(p in low for p in phrases) if hits is None else not hits.isdisjoint(phrases)
            if not vocab.isdisjoint(words) or named:
                occasion = lex.trap_occasions[i]
                if occasion is None or ments is None:
                    return True
                if not _occasion_only(low, words, vocab, phrases, ments, *occasion):
                    return True
            continue
        count = len(vocab & words)
        if count >= minimum:
            return True
        for p in phrases:
            if (p in low) if hits is None else (p in hits):
                count += 1
                if count >= minimum:
                    return True
    return False


def _occasion_only(
    low: str, words: set[str] | frozenset[str], vocab: frozenset[str], phrases: tuple[str, ...], ments: list[_Mention],
    occasion: re.Pattern[str], officials: int,
) -> bool:
    """Whether every cue of a trap domain names the occasion where officials of at least ``officials``
    sides met ("Mohammed bin Salman sat next to Putin at the World Cup opening match"): leaders at
    a match are still leaders. Read only for sentences the domain would veto."""
    if len({m.side for m in ments if m.state and m.code != m.side}) < officials:
        return False
    for cue in [*(vocab & words), *(p for p in phrases if p in low)]:
        at = low.find(cue)
        while at >= 0:
            after = at + len(cue)
            whole = (at == 0 or not low[at - 1].isalnum()) and (after >= len(low) or not low[after].isalnum())
            if whole and occasion.search(low, max(0, at - 60), at) is None:
                return False
            at = low.find(cue, after)
    return True


def _triggers(sentence: str, hits: Hits, rule_ids: Iterable[int], lex: Lexicon) -> list[_Trigger]:
    """The trigger spans of the candidate rules; the longest (then weightiest, first) wins on overlap.
    A pattern (or a whole rule) none of whose gate literals occurs is not run."""
    found: list[tuple[int, float, int, int, int, EventRule]] = []  # the sort key, then end and rule
    rules = lex.rules
    for idx in rule_ids:
        rule = rules[idx]
        if hits is not None and rule.gate is not None and hits.isdisjoint(rule.gate):
            continue
        for pattern, gate in rule.patterns:
            if gate is not None and hits is not None and hits.isdisjoint(gate):
                continue
            for m in pattern.finditer(sentence):
                start, end = m.span()
                found.append((start - end, -rule.weight, start, len(found), end, rule))
    if len(found) > 1:
        found.sort()
        kept: list[tuple[int, int, EventRule]] = []
        for _, _, start, _, end, rule in found:
            for k in kept:
                if end > k[0] and start < k[1]:
                    break
            else:
                kept.append((start, end, rule))
        kept.sort(key=_START)
        return [_Trigger(start, end, rule) for start, end, rule in kept]
    return [_Trigger(start, end, rule) for _, _, start, _, end, rule in found]


_START = itemgetter(0)


_LEADING_CONJUNCTION = re.compile(r"^(?:and|but|while|as|so)\s+", re.IGNORECASE)


def _clean_claimant(text: str) -> str:
    # Runs of spaces as one; the ends' spaces go with the stripped punctuation anyway.
    text = " ".join(text.split()).strip(" \t\"“”'‘’,.;:")
    return _LEADING_CONJUNCTION.sub("", text)


# Up to the last , ; : quote or bracket (greedy, so the match ends just after the last one).
_LAST_CLAIM_BOUNDARY = re.compile(r'.*[,;:“”"()]', re.DOTALL)


def _attribution(
    sentence: str,
    low: str,
    hits: Hits,
    lex: Lexicon,
    tokens: set[str] | None = None,
    occurrences: Occurrences | None = None,
) -> tuple[str | None, list[tuple[int, int]]]:
    """Who claims the sentence, and the spans (sentence offsets) of the claimant phrases.
    ``occurrences``: the sentence's whole-word occurrences of the reader words, if known (the speech
    verbs are then read from them, exactly where their regex would match)."""
    who: str | None = None
    spans: list[tuple[int, int]] = []
    speech = lex.speech_words
    if hits is not None and occurrences is not None and speech is not None:
        verbs = [start for start, _, word in occurrences if word in speech]
    else:
        verbs = [m.start() for m in lex.speech_verb.finditer(sentence)]
    for end in verbs:
        bound = _LAST_CLAIM_BOUNDARY.match(sentence, 0, end)
        begin = bound.end() if bound else 0
        cleaned = _clean_claimant(sentence[begin:end])
        if cleaned and len(cleaned.split()) <= 16 and _claimant_ok(cleaned, lex):
            spans.append((begin, end))
            if who is None:
                who = cleaned
    for pattern, gate in lex.attribution:
        if gate is not None and hits is not None and hits.isdisjoint(gate):
            continue
        for m in pattern.finditer(sentence):
            raw = m.group("who")
            cleaned = _clean_claimant(raw)
            if not cleaned or len(cleaned.split()) > 16 or not _claimant_ok(cleaned, lex):
                continue
            spans.append((m.start("who"), m.end("who")))
            if who is None:
                who = cleaned
    outlet: str | None = None
    heads = lex.outlet_heads
    named = heads is None or tokens is None or hits is None or heads.admits(tokens, low, hits)
    for pattern in lex.outlet_patterns if named and lex.outlet_any.search(sentence) else ():
        named_outlet = pattern.search(sentence)
        if named_outlet:
            outlet = named_outlet.group("outlet")
            spans.append((named_outlet.start("outlet"), named_outlet.end("outlet")))
            break
    if who and outlet and outlet.lower() not in who.lower():
        return f"{who} (via {outlet})", spans
    return who or outlet, spans


def _claimant_ok(cleaned: str, lex: Lexicon) -> bool:
    """``lex.claimant_ok.search(cleaned)``, answered by a head word among the tokens when there is one
    (most claimants: "a senior Turkish official"), which is the regex's first alternative."""
    heads = lex.claimant_heads
    if heads is not None and not has_exotic(cleaned):
        for token in WORD_TOKEN.findall(cleaned.lower()):
            if token in heads:
                return True
    return lex.claimant_ok.search(cleaned) is not None


def _inside(m: _Mention, spans: list[tuple[int, int]]) -> bool:
    for s, e in spans:
        if m.start >= s and m.end <= e:
            return True
    return False


_INFINITIVE_AFTER = re.compile(r"[^.;:]{0,80}?\bto\s+\w")
_COORDINATED = re.compile(r"(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+)(?:the\s+)?", re.IGNORECASE)


def _mediators(
    sentence: str, low: str, hits: Hits, ments: list[_Mention], claim_spans: list[tuple[int, int]], lex: Lexicon, tokens: set[str] | None = None
) -> list[tuple[str, int, int]]:
    """Mediator sides named by mediation cues, with the cue span (sentence offsets)."""
    found: list[tuple[str, int, int]] = []
    words: set[str] | None = None  # ``tokens`` when the cues are read by their head words
    if hits is not None and tokens is not None and lex.mediation_heads is not None:
        if not lex.mediation_heads.admits(tokens, low, hits):
            return found
        words = tokens
    elif not admits(lex.mediation_gate, hits) or not lex.mediation_any.search(sentence):
        return found
    window = lex.mediation_window
    usable = [m for m in ments if not _inside(m, claim_spans)] if claim_spans else ments
    for cue in lex.mediation:
        if words is not None and cue.heads is not None:
            if not cue.heads.admits(words, low, hits):
                continue
        elif not admits(cue.gate, hits):
            continue
        for c in cue.pattern.finditer(sentence):
            mediator: _Mention | None = None
            if cue.mediator == "before":
                before = [m for m in usable if m.end <= c.start() and c.start() - m.end <= window]
                if before and not lex.clause_break.search(sentence, before[-1].end, c.start()):
                    mediator = before[-1]
            elif cue.mediator == "after":
                after = [m for m in usable if m.start >= c.end() and m.start - c.end() <= 40]
                mediator = after[0] if after else None
                fronted = not sentence[: c.start()].strip(" \"'“‘(")
                for nxt in after[1:]:
                    link = sentence[mediator.end : nxt.start] if mediator else ""
                    if fronted and "," in link:
                        break
                    if _COORDINATED.fullmatch(link) and mediator:
                        found.append((mediator.side, c.start(), c.end()))
                        mediator = nxt
            elif cue.mediator == "adjacent":
                adj = [m for m in usable if 0 <= c.start() - m.end <= 1]
                mediator = adj[-1] if adj else None
            if mediator is None:
                continue
            if cue.needs_party_after:
                party = [m for m in usable if m.start >= c.end() and m.start - c.end() <= 40]
                if not party or party[0].side == mediator.side:
                    continue
                if not _INFINITIVE_AFTER.match(sentence[party[0].end :]):
                    continue
            found.append((mediator.side, c.start(), c.end()))
    return found


def _tail(text: str, words: int) -> str:
    """The last ``words`` words of ``text`` (with their punctuation)."""
    cut = len(text)
    for _ in range(words):
        cut = text.rfind(" ", 0, cut)
        if cut < 0:
            return text
        while cut > 0 and text[cut - 1] == " ":
            cut -= 1
    return text[cut:]


MODALITY_ORDER = ("conditional", "denied", "hypothetical", "planned")


def _cues(pattern: re.Pattern[str] | None, gate: Gate, text: str, words: WordGate | None = None) -> set[str]:
    """Modality categories whose cues occur in ``text`` (one pass over a combined pattern)."""
    if pattern is None or not text or not may_match(gate, text):
        return set()
    if words is not None:
        return gated_cues(words, pattern, text)
    return {m.lastgroup.rsplit("_", 1)[0] for m in pattern.finditer(text) if m.lastgroup}


class _CueIndex:
    """The sentence's tokens that matter to some modality scope (a head word of a cue, or a token
    starting with a cue prefix), found once per sentence; each trigger's four scopes then look only
    at the few marked tokens inside their character range, plus the pieces of tokens the range cuts.
    A scope with a marked longer-cue word or prefix is read by its regex, exactly as before."""

    __slots__ = ("low", "lex", "starts", "marks")

    def __init__(
        self, low: str, tokens: set[str], lex: Lexicon, hits: Hits = None, occurrences: Occurrences | None = None
    ) -> None:
        """``occurrences``: the whole-word occurrences of a superset of the cue words, if known."""
        self.low = low
        self.lex = lex
        cue_words = lex.cue_words
        assert cue_words is not None
        if occurrences is None:
            occurrences = whole_words(low, cue_words.intersection(tokens))
        found = [(start, end, word) for start, end, word in occurrences if word in cue_words]
        if lex.cue_prefixes is not None and (
            any(p in low for p in lex.cue_prefix_words) if hits is None else not hits.isdisjoint(lex.cue_prefix_words)
        ):
            marks = {start: (end, word) for start, end, word in found}
            for m in lex.cue_prefixes.finditer(low):
                marks[m.start()] = (m.end(), m.group())
            found = [(start, end, word) for start, (end, word) in marks.items()]
        found.sort()
        self.starts = [start for start, _, _ in found]
        self.marks = [(end, word, _cue_classes(word, lex)) for _, end, word in found]

    def cues(self, scope: str, a: int, b: int) -> set[str]:
        """``_cues`` of the scope over ``low[a:b]``."""
        if a >= b:
            return set()
        return self._read(MODALITY_SCOPES.index(scope), a, b, self._words(a, b))

    def _words(self, a: int, b: int) -> list[str]:
        """The marked tokens inside ``low[a:b]`` (``a < b``), plus the pieces of tokens it cuts."""
        low, starts = self.low, self.starts
        words: list[str] = []
        i = bisect.bisect_left(starts, a)
        while i < len(starts) and starts[i] < b:
            end, word, _ = self.marks[i]
            if end <= b:
                words.append(word)
            i += 1
        for piece in (_cut_at_start(low, a, b), _cut_at_end(low, a, b)):
            if piece is not None:
                words.append(piece)
        return words

    def _read(self, k: int, a: int, b: int, words: list[str]) -> set[str]:
        """Categories of scope ``k`` over ``low[a:b]`` whose tokens that matter are ``words``."""
        lex = self.lex
        fired: set[str] = set()
        for word in words:
            cat = _cue_classes(word, lex)[k]
            if cat is _REGEX:
                scope = MODALITY_SCOPES[k]
                cue = lex.cue_scopes[scope]
                pattern = lex.modality[scope] if cue is None else cue.pattern_for(words)
                if pattern is None:
                    return set()
                return {m.lastgroup.rsplit("_", 1)[0] for m in pattern.finditer(self.low[a:b]) if m.lastgroup}
            if cat is not None:
                fired.add(cat)
        return fired

    def modality(self, start: int, end: int, floor: int = 0) -> str:
        """``_modality`` of the trigger at ``low[start:end]``, its four scopes read from one walk over
        the marks (usually none or one in range) and the pieces of tokens the scopes cut. A word that
        fires nothing in a scope changes nothing there (``_read``), so each scope reads only the words
        that fire in it, and a scope with none is not read. The scopes before the trigger start no
        earlier than ``floor``."""
        low = self.low
        lex = self.lex
        n = len(low)
        a = start - 250 if start > 250 else 0
        if floor > a:
            a = floor
        b = start  # the end of ``low[a:start].rstrip()``
        while b > a and low[b - 1].isspace():
            b -= 1
        after_end = end + 60 if end + 60 < n else n
        before: list[tuple[int, str, tuple[str | None, ...]]] = []  # (start, word, classes) inside low[a:b]
        after: list[str] = []
        starts = self.starts
        if starts:
            marks = self.marks
            for i in range(bisect.bisect_left(starts, a) if a else 0, len(starts)):
                ms = starts[i]
                if ms >= after_end:
                    break
                me, word, classes = marks[i]
                if me <= b:
                    if classes[0] or classes[1] or classes[2]:
                        before.append((ms, word, classes))
                elif ms >= end and me <= after_end and classes[3]:
                    after.append(word)
        fired: set[str] = set()
        if a < b:
            # The pieces of the tokens cut at a and at b, placed at their starts: the tails start at a
            # space (or at a), so the piece at a is in the widest scope only, the piece at b in all.
            piece = _cut_at_start(low, a, b) if a else None
            if piece is not None:
                classes = _cue_classes(piece, lex)
                if classes[0] or classes[1] or classes[2]:
                    before.append((a, piece, classes))
            piece = _cut_at_end(low, a, b)
            if piece is not None:
                classes = _cue_classes(piece, lex)
                if classes[0] or classes[1] or classes[2]:
                    before.append((b - len(piece), piece, classes))
            if before:
                near, wide = _tail_starts(low, a, b, lex.near_words, 13)
                for k, lo in ((0, a), (1, near), (2, wide)):
                    if lo >= b:
                        continue
                    words = [w for ms, w, classes in before if ms >= lo and classes[k]]
                    if words:
                        fired |= self._read(k, lo, b, words)
        after_cues: set[str] = set()
        if end < after_end:
            piece = _cut_at_start(low, end, after_end)
            if piece is not None and _cue_classes(piece, lex)[3]:
                after.append(piece)
            piece = _cut_at_end(low, end, after_end)
            if piece is not None and _cue_classes(piece, lex)[3]:
                after.append(piece)
            if after:
                after_cues = self._read(3, end, after_end, after)
                fired |= after_cues
        return _verdict(fired, after_cues)


def _cut_at_start(low: str, a: int, b: int) -> str | None:
    """The piece of the token that ``low[a:b]`` (``a < b``) cuts at its start, if it cuts one."""
    if a > 0:
        c, d = low[a - 1], low[a]
        if (c.isalnum() or c == "_") and (d.isalnum() or d == "_"):
            piece = WORD_TOKEN.match(low, a, b)
            assert piece is not None  # ``low[a]`` is a word character
            return piece.group()
    return None


def _cut_at_end(low: str, a: int, b: int) -> str | None:
    """The piece of the token that ``low[a:b]`` (``a < b``) cuts at its end, if it cuts one."""
    if b < len(low):
        c, d = low[b], low[b - 1]
        if (c.isalnum() or c == "_") and (d.isalnum() or d == "_"):
            # Usually the token starts after the last space; otherwise walk back over word characters.
            k = low.rfind(" ", a, b) + 1
            piece = low[k if k > a else a : b]
            if piece.isalnum():
                return piece
            k = b - 1
            while k > a and is_word(low[k - 1]):
                k -= 1
            return low[k:b]
    return None


# A cue word's class in a scope whose other cues are longer phrases or prefixes: read the scope by its regex.
_REGEX = "regex"
MODALITY_SCOPES = ("before_any", "before_near", "before_wide", "after_near")


def _cue_classes(word: str, lex: Lexicon) -> tuple[str | None, ...]:
    """Per scope, the category a token fires (None: none; ``_REGEX``: the scope needs its regex)."""
    cache = lex.cue_classes
    classes = cache.get(word)
    if classes is None:
        out: list[str | None] = []
        for scope in MODALITY_SCOPES:
            gate = lex.modality_words[scope]
            assert gate is not None
            if word in gate.fallback or (gate.prefixes is not None and gate.prefixes.match(word)):
                out.append(_REGEX)
            else:
                out.append(gate.simple.get(word))
        if len(cache) >= 65536:
            cache.clear()
        classes = cache[word] = tuple(out)
    return classes


def _tail_starts(low: str, a: int, b: int, n1: int, n2: int) -> tuple[int, int]:
    """Where ``_tail(low[a:b], n1)`` and ``_tail(low[a:b], n2)`` start, in ``low``'s offsets."""
    segment = low[a:b]
    if "  " not in segment:
        # Single spaces: the tail of n words starts at the n-th space from the end, if there is one.
        parts = segment.rsplit(" ", max(n1, n2))
        return (
            b if n1 == 0 else b - len(" ".join(parts[-n1:])) - 1 if len(parts) > n1 else a,
            b if n2 == 0 else b - len(" ".join(parts[-n2:])) - 1 if len(parts) > n2 else a,
        )
    t1 = b if n1 == 0 else a
    t2 = b if n2 == 0 else a
    cut = b
    for i in range(1, max(n1, n2) + 1):
        cut = low.rfind(" ", a, cut)
        if cut < 0:
            break
        while cut > a and low[cut - 1] == " ":
            cut -= 1
        if i == n1:
            t1 = cut
        if i == n2:
            t2 = cut
    return t1, t2


def _verdict(fired: set[str], after_cues: set[str]) -> str:
    """The modality from the categories fired (precedence as in ``lexicon/modality.yaml``)."""
    if "conditional" in fired:
        return "hypothetical"
    if "denied" in fired:
        return "denied"
    if "hypothetical" in fired:
        return "planned" if "planned" in after_cues else "hypothetical"
    if "planned" in fired:
        return "planned"
    return "reported"


def _modality(sentence: str, start: int, end: int, lex: Lexicon, floor: int = 0) -> str:
    """Modality of the trigger at ``sentence[start:end]`` (lower-cased), from the scopes' regexes,
    the scopes before it starting no earlier than ``floor``; ``_CueIndex.modality`` reads the same
    from words."""
    before = sentence[max(0, start - 250, floor) : start].rstrip()
    mod, gates, words = lex.modality, lex.modality_gates, lex.modality_words
    fired = _cues(mod["before_any"], gates["before_any"], before, words["before_any"])
    fired |= _cues(mod["before_near"], gates["before_near"], _tail(before, lex.near_words), words["before_near"])
    fired |= _cues(mod["before_wide"], gates["before_wide"], _tail(before, 13), words["before_wide"])
    after_cues = _cues(mod["after_near"], gates["after_near"], sentence[end : end + 60], words["after_near"])
    fired |= after_cues
    return _verdict(fired, after_cues)


def _window(sentence: str, start: int, end: int, breaks: list[tuple[int, int]]) -> tuple[int, int]:
    """The trigger's clause: from the last break before it to the first break after it."""
    lo = start - LEFT_WINDOW if start > LEFT_WINDOW else 0
    left = lo
    hi = min(len(sentence), end + RIGHT_WINDOW)
    right = hi
    for b0, b1 in breaks:
        if b0 >= lo and b1 <= start:
            left = b1
        if b0 >= end:
            if b0 < hi:
                right = b0
            break
    return left, right


def _distinct(ms: Iterable[_Mention]) -> list[_Mention]:
    seen: set[str] = set()
    out: list[_Mention] = []
    for m in ms:
        if m.side not in seen:
            seen.add(m.side)
            out.append(m)
    return out


_BETWEEN = re.compile(r"^\s*(?:[\w'’-]+\s+){0,3}?(?:between|among)\b", re.IGNORECASE)
_THAT = re.compile(r"[\w'’-]*\s+that\b", re.IGNORECASE)
_HEAD = re.compile(r"[\w'’-]+")
# "X and Y traded accusations": a directed event done by each side to the other.
_RECIPROCAL = re.compile(r"\b(?:traded|trade|trading|exchanged|exchanging|swapped)\s+(?:\w+\s+)?$", re.IGNORECASE)
# "accused China of providing weapons to Russia": the event after "of" is the accusation's content.
_OF_COMPLEMENT = re.compile(r"\s+(?:[\w.'’-]+\s+){0,5}?of\s+", re.IGNORECASE)
_TRIGGER_PREP = re.compile(r"\b(?:in|into|at|on|near|around|off|across|inside)$", re.IGNORECASE)
_JUST_THE = re.compile(r"\s*(?:the\s+)?(?:[\w.'’-]+\s+){0,2}?", re.IGNORECASE)
_BY = re.compile(r"^\s*(?:[\w'’-]+\s+){0,2}?by\b", re.IGNORECASE)
# A form of "be" (or "get") just before a participle makes it passive: "was attacked by".
_AUX_BEFORE = re.compile(r"\b(?:was|were|been|being|be|is|are|got|gets|get)\s+(?:\w+ly\s+)?$", re.IGNORECASE)


def _active_past(sentence: str, start: int, head_end: int) -> bool:
    """The trigger's head is a past-tense verb with no auxiliary of the passive before it ("Ukraine
    welcomed the decision by the Netherlands"): a "by" after it belongs to its object, not to it."""
    return sentence.endswith("ed", start, head_end) and _AUX_BEFORE.search(sentence, max(0, start - 20), start) is None


def _unqualified(sentence: str, local: list[_Mention], qualifiers: frozenset[str]) -> list[_Mention]:
    """The mentions less those that only qualify the actor named right after them ("Russia-led CSTO")."""
    out: list[_Mention] = []
    for i, m in enumerate(local):
        if sentence.startswith("-", m.end) and i + 1 < len(local):
            word = _HEAD.match(sentence, m.end + 1)
            if word is not None and word.group().lower() in qualifiers and 0 <= local[i + 1].start - word.end() <= 2:
                continue
        out.append(m)
    return out


def _own_object(sentence: str, start: int, end: int, at: int) -> bool:
    """A trigger ending in its own preposition ("froze its participation in") takes the name right
    after it (at ``at``) as its object, not as a place."""
    if _TRIGGER_PREP.search(sentence, max(start, end - 7), end) is None:
        return False
    return _JUST_THE.fullmatch(sentence, end, at) is not None


def _from_origin(sentence: str, m: _Mention, lex: Lexicon) -> bool:
    """``m`` is named after "from": the doer of a nominal event with no subject before it."""
    return lex.origin_before.search(sentence, max(0, m.start - 10), m.start) is not None


def _participial(sentence: str, start: int) -> bool:
    """The trigger heads a participial phrase after a comma ("Zelenskiy told the U.N. General
    Assembly, accusing Moscow of ..."): its subject is the sentence's, not the nearest name."""
    k = start - 1
    while k >= 0 and sentence[k] == " ":
        k -= 1
    if k < 0 or sentence[k] != ",":
        return False
    head = _HEAD.match(sentence, start)
    return head is not None and head.group().lower().endswith("ing")


_AND_MODAL = re.compile(r"\band\s+(?:would|will|could|might|may|must|shall)\s+$", re.IGNORECASE)


def _coordinated_past(sentence: str, start: int, irregular: frozenset[str]) -> int | None:
    """Where the "and" starts when the trigger is a verb coordinated with the one before it ("denied any
    role and blamed Israel", "visited Brussels and met Stoltenberg", "opposed the sale and would take
    countermeasures"): a new predicate of the same subject. None otherwise."""
    if start > 4 and sentence.endswith("and ", start - 4, start) and not sentence[start - 5].isalnum():
        head = _HEAD.match(sentence, start)
        if head is None:
            return None
        word = head.group().lower()
        return start - 4 if word.endswith("ed") or word in irregular else None
    if sentence.find("and ", max(0, start - 12), start) < 0:
        return None
    modal = _AND_MODAL.search(sentence, max(0, start - 12), start)
    return modal.start() if modal else None


def _participants(
    sentence: str, trig: _Trigger, cands: list[_Mention], lex: Lexicon, window: tuple[int, int], places: _Preceded, topics: _Preceded, breaks: list[tuple[int, int]]
) -> tuple[list[_Mention], int]:
    """Source and target mentions (0, 1 or 2) for a trigger, and the farthest one's distance."""
    lb, rb = window
    rule = trig.rule
    frame = rule.frame
    start, end = trig.start, trig.end
    head = _HEAD.match(sentence, start)
    head_end = min(end, head.end()) if head else end
    that = _THAT.match(sentence, head_end) if rule.governs and rb < len(sentence) else None
    if that:
        hi = min(len(sentence), end + RIGHT_WINDOW)
        rb = next((b0 for b0, _ in breaks if b0 >= that.end() and b0 < hi), hi)
    # Nearest first, one per side; place (and, for joint events, topic) phrases are no participants.
    unplaced = frame == "joint" or frame == "directed"
    left: list[_Mention] = []
    right: list[_Mention] = []
    left_sides: set[str] = set()
    right_sides: set[str] = set()
    # ``cands`` are in text order: the walks stop at the first mention starting outside the window.
    for i in range(len(cands) - 1, -1, -1):
        m = cands[i]
        if m.start < lb:
            break
        if m.end <= start and m.side not in left_sides and not (unplaced and places.holds(m.start)):
            left_sides.add(m.side)
            left.append(m)
    joint = frame == "joint"
    for m in cands:
        if m.start > rb:
            break
        if (
            m.start >= head_end
            and m.end <= rb
            and m.side not in right_sides
            and not (joint and topics.holds(m.start))
            and not (unplaced and places.holds(m.start) and not _own_object(sentence, start, end, m.start))
        ):
            right_sides.add(m.side)
            right.append(m)
    gap_right = sentence[head_end : right[0].start] if right else ""
    chosen: list[_Mention]
    if frame == "joint":
        if len(right) >= 2 and _BETWEEN.match(gap_right):
            chosen = [right[0], right[1]]
        elif left and right and right[0].start - end <= 25 and right[0].side != left[0].side:
            chosen = [left[0], right[0]]
        elif len(left) >= 2:
            chosen = [left[1], left[0]]
        elif left and right and left[0].side != right[0].side:
            chosen = [left[0], right[0]]
        elif len(right) >= 2:
            chosen = [right[0], right[1]]
        else:
            chosen = (left or right)[:1]
    else:
        forum = right[0] if len(right) >= 2 and not right[0].state else None
        if forum is not None and lex.forum_before.search(sentence, max(0, forum.start - 12), forum.start):
            grievance = lex.grievance_before
            target = next((m for m in right[1:] if grievance.search(sentence, max(0, m.start - 40), m.start)), None)
            if target is not None:
                right = [target] + [m for m in right if m is not target]
        passive = bool(right) and bool(_BY.match(gap_right)) and not (left and _active_past(sentence, start, head_end))
        if passive:
            rest = right[1:] + left
            chosen = [right[0]] + ([m for m in rest if m.side != right[0].side][:1])
        elif left and right:
            chosen = [left[0], right[0]] if left[0].side != right[0].side else [left[0]]
        elif len(right) >= 2 and frame in ("visit", "host"):
            chosen = [right[0], right[1]]
        elif not right and len(left) >= 2 and _RECIPROCAL.search(sentence, max(lb, start - 25), start):
            chosen = [left[1], left[0]]
        elif not left and len(right) >= 2 and _from_origin(sentence, right[1], lex):
            chosen = [right[1], right[0]]
        else:
            chosen = (left or right)[:1]
    distance = 0
    for m in chosen:
        gap = start - m.end if m.end <= start else m.start - end
        if gap > distance:
            distance = gap
    return chosen, distance


# ---------------------------------------------------------------------------------------------
# Confidence


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def raw_score(weight: float, how: str, modality: str, distance: int, attributed: bool) -> float:
    """Uncalibrated strength of a signal's evidence in (0, 1): a product of independent factors."""
    dist = 1.0 if distance <= 40 else max(0.7, 1.0 - (distance - 40) / 400)
    return weight * ARGUMENT_FACTORS[how] * MODALITY_FACTORS[modality] * dist * (1.0 if attributed else 0.95)


def calibrate(raw: float, lex: Lexicon | None = None) -> float:
    """Platt-scaled confidence: sigmoid(a * logit(raw) + b), a and b fitted on the labelled set."""
    return _platt(raw, *(lex or load_lexicon()).calibration)


@lru_cache(maxsize=65536)
def _confidence(
    weight: float, how: str, modality: str, distance: int, attributed: bool, calibration: tuple[float, float]
) -> float:
    """``calibrate(raw_score(...))``: the arguments take few distinct values, so cached."""
    return _platt(raw_score(weight, how, modality, distance, attributed), *calibration)


@lru_cache(maxsize=8192)
def _platt(raw: float, a: float, b: float) -> float:
    """``calibrate`` for given coefficients; raw scores take few distinct values, so cached."""
    return round(_sigmoid(a * _logit(raw) + b), 4)


# ---------------------------------------------------------------------------------------------
# Public API


def find_signals(text: str, actors: list[Actor], published: datetime | str | None = None) -> list[Signal]:
    """Detect signals between dyad sides in ``text``; evidence spans index ``text`` exactly."""
    lex = load_lexicon()
    if not text or not actors:
        return []
    low = text.lower()
    # Sentences are bounded by spaces (or the text's ends), so where lower-casing keeps every length
    # a sentence's lower case is the slice of the article's (even a final sigma reads the same).
    same_length = len(low) == len(text)
    if not same_length:
        low = _lower(text)
    keys, anaphors = _article_scan(low, lex)
    if not keys:
        return []
    ments = _mentions(actors)
    mstarts = [m[0] for m in ments]
    exotic = has_exotic(text)
    spans = _sentences(text, keys, mstarts, anaphors, exotic, lex)
    candidates: dict[int, set[int]] = {}
    i, n = 0, len(spans)
    for end_idx, rule_ids in keys:  # in text order, as are the spans
        while i < n and spans[i][1] <= end_idx:
            i += 1
        if i < n and spans[i][0] <= end_idx:
            candidates.setdefault(i, set()).update(rule_ids)
    if not candidates:
        return []
    mends = [m[1] for m in ments]
    pending: list[_Pending] = []
    for i in sorted(candidates):
        s0, s1 = spans[i]
        lo, hi = bisect.bisect_left(mstarts, s0), bisect.bisect_left(mstarts, s1)
        if _idle(text, s0, s1, mends, lo, hi, anaphors, exotic, lex):
            continue
        sentence_low = low[s0:s1] if same_length else None
        pending.extend(_read_sentence(text, s0, s1, candidates[i], ments[lo:hi], exotic, lex, sentence_low))
    when = published.isoformat() if isinstance(published, datetime) else published
    return _resolve(text, pending, ments, lex, when or None)


def _article_scan(low: str, lex: Lexicon) -> tuple[list[tuple[int, frozenset[int]]], list[tuple[int, int]]]:
    """One pass over the lower-cased article: the trigger keys that start a word (and end one, if
    they must) as (last character, rules), in text order; and the spans of the pair anaphors' gate
    literals, by start, which tell the sentences that cannot hold an anaphor (``_idle``)."""
    size = len(low)
    keys: list[tuple[int, frozenset[int]]] = []
    anaphors: list[tuple[int, int]] = []
    for item in lex.automaton.iter(low):
        key_hit: KeyHit = item  # typed, so that the compiled unpacking reads the tuple directly
        end_idx, (rule_ids, klen, whole, anaphoric) = key_hit
        begin = end_idx - klen + 1
        if anaphoric:
            anaphors.append((begin, end_idx + 1))
        if not rule_ids or begin > 0 and low[begin - 1].isalnum():
            continue
        if whole and end_idx + 1 < size and low[end_idx + 1].isalnum():
            continue
        keys.append((end_idx, rule_ids))
    anaphors.sort()
    return keys, anaphors


def _holds(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether one of ``spans`` (sorted) lies within ``[start, end)``."""
    i = bisect.bisect_left(spans, (start,))
    while i < len(spans) and spans[i][0] < end:
        if spans[i][1] <= end:
            return True
        i += 1
    return False


def _sentences(
    text: str,
    keys: list[tuple[int, frozenset[int]]],
    mstarts: list[int],
    anaphors: list[tuple[int, int]],
    exotic: bool,
    lex: Lexicon,
) -> list[tuple[int, int]]:
    """The sentence spans of the lines that hold a trigger key and may hold a reading: an actor
    mention or (as ``_idle`` tells) a pair anaphor starts in them. Line breaks always end a sentence,
    so these are exactly the whole text's spans in those lines, and every sentence of the other lines
    would be idle; most of a long article is never split."""
    split_line = _line_splitter()
    if split_line is None:
        return _fallback_split(text)
    spans: list[tuple[int, int]] = []
    end = -1
    for key_end, _ in keys:  # in text order
        if key_end < end:
            continue
        start = text.rfind("\n", 0, key_end) + 1
        end = text.find("\n", key_end)
        if end < 0:
            end = len(text)
        if (
            bisect.bisect_left(mstarts, start) < bisect.bisect_left(mstarts, end)
            or exotic and FOLD_EXOTIC.search(text, start, end)
            or lex.anaphora_gate is None
            or _holds(anaphors, start, end)
        ):
            spans += split_line(text, start, end)
    return spans


def _idle(
    text: str,
    s0: int,
    s1: int,
    mends: list[int],
    lo: int,
    hi: int,
    anaphors: list[tuple[int, int]],
    exotic: bool,
    lex: Lexicon,
) -> bool:
    """True when the sentence holds no whole actor mention (those starting in it are ``lo:hi``) and
    cannot hold a pair anaphor (none of the anaphors' literals, at ``anaphors``, lies in it), so that
    ``_read_sentence`` would return nothing: decided on the article's offsets, without slicing the
    sentence (most candidate sentences end here). ``exotic``: the article holds a character whose
    case folding defeats literal gates."""
    for k in range(lo, hi):
        if mends[k] <= s1:
            return False
    if exotic and FOLD_EXOTIC.search(text, s0, s1) or lex.anaphora_gate is None:
        return False
    return not _holds(anaphors, s0, s1)


def _scan_sentence(low: str, lex: Lexicon) -> tuple[set[str], Occurrences]:
    """One pass over the lower-cased sentence: the gate literals it holds, and the whole-token
    occurrences (start, end, word) of the reader words, in text order (whole tokens cannot overlap,
    so their order by end is their order by start)."""
    hits: set[str] = set()
    occurrences: Occurrences = []
    size = len(low)
    for item in lex.scanner.iter(low):
        literal_hit: LiteralHit = item  # typed, so that the compiled unpacking reads the tuple directly
        end, (literal, back, gated, word) = literal_hit
        if gated:
            hits.add(literal)
        if word:
            start = end - back
            if start:
                c = low[start - 1]
                if c.isalnum() or c == "_":  # ``is_word``, inline: most hits are inside a longer word
                    continue
            if end + 1 < size:
                c = low[end + 1]
                if c.isalnum() or c == "_":
                    continue
            occurrences.append((start, end + 1, literal))
    return hits, occurrences


def _read_sentence(
    text: str,
    s0: int,
    s1: int,
    rule_ids: set[int],
    ments: list[MentionRow],
    exotic: bool,
    lex: Lexicon,
    low: str | None = None,
) -> list[_Pending]:
    """The pending signals of the sentence ``text[s0:s1]``; ``ments`` are the mentions starting in it;
    ``low``: its lower case, if known."""
    sentence = text[s0:s1]
    if low is None:
        low = sentence.lower()
    found, occurrences = _scan_sentence(low, lex)
    hits = None if exotic and FOLD_EXOTIC.search(sentence) else found
    local = [_Mention(start - s0, end - s0, code, side, state) for start, end, code, side, state in ments if end <= s1]
    if "-" in sentence and any(sentence.startswith("-", m.end) for m in local):
        local = _unqualified(sentence, local, lex.agent_qualifiers)
    if hits is None:
        anaphora: re.Pattern[str] | None = lex.anaphora
    else:
        anaphora = lex.anaphora_union.pattern_for(hits) if admits(lex.anaphora_gate, hits) else None
    anaphors = [m.span() for m in anaphora.finditer(sentence)] if anaphora is not None else []
    if not local and not anaphors:
        return []
    triggers = _triggers(sentence, hits, rule_ids, lex)
    if not triggers:
        return []
    if hits is None or not hits.isdisjoint(lex.trap_literals):
        words = set(_WORDS.findall(low)) if hits is None or not hits.isdisjoint(lex.word_literals) else _NO_WORDS
        if _is_trap(low, words, lex, hits, local):
            return []
        speaks = not words.isdisjoint(lex.speech)
    else:
        # No trap literal: of the sentence's word list only the speech words matter, looked up where
        # their literals occur.
        speaks = _has_token(low, hits & lex.speech)
    # The set of the reader words that occur stands for the sentence's tokens wherever a reader asks
    # whether one of them occurs.
    known: Occurrences | None = occurrences
    if lex.reader_words is not None:
        tokens = {word for _, _, word in occurrences}
    else:
        tokens = set(WORD_TOKEN.findall(low))
        known = None
    if lex.clause_split is not None and hits is not None:
        breaks = lex.clause_split.spans(low, tokens, known)
    else:
        breaks = [(m.start(), m.end()) for m in lex.clause_break.finditer(sentence)]
    places = _Preceded(sentence, lex.location_before, 60)
    topics = _Preceded(sentence, lex.topic_before, 40)
    attribution, claim_spans = _attribution(sentence, low, hits, lex, tokens, known) if speaks else (None, [])
    reads_mediators = any([t.rule.mediable or t.rule.kind == "mediation" for t in triggers])
    mediators = _mediators(sentence, low, hits, local, claim_spans, lex, tokens) if local and reads_mediators else []
    mediator_sides = {side for side, _, _ in mediators}
    mediator = mediators[0][0] if mediators else None
    if claim_spans:
        participants = [m for m in local if not _inside(m, claim_spans)]
        speakers = [m for m in local if _inside(m, claim_spans)]
    else:
        participants, speakers = local, []
    # The cross-clause readings need an "and" (coordinated predicates) or a comma (participles).
    has_and = "and " in low
    has_comma = "," in sentence
    suppressed: set[int] = set()
    for gi, g in enumerate(triggers):
        if not g.rule.governs:
            continue
        for ti in range(gi + 1, len(triggers)):
            t = triggers[ti]
            if t.start - g.end > GOVERN_SPAN:
                break
            if has_and and _coordinated_past(sentence, t.start, lex.irregular_past) is not None:
                break  # a new predicate: it and what follows are no longer the governed content
            alleged = g.rule.kind == "accusation" and _OF_COMPLEMENT.fullmatch(sentence, g.end, t.start) is not None
            if t.rule.polarity == g.rule.polarity or alleged:
                suppressed.add(ti)  # the governed content; what one is accused of is alleged, not reported
    cue_index = _CueIndex(low, tokens, lex, hits, known) if lex.cue_words is not None and len(low) == len(sentence) else None
    out: list[_Pending] = []
    for ti, trig in enumerate(triggers):
        if ti in suppressed:
            continue
        rule = trig.rule
        frame = rule.frame
        cooperative = rule.mediable
        if cooperative and mediator_sides:
            cands = [m for m in participants if m.side not in mediator_sides]
        else:
            cands = participants
        window = _window(sentence, trig.start, trig.end, breaks)
        chosen, distance = _participants(sentence, trig, cands, lex, window, places, topics, breaks)
        how = "explicit"
        conjunction = _coordinated_past(sentence, trig.start, lex.irregular_past) if has_and else None
        coordinated = conjunction is not None
        participial = has_comma and not coordinated and frame == "directed" and _participial(sentence, trig.start)
        if coordinated or participial:
            # The subject of a participle is that of the clause before its comma, speakers included
            # ("..., Manila said, accusing Beijing"); that of a coordinated predicate, its clause's.
            if participial:
                comma = sentence.rindex(",", 0, trig.start)
                lo, pool = sentence.rfind(",", 0, comma) + 1, local
            else:
                lo, pool = window[0], cands
            subject = next((m for m in pool if lo <= m.start < trig.start and not places.holds(m.start)), None)
            if subject is not None:
                head = _HEAD.match(sentence, trig.start)
                head_end = head.end() if head else trig.end
                after = [m for m in chosen if m.start >= head_end and m.side != subject.side][:1]
                if after or frame != "joint":
                    chosen = [subject] + after
        if len(chosen) == 1 and window[0] > 0:
            subject = _pronoun_subject(sentence, window[0], trig.start, cands, chosen[0])
            if subject is not None:
                chosen = [subject] + chosen
        if len(chosen) < 2 and frame in ("visit", "host"):
            place = _place_host(sentence, trig, chosen)
            if place is not None:
                chosen = chosen + [place]
        if len(chosen) < 2 and speakers:
            extra = [
                m
                for m in _distinct(reversed(speakers))
                if m.start < trig.start and all(m.side != c.side for c in chosen) and not (cooperative and m.side in mediator_sides)
            ]
            if extra and chosen:
                subject_acts = frame == "directed" and chosen[0].end <= trig.start
                chosen = chosen + [extra[0]] if subject_acts else [extra[0]] + chosen
                how = "speaker"
        implicit = False
        if len(chosen) == 1 and rule.implicit_target:
            place = _place_host(sentence, trig, chosen, _TARGET_AFTER)
            if place is not None:
                chosen = chosen + [place]
                how = "context"
            else:
                implicit = True
        anaphor_at = None
        if anaphors:
            lb, rb = window
            anaphor_at = next((a for a, b in anaphors if b >= lb - 40 and a <= rb), None)
            if anaphor_at is not None and len(chosen) == 2 and _adjacent_anaphor(sentence, trig, anaphors):
                chosen = []
        if len(chosen) < 2:
            if anaphor_at is None and not (cooperative and mediator) and not implicit:
                continue
            if rule.kind == "mediation" and mediator is None:
                continue
        before = anaphor_at if anaphor_at is not None else trig.start
        if cooperative and mediator_sides:
            context_sides = [m.side for m in local if m.state and m.start < before and m.side not in mediator_sides]
        else:
            context_sides = [m.side for m in local if m.state and m.start < before]
        # "Iran denied any role in the attack and blamed Israel": a coordinated predicate is outside
        # the scope of the cues before it (not so "denied that it had attacked ... and seized ...").
        floor = conjunction if conjunction is not None and " that " not in low[: trig.start] else 0
        if cue_index is not None:
            modality = cue_index.modality(trig.start, trig.end, floor)
        else:
            modality = _modality(low, trig.start, trig.end, lex, floor)
        pending = _Pending(
            rule,
            (s0, s1),
            (trig.start, trig.end),
            modality,
            [(m.side, m.code) for m in chosen],
            how,
            mediator if cooperative else None,
            attribution,
            distance,
            anaphor_at if len(chosen) < 2 else None,
            bool(mediator) and cooperative,
            context_sides,
            implicit,
        )
        out.append(pending)
        if len(chosen) == 2:
            for pair in _conjoined(sentence, chosen, cands, frame == "joint"):
                out.append(pending.with_sides(pair, pending.anaphor_at, pending.how))
    return _addressees(out, local, claim_spans, s0) if out else out


_CONJUNCTION = re.compile(r"\s*(?:,|(?P<and>,?\s+and|,?\s+as\s+well\s+as|,?\s+along\s+with))\s+(?:the\s+)?", re.IGNORECASE)


# Cheap necessary conditions for a coordinated neighbour, tested before the walk over candidates.
_LINK_AFTER = re.compile(r"\s*,|\s+(?:and|as\s+well\s+as|along\s+with)\s", re.IGNORECASE)
_LINK_BEFORE = re.compile(r"(?:,|\s(?:and|as\s+well\s+as|along\s+with))\s+(?:the\s+)?$", re.IGNORECASE)


# The characters that can end a ``_LINK_BEFORE`` link before its closing spaces: the comma, the last
# letter of "and", "as", "with" and "the", in every case the pattern folds.
_LINK_BEFORE_LAST = frozenset(",dDsS\u017fhHeE")


def _linked_before(sentence: str, m: _Mention) -> bool:
    """``_LINK_BEFORE`` right before ``m``; most mentions follow a word no link ends with, told from
    the character before the spaces without the search."""
    lo = m.start - 16 if m.start > 16 else 0
    k = m.start - 1
    while k >= lo and sentence[k].isspace():
        k -= 1
    if k == m.start - 1 or k < lo or sentence[k] not in _LINK_BEFORE_LAST:
        return False
    return _LINK_BEFORE.search(sentence, lo, m.start) is not None


def _linked_after(sentence: str, m: _Mention) -> bool:
    """``_LINK_AFTER`` right after ``m``: a comma after optional spaces, or spaces then a word
    starting with "a" ("and", "as well as", "along with") for the regex to read."""
    k = m.end
    size = len(sentence)
    while k < size and sentence[k].isspace():
        k += 1
    if k == size:
        return False
    c = sentence[k]
    if c == ",":
        return True
    return k > m.end and (c == "a" or c == "A") and _LINK_AFTER.match(sentence, m.end) is not None


def _linked(sentence: str, m: _Mention) -> bool:
    """A comma or "and" stands beside ``m``: the cheap necessary condition for a coordinated neighbour."""
    return _linked_after(sentence, m) or _linked_before(sentence, m)


def _conjuncts(sentence: str, m: _Mention, cands: list[_Mention]) -> list[_Mention]:
    """``m`` and the mentions coordinated with it ("the United States, Britain and the EU").

    Commas coordinate only in a list closed by "and": in "a ceasefire between Israel and Hezbollah,
    Lebanon's army would deploy" the comma ends a phrase."""
    if not _linked(sentence, m):
        return [m]
    at = next((i for i, n in enumerate(cands) if n is m), None)
    if at is None:
        return [m]
    left = _linked_run(sentence, m, reversed(cands[:at]), leftward=True)
    right = _linked_run(sentence, m, cands[at + 1 :], leftward=False)
    # In text order: the items, and per link between two neighbours whether it is an "and".
    items = [n for n, _ in reversed(left)] + [m] + [n for n, _ in right]
    links = [is_and for _, is_and in reversed(left)] + [is_and for _, is_and in right]
    closing = max((i for i, is_and in enumerate(links) if is_and), default=-1)
    if closing < 0 or len(left) > closing + 1:
        return [m]
    return [m] + [n for n in items[: closing + 2] if n is not m]


def _linked_run(sentence: str, m: _Mention, neighbours: Iterable[_Mention], leftward: bool) -> list[tuple[_Mention, bool]]:
    """The mentions joined to ``m`` one after another by conjunctions, nearest first, each with
    whether its link is an "and" (rather than a bare comma)."""
    run: list[tuple[_Mention, bool]] = []
    edge = m
    for n in neighbours:
        a, b = (n.end, edge.start) if leftward else (edge.end, n.start)
        if a > b:
            continue
        link = _CONJUNCTION.fullmatch(sentence, a, b)
        if link is None:
            break
        run.append((n, link.group("and") is not None))
        edge = n
    return run


def _conjoined(sentence: str, chosen: list[_Mention], cands: list[_Mention], joint: bool) -> list[list[tuple[str, str]]]:
    """The further (source, target) pairs of actors coordinated with the chosen two: "the United States
    and the EU imposed sanctions on Russia" is two sanctions, as event coders record them, and "the UAE
    and Bahrain signed the accords with Israel" two agreements; a joint event of a list ("the foreign
    ministers of Syria, Turkey, Russia and Iran met") is one per pair."""
    src, tgt = chosen
    if not _linked(sentence, src) and not _linked(sentence, tgt):
        return []  # "X met Y": nothing is coordinated with them
    first, last = (src, tgt) if src.start < tgt.start else (tgt, src)
    if _CONJUNCTION.fullmatch(sentence, first.end, last.start) and not (
        _linked_before(sentence, first) or _linked_after(sentence, last)
    ):
        return []  # "X and Y met": the pair is the whole list
    if joint:
        party = _conjuncts(sentence, src, cands)
        if _among(tgt, party):
            party = _distinct(party)
            return [
                [(a.side, a.code), (b.side, b.code)]
                for i, a in enumerate(party)
                for b in party[i + 1 :]
                if {a.side, b.side} != {src.side, tgt.side}
            ]
    sources = _distinct(_conjuncts(sentence, src, cands))
    targets = _distinct(_conjuncts(sentence, tgt, cands))
    return [
        [(a.side, a.code), (b.side, b.code)]
        for a in sources
        for b in targets
        if a.side != b.side and (a.side != src.side or b.side != tgt.side) and (a is src or a.side != tgt.side) and (b is tgt or b.side != src.side)
    ]


def _among(m: _Mention, ms: list[_Mention]) -> bool:
    """Whether a mention with ``m``'s fields is in ``ms``."""
    for n in ms:
        if n is m or n.same(m):
            return True
    return False


def _addressees(out: list[_Pending], local: list[_Mention], claim_spans: list[tuple[int, int]], s0: int) -> list[_Pending]:
    """An appeal to several parties ("called on Armenia and Azerbaijan to ...") is one appeal to each:
    event coders record the appealer -> addressee dyads, never the addressees' own dyad."""
    extra: list[_Pending] = []
    for p in out:
        if p.rule.frame != "appeal" or len(p.sides) != 2:
            continue
        t0, t1 = p.trig[0] - s0, p.trig[1] - s0
        src = p.sides[0][0]
        seen = {src, p.sides[1][0]}
        for m in local:
            if t0 < m.start < t1 and m.side not in seen and not _inside(m, claim_spans):
                seen.add(m.side)
                extra.append(p.with_sides([p.sides[0], (m.side, m.code)], p.anaphor_at, p.how))
    return out + extra


_PRONOUN = re.compile(r"\s*(?:it|he|she|they|we)\s+(?!said|says|told)", re.IGNORECASE)


def _pronoun_subject(sentence: str, lb: int, start: int, cands: list[_Mention], chosen: _Mention) -> _Mention | None:
    """The matrix subject for a clause led by a pronoun ("Pakistan denied that it had met Indian
    officials"): the first mention of the sentence, when it is not the trigger's other argument."""
    if not _PRONOUN.match(sentence, lb) or any(lb <= m.start < start for m in cands if m is not chosen):
        return None
    before = [m for m in cands if m.end <= lb and m.side != chosen.side]
    return before[0] if before else None


class _Preceded:
    """Mention starts preceded by ``pattern`` (a ``$``-anchored phrase within ``reach`` characters),
    tested only for the mentions a trigger's frame actually asks about, and remembered."""

    __slots__ = ("sentence", "pattern", "reach", "seen")

    def __init__(self, sentence: str, pattern: re.Pattern[str], reach: int) -> None:
        self.sentence = sentence
        self.pattern = pattern
        self.reach = reach
        self.seen: dict[int, bool] = {}

    def holds(self, start: int) -> bool:
        """Whether the mention starting at ``start`` is preceded by the phrase."""
        hit = self.seen.get(start)
        if hit is None:
            reach = self.reach
            hit = self.seen[start] = (
                self.pattern.search(self.sentence, start - reach if start > reach else 0, start) is not None
            )
        return hit


_CLAUSE_PUNCTUATION = re.compile(r"[,;:]")
_ANAPHOR_LINK = re.compile(r"^\s*(?:[\w'’-]+\s+){0,2}?(?:between|among|of|with|by)\s+$", re.IGNORECASE)


def _adjacent_anaphor(sentence: str, trig: _Trigger, anaphors: list[tuple[int, int]]) -> bool:
    """True when "the two countries" is the trigger's own argument ("talks between the two countries",
    "the two countries' ministers could meet"), so that it outranks names farther away."""
    for a, b in anaphors:
        if a >= trig.end and _ANAPHOR_LINK.match(sentence[trig.end : a]):
            return True
        if b <= trig.start and trig.start - b <= 40 and not _CLAUSE_PUNCTUATION.search(sentence, b, trig.start):
            return True
    return False


_PLACE = re.compile(r"(?-i:[A-Z][\w’'-]+)(?:\s+(?-i:[A-Z][\w’'-]+)){0,2}")
_PLACE_AFTER = re.compile(r"\b(?:to|in|at)\s+(?:the\s+)?(?:\w+\s+capital\s+(?:of\s+)?)?(?=(?-i:[A-Z]))", re.IGNORECASE)
# Where a strike landed: "fired rockets at northern Israel", "struck targets near Damascus", "an attack on
# Kyiv", "missiles into waters around Taiwan", "at cities across Ukraine".
_TARGET_AFTER = re.compile(
    r"\b(?:in|at|on|near|into|over|across|towards?|against|around|off)\s+(?:the\s+|a\s+)?"
    r"(?:(?-i:[a-z])[\w-]*\s+){0,3}?(?=(?-i:[A-Z]))"
)


def _place_host(sentence: str, trig: _Trigger, chosen: list[_Mention], after: re.Pattern[str] = _PLACE_AFTER) -> _Mention | None:
    """The host of a visit named as a place ("visit to Riyadh", "visited Moscow", "arrived in Tehran"),
    or, with ``after=_TARGET_AFTER``, the state struck ("fired rockets at northern Israel").

    Actor recognition rightly reads such names as locations, not actors; for a visit the place's
    state is the host, so the name is looked up through ``find_actors`` on its own.
    """
    starts = [trig.end + len(sentence[trig.end :]) - len(sentence[trig.end :].lstrip())]
    starts += [m.end() for m in after.finditer(sentence, trig.start, min(len(sentence), trig.end + 60))]
    for start in starts:
        m = _PLACE.match(sentence, start)
        if m is None:
            continue
        side, code = _place_side(m.group())
        if side is not None and all(c.side != side for c in chosen):
            return _Mention(m.start(), m.end(), code or side, side, True)
    return None


@lru_cache(maxsize=4096)
def _place_side(name: str) -> tuple[str | None, str | None]:
    try:
        from wirewatch.processors.extraction.actors import city_country, find_actors
    except ImportError:
        return None, None
    for actor in find_actors(f"{name} said on Monday."):
        if any(m.start == 0 for m in actor.mentions) and actor.country:
            side = side_of(actor)
            if side == actor.country:
                return side, actor.code
    iso = city_country(name)
    return iso, iso


def _slot_builder(cls: type, names: tuple[str, ...]) -> Callable[..., Any]:
    """A constructor of ``cls`` taking ``names`` positionally (the remaining fields get their
    defaults), setting the slots directly: a frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` per field, which is most of the cost of the few objects built per article.
    Falls back to the class itself when it is no plain slotted dataclass (or validates in
    ``__post_init__``), so the objects are always the ones ``cls(...)`` would build."""
    fields = dataclasses.fields(cls)
    slots: list[Any] = [cls.__dict__.get(f.name) for f in fields]
    if (
        tuple(f.name for f in fields[: len(names)]) != names
        or hasattr(cls, "__post_init__")
        or not all(hasattr(slot, "__set__") for slot in slots)
        or any(f.default is dataclasses.MISSING for f in fields[len(names) :])
    ):
        return cls
    setters = tuple(slot.__set__ for slot in slots)
    defaults = tuple(f.default for f in fields[len(names) :])
    new = object.__new__

    def build(*values: Any) -> Any:
        obj: object = new(cls)
        for setter, value in zip(setters, values + defaults):
            setter(obj, value)
        return obj

    return build


_new_signal = _slot_builder(
    Signal,
    ("kind", "cameo", "plover", "goldstein", "polarity", "modality", "source", "target", "dyad", "evidence",
     "confidence", "mediator", "attribution", "article_id", "published"),
)
_new_evidence = _slot_builder(Evidence, ("text", "start", "end"))
_new_verdict = _slot_builder(DyadVerdict, ("dyad", "score", "rapprochement", "mediators", "signals"))


class _Context:
    """What completes a one-sided reading: the article's explicit dyads (sides sorted) with their
    counts, and its state mentions. Ranked on first use, as ``Counter.most_common`` ranks (by count,
    ties in first-seen order): most articles never ask."""

    __slots__ = ("explicit", "ments", "_pairs", "_sides")

    def __init__(self, explicit: dict[tuple[str, str], int], ments: list[MentionRow]) -> None:
        self.explicit = explicit
        self.ments = ments
        self._pairs: list[tuple[str, str]] | None = None
        self._sides: list[str] | None = None

    def pairs(self) -> list[tuple[str, str]]:
        """The explicit dyads, most frequent first."""
        if self._pairs is None:
            self._pairs = [pair for pair, _ in sorted(self.explicit.items(), key=itemgetter(1), reverse=True)]
        return self._pairs

    def sides(self) -> list[str]:
        """The sides of the state mentions, most mentioned first."""
        if self._sides is None:
            counts: dict[str, int] = {}
            for m in self.ments:
                if m[4]:
                    counts[m[3]] = counts.get(m[3], 0) + 1
            self._sides = [side for side, _ in sorted(counts.items(), key=itemgetter(1), reverse=True)]
        return self._sides


def _resolve(
    text: str, pending: list[_Pending], ments: list[MentionRow], lex: Lexicon, published: str | None = None
) -> list[Signal]:
    """Second pass: complete one-sided or anaphoric signals from the article's explicit dyads."""
    explicit: dict[tuple[str, str], int] = {}
    for p in pending:
        if len(p.sides) == 2:
            a, b = p.sides[0][0], p.sides[1][0]
            if a != b:
                pair = (a, b) if a < b else (b, a)
                explicit[pair] = explicit.get(pair, 0) + 1
    context = _Context(explicit, ments)
    calibration = lex.calibration
    # Per (sentence, kind, dyad, modality) the most confident reading, built into a Signal at the end.
    best: dict[tuple[int, str, str, str], tuple[float, _Pending, str, str, str | None]] = {}
    for p in _directed_to_pairs(pending, context):
        sides = p.sides
        how = p.how
        if len(sides) < 2 or sides[0][0] == sides[1][0]:
            completed = _complete(p, list(sides), context)
            if completed is None:
                continue
            sides = completed
            how = "anaphor" if p.anaphor_at is not None else "context"
        src_side, src_code = sides[0]
        tgt_side, tgt_code = sides[1]
        if src_side == tgt_side:
            continue
        mediator = p.mediator if p.mediator != src_side and p.mediator != tgt_side else None
        modality = p.modality
        confidence = _confidence(p.rule.weight, how, modality, p.distance, p.attribution is not None, calibration)
        dyad = f"{src_side}-{tgt_side}" if src_side < tgt_side else f"{tgt_side}-{src_side}"
        # A sentence is known by its start (sentences do not overlap).
        key = (p.sent[0], p.rule.kind, dyad, modality)
        held = best.get(key)
        if held is None or held[0] < confidence:
            best[key] = (confidence, p, src_code, tgt_code, mediator)
    # A mediation signal is dropped when the same sentence and dyad carry a cooperative event of the
    # same modality (the mediated event itself).
    cooperative: set[tuple[int, str, str]] = set()
    mediated = False
    for (s0, kind, dyad, modality), held in best.items():
        if kind == "mediation":
            mediated = True
        elif held[1].rule.polarity == "cooperative":
            cooperative.add((s0, dyad, modality))
    # In the order of the output (sentence, dyad, kind; stable): the key's fields, then its rank.
    order: list[tuple[int, str, str, int, str]] = []
    rank = 0
    for s0, kind, dyad, modality in best:
        if not (mediated and kind == "mediation" and (s0, dyad, modality) in cooperative):
            order.append((s0, dyad, kind, rank, modality))
        rank += 1
    order.sort()
    evidence: dict[int, Evidence] = {}
    kept: list[Signal] = []
    for s0, dyad, kind, _, modality in order:
        confidence, p, src_code, tgt_code, mediator = best[(s0, kind, dyad, modality)]
        ev = evidence.get(s0)
        if ev is None:
            s1 = p.sent[1]
            ev = evidence[s0] = _new_evidence(text[s0:s1], s0, s1)
        rule = p.rule
        kept.append(
            _new_signal(
                kind, rule.cameo, rule.plover, rule.goldstein, rule.polarity, modality, src_code, tgt_code, dyad,
                ev, confidence, mediator, p.attribution, "", published,
            )
        )
    return kept


def _directed_to_pairs(pending: list[_Pending], context: _Context) -> list[_Pending]:
    """An appeal to (or praise of, threat against) "both countries" is one to each side of the article's
    leading dyad, never to the source's co-signatories named before the verb."""
    out: list[_Pending] | None = None  # a copy of ``pending`` from the first reading that splits
    for i, p in enumerate(pending):
        if p.anaphor_at is None or len(p.sides) != 1 or p.rule.frame not in ("appeal", "directed"):
            if out is not None:
                out.append(p)
            continue
        if out is None:
            out = pending[:i]
        excluded = {p.sides[0][0], *p.context_sides}
        pair = next((pair for pair in context.pairs() if not set(pair) & excluded), None)
        if pair is None:
            continue
        for side in pair:
            out.append(p.with_sides([p.sides[0], (side, side)], None, "anaphor"))
    return pending if out is None else out


def _complete(p: _Pending, sides: list[tuple[str, str]], context: _Context) -> list[tuple[str, str]] | None:
    """Fill a signal's missing side(s) from the sentence before the anaphor, then the article."""
    if p.anaphor_at is None and not p.has_cue_mediator and not p.implicit:
        return None
    known = sides[0][0] if sides else None
    excluded = {p.mediator} if p.mediator else set()
    if p.implicit:
        excluded |= {s for s, _ in sides}
    if p.anaphor_at is not None and known is None:
        local = [s for s in dict.fromkeys(reversed(p.context_sides)) if s not in excluded]
        if len(local) >= 2:
            a, b = local[1], local[0]
            return [(a, a), (b, b)]
    ranked = [pair for pair in context.pairs() if not (set(pair) & excluded)]
    if known is None:
        if ranked:
            a, b = ranked[0]
            return [(a, a), (b, b)]
        top = [s for s in context.sides() if s not in excluded][:2]
        return [(top[0], top[0]), (top[1], top[1])] if len(top) == 2 else None
    for a, b in ranked:
        if known in (a, b):
            other = b if a == known else a
            return [sides[0], (other, other)]
    if p.implicit:
        return None
    for s in context.sides():
        if s != known and s not in excluded:
            return [sides[0], (s, s)]
    return None


def dyad_verdicts(signals: Iterable[Signal]) -> list[DyadVerdict]:
    """Per-dyad balance: Goldstein weighted by confidence over non-denied signals; mediators named.

    Near-neutral codes (|Goldstein| < 1, e.g. 0256 appeal for de-escalation, -0.3) are recorded but
    do not tilt the balance: an exhortation is not an interaction between the appealer and the parties.
    ``rapprochement`` is true when that balance is positive and at least one non-denied cooperative
    signal supports it; denied signals are counted in ``signals`` but carry no weight.
    """
    groups: dict[str, list[Signal]] = defaultdict(list)
    for s in signals:
        groups[s.dyad].append(s)
    verdicts: list[DyadVerdict] = []
    for dyad in sorted(groups):
        group = groups[dyad]
        terms: list[float] = []
        cooperative = False
        mediators: set[str] = set()
        for s in group:
            if s.modality == "denied":
                continue
            if abs(s.goldstein) >= NEUTRAL_GOLDSTEIN:
                terms.append(s.goldstein * s.confidence)
            if s.polarity == "cooperative":
                cooperative = True
                if s.mediator:
                    mediators.add(s.mediator)
        score = sum(terms, 0.0)
        rapprochement = score > 0 and cooperative
        verdicts.append(_new_verdict(dyad, round(score, 3), rapprochement, tuple(sorted(mediators)), len(group)))
    return verdicts
