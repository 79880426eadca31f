"""Actor recognition: who is in a news story, coded CAMEO-style, with exact offsets.

Public API
----------
``find_actors(text, published=None) -> list[Actor]``
    One ``Actor`` per distinct entity (a country, a person, an agency, an armed group, a government
    referred to descriptively, an anonymous official...), with every mention's exact span in
    ``text``, a salience in [0, 1], sorted by salience. Several entities may share a code: Hakan
    Fidan and the MIT agency are both ``TURSPY``; ``Actor.type`` says which kind of entity it is.
``find_sources(text) -> list[Source]``
    News agencies and outlets (Reuters, North Press, SANA...): sources of claims, never actors.
``country_of(code) -> str | None``
    The side an actor code counts as in a dyad (DESIGN.md): a state's organs count as the state
    (``TURSPY`` -> ``TUR``), a non-state actor as itself (``SDF``, ``SNA``, ``UAFIRN``).

Actor types: ``country``, ``government`` (capital/seat metonyms and "the Syrian government";
role-coded institutions such as "Turkish troops" too), ``anonymous`` ("a senior Turkish official",
"a Damascus-aligned source"), ``official`` (an office without a name: "the Turkish foreign
minister" when the holder is unknown), ``person``, ``agency``, ``igo``, ``ngo``, ``armed_group``,
``party``, ``administration``, ``company``. Proxy forces known only by their sponsor ("Iran-backed
militias") are ``armed_group`` with code ``UAF<sponsor>``, ``sponsor`` set and ``role`` ``UAF``.

How it works: all knowledge (``knowledge/*.yaml``) is compiled once into one Aho-Corasick automaton
over a length-preserving normalisation of the text (lower case, no diacritics, punctuation as
spaces), so matching is one C pass; leftmost-longest selection makes "Syrian National Army" win
over "Syrian" and "Nigeria" over "Niger". Each match is then checked by small named rules (case,
person-name context, sport, place-vs-government, context cues) and nationality words are expanded
by general patterns into officials, institutions, offices and proxies.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from wirewatch.schemas.models import Actor, Mention

from .text import split_line

KNOWLEDGE = Path(__file__).resolve().parent / "knowledge"

STATE_ROLES: frozenset[str] = frozenset({"GOV", "MIL", "SPY", "COP", "LEG", "JUD"})


@dataclass(frozen=True, slots=True)
class Source:
    """A news agency or outlet named in the text: who reports, not who acts."""

    name: str
    text: str
    start: int
    end: int
    country: str | None = None
    state: bool = False


@dataclass(slots=True)
class Entity:
    """A recognisable thing: its code and descriptive fields, or date-ranged roles for a person."""

    id: str
    code: str
    name: str
    country: str | None
    role: str | None
    type: str
    sponsor: str | None = None
    roles: tuple[dict[str, Any], ...] = ()
    needs: frozenset[str] = frozenset()
    alone: bool = False


@dataclass(frozen=True, slots=True)
class Sense:
    """One meaning of a dictionary key: kind ("country", "adj", "person", ...) and its target."""

    kind: str
    target: str
    surface: str
    exact: bool
    weak: bool = False


@dataclass(frozen=True, slots=True)
class SenseSet:
    """The senses a match may take, with what the per-article passes need precomputed at load time.

    The hot loop reads these fields instead of re-deriving them from every ``Sense`` of every hit.
    """

    senses: list[Sense]
    key: str
    first: Sense | None
    countries: frozenset[str]
    persons: tuple[str, ...]
    strong: tuple[str, ...]
    weak: tuple[tuple[str, str | None], ...]
    has_adj: bool
    known: bool
    armed: bool
    risk: bool
    negative: bool
    surnamed: bool
    group_countries: frozenset[str] = frozenset()
    grouped: bool = False
    subsets: dict[int, SenseSet] = field(default_factory=dict, compare=False)
    by_case: dict[str, SenseSet | None] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Place:
    """Collector keys and actor fields of one country's derived actors, built once per country."""

    label: str
    country: tuple[str, tuple[Any, ...]]
    gov: tuple[str, tuple[Any, ...]]
    proxy: tuple[str, tuple[Any, ...]]
    roles: dict[str, tuple[tuple[str, tuple[Any, ...]], tuple[str, tuple[Any, ...]]]]


@dataclass(slots=True)
class KB:
    """Everything compiled from the knowledge files."""

    automaton: Any
    senses: dict[str, list[Sense]]
    entities: dict[str, Entity]
    countries: dict[str, dict[str, Any]]
    outlets: dict[str, dict[str, Any]]
    offices: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]
    ambiguous: dict[str, list[str]]
    lexicon: dict[str, Any]
    titles: dict[str, dict[str, Any]]
    institutions: dict[str, str]
    anon_modifiers: dict[str, str]
    person_risk: frozenset[str]
    negative: frozenset[str]
    title_words: frozenset[str]
    locatives: frozenset[str]
    locative_heads: frozenset[str]
    trigger_words: frozenset[str]
    aligned_cues: tuple[str, ...]
    company_words: frozenset[str] = field(default_factory=frozenset)
    group_nations: frozenset[str] = field(default_factory=frozenset)
    codes: frozenset[str] = field(default_factory=frozenset)
    places: dict[str, Place] = field(default_factory=dict)
    entity_infos: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    cities: dict[str, str] = field(default_factory=dict)  # normalised city name -> ISO (``city_country``)


# ---------------------------------------------------------------------------------------------
# Normalisation: one character in, one character out, so offsets survive.


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x250):
        ch = chr(cp)
        if ch.isalnum():
            base = unicodedata.normalize("NFKD", ch)[0].lower()
            table[cp] = base if len(base) == 1 and base.isalnum() else ch.lower()[:1] or ch
        elif ch != ".":
            table[cp] = " "
    for cp in list(range(0x2000, 0x2070)) + [0x00A0, 0x02BC, 0x02BB, 0x02BF, 0x02BE, 0x3000]:
        table[cp] = " "
    table[0x0130] = "i"
    table[0x0131] = "i"
    return table


_TABLE = _build_table()
# ASCII goes through bytes.translate (a C table lookup); the few distinct non-ASCII characters of a
# wire story (quotes, dashes, accented names) are replaced first, one str.replace each.
_ASCII_BYTES = bytes(ord(_TABLE.get(cp, chr(cp))) for cp in range(128)) + bytes(range(128, 256))
_ASCII_CODES = bytes(range(128))
_SPACED = frozenset(chr(cp) for cp, char in _TABLE.items() if cp >= 128 and char == " ")
assert _ASCII_BYTES[ord("?")] == ord(" ")


def _non_ascii(text: str) -> set[str]:
    """The distinct non-ASCII characters of ``text``.

    UTF-8 never uses an ASCII byte inside a multi-byte character, so deleting the ASCII bytes leaves
    exactly the non-ASCII characters' encodings: two C passes, a third of a regex scan's time.
    """
    encoded = text.encode("utf-8", "surrogatepass")
    return set(encoded.translate(None, _ASCII_CODES).decode("utf-8", "surrogatepass"))


def normalise(text: str) -> str:
    """Lower-case, strip diacritics, turn punctuation (except '.') into spaces; same length."""
    if not text.isascii():
        others = _non_ascii(text)
        if others <= _SPACED:  # quotes and dashes only: each becomes "?", which becomes a space
            return text.encode("ascii", "replace").translate(_ASCII_BYTES).decode("ascii")
        replaced = text
        for char in others:
            replaced = replaced.replace(char, _TABLE.get(ord(char), char))
        if not replaced.isascii():
            return text.translate(_TABLE)
        text = replaced
    return text.encode("ascii").translate(_ASCII_BYTES).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Knowledge loading.


#: libyaml's loader where PyYAML was built with it: the leaders file alone takes seconds in pure Python.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str) -> Any:
    return yaml.load((KNOWLEDGE / name).read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def _is_exact(surface: str) -> bool:
    """All-caps acronyms ("MIT", "US", "U.S.") must match case exactly; names need a capital."""
    letters = [c for c in surface if c.isalpha()]
    return len(letters) >= 1 and all(c.isupper() for c in letters) and len(letters) <= 6


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@lru_cache(maxsize=1)
def knowledge() -> KB:
    """Compile the knowledge files (cached: built once per process)."""
    countries: dict[str, dict[str, Any]] = _load("countries.yaml")
    lexicon: dict[str, Any] = _load("lexicon.yaml")
    senses: dict[str, list[Sense]] = {}
    entities: dict[str, Entity] = {}

    def add(surface: str, sense_kind: str, target: str, weak: bool = False) -> None:
        key = " " + normalise(surface).strip()
        if len(key.strip()) < 2:
            return
        senses.setdefault(key, []).append(Sense(sense_kind, target, surface, _is_exact(surface), weak))

    for iso, rec in countries.items():
        entities[f"country:{iso}"] = Entity(f"country:{iso}", iso, rec["name"], iso, None, "country")
        entities[f"gov:{iso}"] = Entity(f"gov:{iso}", f"{iso}GOV", f"{rec['name']} government", iso, "GOV", "government")
        for name in rec["names"]:
            add(name, "country", iso)
        for adj in rec["adj"]:
            add(adj, "adj", iso)
        for dem in rec["dem"]:
            if normalise(dem) not in {normalise(a) for a in rec["adj"]}:
                add(dem, "dem", iso)
        for cap in rec["cap"]:
            add(cap, "capital", iso)
        for seat in rec["seat"]:
            add(seat, "seat", iso)

    for surface, candidates in (lexicon.get("ambiguous") or {}).items():
        key = " " + normalise(surface).strip()
        senses[key] = [Sense("ambiguous", surface, surface, False)]

    for filename, default_type in (("organisations.yaml", "igo"), ("agencies.yaml", "agency"), ("groups.yaml", "armed_group")):
        for rec in _load(filename):
            eid = f"{default_type}:{rec['id']}"
            entities[eid] = Entity(
                eid,
                rec["code"],
                rec["name"],
                rec.get("country"),
                rec.get("role", "IGO" if default_type == "igo" else None),
                rec.get("type", default_type),
                rec.get("sponsor"),
                needs=frozenset(rec.get("needs", [])),
            )
            weak = set(rec.get("weak", []))
            for alias in rec["aliases"]:
                add(alias, "entity", eid, alias in weak)

    for rec in lexicon.get("companies", []):
        eid = f"company:{rec['name']}"
        iso = rec["country"]
        entities[eid] = Entity(eid, f"{iso}BUS", rec["name"], iso, "BUS", "company")
        add(rec["name"], "entity", eid)

    offices: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for rec in _load("leaders.yaml"):
        eid = f"person:{rec['id']}"
        roles = tuple(
            {**r, "from": _date(r.get("from")), "to": _date(r.get("to"))} for r in rec.get("roles", [])
        )
        last = roles[-1] if roles else {}
        entities[eid] = Entity(
            eid,
            last.get("org") or f"{rec.get('country')}{last.get('role', 'ELI')}",
            rec["name"],
            rec.get("country"),
            last.get("role"),
            "person",
            roles=roles,
            alone=bool(rec.get("alone")),
        )
        for alias in rec["aliases"]:
            add(alias, "person", eid)
        for short in rec.get("short", []):
            add(short, "surname", eid)
        for role in roles:
            if role.get("office"):
                place = role.get("org") or rec.get("country")
                offices.setdefault((place, role["office"]), []).append((eid, role))

    outlets: dict[str, dict[str, Any]] = {}
    for rec in _load("outlets.yaml"):
        outlets[rec["id"]] = rec
        for alias in rec["aliases"]:
            add(alias, "outlet", rec["id"])

    for title, spec in lexicon["titles"].items():
        if spec.get("office") and not spec.get("inherit"):  # offices whose holder can be named
            for pronoun in PRONOUNS:
                add(f"{pronoun} {title}", "pronoun_office", title)

    for phrase in lexicon.get("blockers", []):
        add(phrase, "block", phrase)

    person_risk = frozenset(normalise(w).strip() for w in lexicon.get("person_risk", []))
    negative = frozenset(normalise(k).strip() for k in (lexicon.get("negative_context") or {}))
    sport_keys = {" " + normalise(term).strip() for term in lexicon["sport_terms"]}
    sport_verbs = {" " + normalise(verb).strip() for verb in lexicon["sport_verbs"]} - sport_keys
    cue_targets: dict[str, list[str]] = {}
    for surface, cue_list in (lexicon.get("negative_context") or {}).items():
        for cue in cue_list:
            cue_targets.setdefault(" " + normalise(cue).strip(), []).append(normalise(surface).strip())
    aligned_cues = tuple(sorted({p.split()[0].lower() for p in lexicon["aligned_phrases"]}))
    # One automaton, one pass: dictionary keys, plus sport terms, sport verbs and negative-context
    # cues as "extras" (sport term or verb, cue targets) collected on the side, never selected as hits.
    group_nations = frozenset(e.country for e in entities.values() if e.type in _GROUP_TYPES and e.country)
    automaton = ahocorasick.Automaton()
    for key in {**senses, **dict.fromkeys(sport_keys | sport_verbs), **cue_targets}:
        key_senses = senses.get(key)
        sense_set = None
        title_only = False
        if key_senses is not None:
            title_only = all(not x.exact and x.surface[:1].isupper() for x in key_senses)
            sense_set = _sense_set(key_senses, key[1:], entities, person_risk, negative, group_nations)
        sport = SPORT_TERM if key in sport_keys else SPORT_VERB if key in sport_verbs else None
        extra = (sport, tuple(cue_targets.get(key, ()))) if sport or key in cue_targets else None
        # Each key is added with the two characters that can end a word in the normalised text, so
        # the automaton itself enforces the right word boundary (no per-match check in Python).
        payload = (len(key) - 1, sense_set, title_only, extra)
        for boundary in BOUNDARIES:
            automaton.add_word(key + boundary, payload)
            if sport == SPORT_VERB:  # a superset of the regex's \b, which also matches after "."
                automaton.add_word("." + key[1:] + boundary, payload)
    # The first words of aligned phrases ("close to") tell whether an article can hold one at all;
    # they count as substrings, wherever they occur, so they are added as they are.
    for cue in aligned_cues:
        automaton.add_word(cue, (len(cue) - 1, None, False, (ALIGNED_CUE, ())))
    automaton.make_automaton()

    titles = {normalise(k): v for k, v in lexicon["titles"].items()}
    institutions = {k.lower(): v for k, v in lexicon["institutions"].items()}
    anon_modifiers = {k.lower(): v for k, v in lexicon["anonymous_modifiers"].items()}
    title_words = frozenset(
        w
        for phrase in list(titles) + list(institutions) + list(anon_modifiers) + lexicon["anonymous_nouns"]
        for w in phrase.split()
    )
    codes = frozenset(e.code for e in entities.values())
    derived_roles = {"GOV", *lexicon["institutions"].values(), *lexicon["anonymous_modifiers"].values()}
    places = {iso: _place(iso, rec["name"], derived_roles) for iso, rec in countries.items()}
    entity_infos = {eid: (e.code, e.name, e.country, e.role, e.type, e.sponsor) for eid, e in entities.items()}
    return KB(
        automaton,
        senses,
        entities,
        countries,
        outlets,
        offices,
        {" " + normalise(k).strip(): v for k, v in (lexicon.get("ambiguous") or {}).items()},
        lexicon,
        titles,
        institutions,
        anon_modifiers,
        person_risk,
        negative,
        title_words,
        frozenset(w.lower() for w in lexicon["locative_words"] if " " not in w),
        frozenset(w.lower() for w in lexicon["locative_heads"]),
        frozenset(
            normalise(phrase).split()[0]
            for phrase in list(lexicon["titles"])
            + list(lexicon["institutions"])
            + list(lexicon["anonymous_modifiers"])
            + lexicon["anonymous_nouns"]
            + lexicon["company_words"]
            + lexicon["model_prefixes"]
            + list(RANK_WORDS)
        ),
        aligned_cues,
        frozenset(normalise(w).strip() for w in lexicon["company_words"]),
        group_nations,
        codes,
        places,
        entity_infos,
        {normalise(city).strip(): iso for iso, names in _load("cities.yaml").items() for city in names},
    )


def city_country(name: str) -> str | None:
    """The state a city other than a capital lies in ("Kharkiv" -> UKR), for readers that need where an
    event happened. Such cities are places, never actors (a capital stands for its government, Kharkiv
    does not), so they are looked up here and not recognised in text."""
    cities = knowledge().cities
    key = normalise(name).strip()
    return cities.get(key) or (cities.get(key[:-2]) if key.endswith(" s") else None)  # "Aleppo's"


_PLACE_KINDS = frozenset({"country", "adj", "dem", "capital", "seat"})
_GROUP_TYPES = frozenset({"armed_group", "party", "administration"})


def _sense_set(
    senses: list[Sense],
    key: str,
    entities: dict[str, Entity],
    person_risk: frozenset[str],
    negative: frozenset[str],
    group_nations: frozenset[str],
) -> SenseSet:
    """Summarise a key's senses for the per-article passes (see ``SenseSet``).

    ``grouped``: the key names a country with a known armed group, party or administration, which
    may carry the nationality ("Lebanese Hezbollah"); only those are checked for it.
    """
    countries: set[str] = set()
    for sense in senses:
        if sense.kind in _PLACE_KINDS:
            countries.add(sense.target)
        elif sense.kind in ("person", "surname") or (sense.kind == "entity" and not sense.weak):
            entity = entities[sense.target]
            countries.update(c for c in (entity.country, entity.sponsor) if c)
    head = senses[0] if senses else None
    conditional = head is None or head.kind == "surname" or (head.kind == "entity" and head.weak)
    return SenseSet(
        senses,
        key,
        None if conditional else head,
        frozenset(countries),
        tuple(s.target for s in senses if s.kind == "person"),
        tuple(s.target for s in senses if s.kind == "entity" and not s.weak),
        tuple((s.target, entities[s.target].country) for s in senses if s.kind == "entity" and s.weak),
        any(s.kind == "adj" for s in senses),
        any(s.kind in ("person", "entity") for s in senses),
        any(s.kind == "entity" and entities[s.target].type == "armed_group" for s in senses),
        key in person_risk,
        key in negative,
        any(s.kind == "surname" for s in senses),
        frozenset(
            c
            for s in senses
            if s.kind == "entity" and entities[s.target].type in _GROUP_TYPES
            for c in (entities[s.target].country,)
            if c
        ),
        any(s.kind in _PLACE_KINDS and s.target in group_nations for s in senses),
    )


def _place(iso: str, label: str, derived_roles: set[str]) -> Place:
    """Keys and fields of the actors a country's name, adjective or capital can yield."""
    roles = {}
    for role in derived_roles:
        code = f"{iso}{role}"
        inst_name = f"{label} government" if role == "GOV" else f"{label} {_ROLE_NAMES.get(role, role)}"
        inst_key = f"gov:{iso}" if role == "GOV" else f"inst:{iso}{role}"
        roles[role] = (
            (inst_key, (code, inst_name, iso, role, _ROLE_TYPES.get(role, "institution"), None)),
            (f"anon:{code}", (code, f"{label} official (anonymous)", iso, role, "anonymous", None)),
        )
    return Place(
        label,
        (f"country:{iso}", (iso, label, iso, None, "country", None)),
        (f"gov:{iso}", (f"{iso}GOV", f"{label} government", iso, "GOV", "government", None)),
        (f"proxy:{iso}", (f"UAF{iso}", f"{label}-backed armed groups", None, "UAF", "armed_group", iso)),
        roles,
    )


# ---------------------------------------------------------------------------------------------
# Patterns compiled from the lexicon.


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class Patterns:
    """Regexes anchored right after (or right before) a nationality, country or capital."""

    title_alone: re.Pattern[str]
    anon: re.Pattern[str]
    institution: re.Pattern[str]
    sponsor: re.Pattern[str]
    before_anon: re.Pattern[str]
    aligned_before: re.Pattern[str]
    sport_score: re.Pattern[str]
    sport_verb: re.Pattern[str]
    sport_political: re.Pattern[str]
    before_anon_last: frozenset[str]
    before_anon_chars: str
    office_of: re.Pattern[str]
    company: re.Pattern[str]
    origin: re.Pattern[str]
    former_before: re.Pattern[str]
    former_words: frozenset[str]
    resident: re.Pattern[str]
    resident_heads: frozenset[str]
    ethnic: tuple[str, ...]
    ethnic_last: str
    descriptors: re.Pattern[str]


NAME = r"(?P<name>(?:(?:al|el|bin|ibn|bin|de|van|von|da)[\s-]|[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]*[\w])"
POSS = r"(?:['’]s?)?"
RANK_WORDS = ("new", "first", "former", "late", "ex", "outgoing", "incoming", "interim", "acting", "deputy", "vice", "assistant", "chief", "top", "senior", "then", "presidential", "powerful", "veteran")
RANK = rf"(?i:(?:(?:{'|'.join(RANK_WORDS)})[ \t-]+){{0,3}})"


def _starting(entries: list[str], first: str | None) -> str:
    """``_alt`` of the entries whose first normalised word is ``first`` (all when None); never empty."""
    kept = entries if first is None else [e for e in entries if normalise(e).split()[0] == first]
    return _alt(kept) if kept else "(?!)"


def _follow(lex: dict[str, Any], first: str | None) -> tuple[str, str, str, str]:
    """(follow, title_alone, anon, institution) pattern text, for a next word ``first``.

    The follow-ups of a nationality, tried in this order, as one alternation: at a fixed position an
    alternation returns the first branch that matches, exactly as trying the patterns one by one.
    Restricting each lexicon alternation to the entries that can start at the next word (``first``)
    gives the same matches several times faster; a rank word ("new", "senior") may stand before
    the title, office or institution ("Iran's top security official", "Burkina Faso's new military
    leader"), so then (``first`` None) every entry stays.
    """
    rank = RANK if first is None else ""
    titles = _starting(list(lex["titles"]), first)
    anon_mod = _starting(list(lex["anonymous_modifiers"]), first)
    inst = _starting(list(lex["institutions"]), first)
    anon_nouns = _alt(lex["anonymous_nouns"])
    prefixes = lex["model_prefixes"]
    models = [p for p in prefixes if first is None or normalise(p).strip() == first]
    model = rf"{POSS}[ \t]+{rank}(?:{_alt(models) if models else '(?!)'})-\d{{1,3}}[A-Z]?s?\b"
    model += rf"(?:[ \t]+(?i:{_alt(lex['model_nouns'])})\b)?"
    title_name = rf"{POSS}[ \t]+{rank}(?i:(?P<title>{titles}))s?[ \t]*,?[ \t]+{NAME}"
    title_alone = rf"{POSS}[ \t]+{rank}(?i:(?P<title>{titles}))s?\b"
    anon = rf"{POSS}[ \t]+{rank}(?i:(?:(?P<mod>{anon_mod})[ \t]+)?(?P<noun>{anon_nouns}))\b"
    institution = rf"{POSS}[ \t]+{rank}(?i:(?P<inst>{inst}))\b"
    follow = (
        rf"(?P<f_titled>{title_name})|(?P<f_anon>{anon})|"
        rf"(?P<f_alone>{title_alone.replace('(?P<title>', '(?P<alone_title>')})|(?P<f_inst>{institution})|"
        rf"(?P<f_model>{model})"
    )
    return follow, title_alone, anon, institution


def _company_pattern(lex: dict[str, Any]) -> str:
    """A company name after a nationality or country: up to two capitalised words, then a company word.

    Not an office after it ("the Iraqi Oil Ministry") nor a diplomatic forum ("the Syria Contact Group").
    """
    words, blockers, names = _alt(lex["company_words"]), _alt(lex["company_not_before"]), _alt(lex["company_not_names"])
    return rf"[ \t]+(?:(?!(?:{names})\b)[A-Z][\w&-]*[ \t]+){{0,2}}?(?:{words})\b(?![ \t]+(?:{blockers})\b)"


@lru_cache(maxsize=1024)
def _follow_for(word: str) -> re.Pattern[str]:
    """The follow-up pattern for a nationality whose next word is ``word`` (compiled on first use)."""
    return re.compile(_follow(knowledge().lexicon, None if word in RANK_WORDS else word)[0])


@lru_cache(maxsize=1)
def patterns() -> Patterns:
    kb = knowledge()
    lex = kb.lexicon
    anon_nouns = _alt(lex["anonymous_nouns"])
    sponsor_words = _alt(lex["sponsor_words"])
    proxy_nouns = _alt(lex["proxy_nouns"] + lex["anonymous_nouns"])
    indefinite = _alt(lex["indefinite_words"])
    degree = _alt(lex["degree_words"])
    aligned = _alt(lex["aligned_phrases"])
    sport_verbs = _alt(lex["sport_verbs"])
    title_alone, anon, institution = _follow(lex, None)[1:]
    last_words = {w.replace("-", " ").split()[-1].lower() for w in lex["indefinite_words"] + lex["degree_words"]}
    return Patterns(
        title_alone=re.compile(title_alone),
        anon=re.compile(anon),
        institution=re.compile(institution),
        sponsor=re.compile(
            rf"[-–][ \t]?(?i:(?P<verb>{sponsor_words}))\b(?:[ \t]+(?:(?:[\w-]+)[ \t]+){{0,3}}?(?i:(?P<noun>{proxy_nouns}))\b)?"
        ),
        before_anon=re.compile(rf"(?i:\b(?:{indefinite})[ \t]+(?:(?:{degree})[ \t]+)*|\b(?:{degree})[ \t]+(?:(?:{degree})[ \t]+)*)$"),
        aligned_before=re.compile(
            rf"(?i:\b(?:(?:{degree})[ \t]+)*(?P<noun>{anon_nouns})[ \t]+(?:{aligned})[ \t]+(?:the[ \t]+)?)$"
        ),
        # A score ("2-0"): a digit not preceded by a digit or "-", checked after it is consumed, so the
        # search skips to digits in C (a leading lookbehind would be tried at every position).
        sport_score=re.compile(r"\d(?<![\d-]\d)\d?[ \t]*[-–][ \t]*\d{1,2}(?![\d-])"),
        sport_verb=re.compile(rf"\b(?:{sport_verbs})\b", re.I),
        sport_political=re.compile(rf"\b(?:{_alt(lex['sport_political_words'])})\b", re.I),
        before_anon_last=frozenset(last_words),
        before_anon_chars=_phrase_chars(lex["indefinite_words"] + lex["degree_words"]),
        office_of=re.compile(rf"(?i:\b(?P<title>{_alt(list(lex['titles']))})(?P<plural>s)?[ \t]+of[ \t]+(?:the[ \t]+)?)$"),
        company=re.compile(_company_pattern(lex)),
        origin=re.compile(rf"[-–](?i:{_alt(lex['origin_words'])})\b"),
        former_before=re.compile(rf"(?i:\b(?:{_alt(lex['former_words'])})[ \t-]+)$"),
        former_words=frozenset(w.lower() for w in lex["former_words"]),
        resident=re.compile(
            r"(?:(?<![\w’'-])[Tt]he[ \t]+|^|(?<=[.!?\"“:;,][ \t]))"
            rf"(?:(?i:{_alt(lex['resident_modifiers'])})[ \t]+)?(?P<inst>(?i:{_alt(lex['resident_institutions'])}))"
            r"[ \t]+(?:in|of)[ \t]+(?:the[ \t]+)?$"
        ),
        ethnic=tuple(f"{w} " for word in lex["ethnic_words"] for w in (word.lower(), word.capitalize())),
        ethnic_last="".join(sorted({normalise(word)[-1] for word in lex["ethnic_words"]})),
        resident_heads=frozenset(w.split()[-1].lower() for w in lex["resident_institutions"]),
        descriptors=re.compile(
            rf"(?:['’]s?)?[ \t]+"
            rf"(?:(?:(?i:{_alt(lex['group_descriptors'])})|[A-Z][\w.]*[-–](?i:{sponsor_words}))[ \t]+){{0,3}}"
            rf"(?:[a-z]+[ \t]+(?:from|of)[ \t]+(?:the[ \t]+)?)?"
        ),
    )


def _phrase_chars(phrases: list[str]) -> str:
    """Every ASCII character a case-insensitive match of these phrases (``_alt``) can consist of.

    All of ASCII when a phrase is not ASCII itself (Unicode case folding could then match more).
    """
    if not all(phrase.isascii() for phrase in phrases):
        return "".join(map(chr, range(128)))
    chars = {c for phrase in phrases for c in phrase.lower() + phrase.upper()} | {"-"}
    chars |= {chr(cp) for cp in range(128) if chr(cp).isspace()}
    return "".join(sorted(chars))


# ---------------------------------------------------------------------------------------------
# Matching.


# A dictionary match that survived the boundary and case checks: (start, end, senses). A plain tuple:
# an article has ~90 of them and a tuple costs a fraction of a dataclass instance to build.
Hit = tuple[int, int, SenseSet]
# An automaton key's payload: (length less one, senses, title-case only, sport term or verb and cue targets).
Payload = tuple[int, SenseSet | None, bool, tuple[str | None, tuple[str, ...]] | None]


def _first_hit_from(hits: list[Hit], pos: int) -> int:
    """Index of the first hit starting at or after ``pos`` (``(pos,)`` sorts before any hit at pos)."""
    return bisect.bisect_left(hits, (pos,))


SPORT_TERM, SPORT_VERB, ALIGNED_CUE = "term", "verb", "aligned"

# What may follow a key in the automaton's haystack: the normalised text holds only letters, digits,
# spaces and dots (anything else that does not continue a word becomes a space first).
BOUNDARIES = (" ", ".")
_NOT_WORD = re.compile(r"[^\w.]|_")


def _dictionary_hits(text: str, kb: KB, hay: str | None = None) -> list[Hit]:
    """Leftmost-longest dictionary matches on word boundaries, with case checks applied."""
    return _scan(text, kb, " " + normalise(text) if hay is None else hay)[0]


@dataclass(slots=True)
class Extras:
    """Sport terms, sport verbs and negative-context cues found by the same automaton pass (offsets).

    ``aligned``: whether the normalised text holds an aligned-phrase cue ("close", "loyal") anywhere.
    """

    sport: list[int] = field(default_factory=list)
    sport_verbs: list[int] = field(default_factory=list)
    cues: dict[str, list[int]] = field(default_factory=dict)
    aligned: bool = False


def _scan(text: str, kb: KB, hay: str) -> tuple[list[Hit], Extras]:
    """One automaton pass: the dictionary hits and, on the side, sport terms and context cues.

    Hits are selected leftmost-longest as the matches arrive (in order of their ends): a match
    overlapping the last hit kept is dropped, one starting at or before it replaces the hits it
    covers (``_displace``), any other is kept.
    """
    scan = hay + " "
    ascii_only = scan.isascii()
    if not ascii_only:
        scan = _NOT_WORD.sub(" ", scan)
    extras = Extras()
    hits: list[Hit] = [_NO_HIT]
    append = hits.append
    for item in kb.automaton.iter(scan):
        hit: tuple[int, Payload] = item  # typed, so that the compiled unpacking reads the tuple directly
        last, (length, sense_set, title_only, extra) = hit
        start = last - length - 1
        # Extras were matched on the normalised text itself: where the scan blanked a character,
        # the key must still be there verbatim (an aligned cue is all letters, never blanked).
        if extra is not None and (ascii_only or extra[0] == ALIGNED_CUE or hay[start:last] == scan[start:last]):
            _extra(extras, start, extra)
        if sense_set is None:
            continue
        previous = hits[-1]
        if previous[0] < start < previous[1]:  # inside the last hit kept: cheapest to drop first
            continue
        kept: SenseSet | None
        if title_only:
            if not text[start].isupper():
                continue
            kept = sense_set
        else:
            span = text[start : start + length]
            by_case = sense_set.by_case
            if span in by_case:
                kept = by_case[span]
            else:
                kept = _case_filter(span, sense_set, kb)
                if len(by_case) < 16:  # a key's spellings in news are few; a hostile text adds no more
                    by_case[span] = kept
            if kept is None:
                continue
        if previous[0] >= start and not _displace(hits, start):
            continue
        append((start, start + length, kept))
    del hits[0]
    return hits, extras


# Sentinel first element of the hits being selected: nothing starts or ends before it.
_NO_HIT: Hit = (-1, -1, SenseSet([], "", None, frozenset(), (), (), (), False, False, False, False, False, False))


def _displace(hits: list[Hit], start: int) -> bool:
    """Make way for a match at ``start`` ending after every hit kept so far; False if one overlaps it.

    The kept hits starting at or after ``start`` lie inside the new match, which is longer or more
    to the left, so it wins over them unless an earlier hit runs into its start.
    """
    n = len(hits)
    while hits[n - 1][0] >= start:
        n -= 1
    if hits[n - 1][1] > start:
        return False
    del hits[n:]
    return True


def _extra(extras: Extras, start: int, extra: tuple[str | None, tuple[str, ...]]) -> None:
    kind, targets = extra
    if kind == SPORT_TERM:
        extras.sport.append(start)
    elif kind == SPORT_VERB:
        extras.sport_verbs.append(start)
    elif kind == ALIGNED_CUE:
        extras.aligned = True
    for target in targets:
        extras.cues.setdefault(target, []).append(start)


def _case_filter(span: str, sense_set: SenseSet, kb: KB) -> SenseSet | None:
    """The senses whose case rule ``span`` satisfies, as a (memoised) SenseSet; None if none do."""
    mask = 0
    for i, sense in enumerate(sense_set.senses):
        if _case_ok(span, sense):
            mask |= 1 << i
    if not mask:
        return None
    if mask == (1 << len(sense_set.senses)) - 1:
        return sense_set
    subset = sense_set.subsets.get(mask)
    if subset is None:
        kept = [sense for i, sense in enumerate(sense_set.senses) if mask >> i & 1]
        subset = sense_set.subsets[mask] = _sense_set(
            kept, sense_set.key, kb.entities, kb.person_risk, kb.negative, kb.group_nations
        )
    return subset


def _case_ok(span: str, sense: Sense) -> bool:
    """Acronyms match exactly; names need a capital first letter (so "turkey" the bird fails)."""
    if sense.exact:
        return span == sense.surface or span.replace(".", "") == sense.surface.replace(".", "") and span.isupper()
    first = sense.surface[0]
    if first.islower():
        return True
    return span[:1].isupper()


# ---------------------------------------------------------------------------------------------
# Small named rules.

_PREV_WORD = re.compile(r"([A-Z][\w'’-]*)[ \t]+$")
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][\w'’-]*)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”‘’(\n]\s*|[—–-]\s+)$")
FUNCTION_WORDS: frozenset[str] = frozenset(
    "in on at the from to and but with for of by as while after before since during neighbouring neighboring "
    "both when if a an like unlike including between against across under over about".split()
)


def _person_name_context(text: str, start: int, end: int, kb: KB) -> bool:
    """True when a name-like country/capital is part of a person's name ("Michael Jordan")."""
    before = _PREV_WORD.search(text, max(0, start - 30), start)
    if before:
        word = before.group(1)
        low = normalise(word).strip()
        at_start = _SENTENCE_START.search(text, max(0, before.start() - 3), before.start()) is not None
        if not at_start and low not in FUNCTION_WORDS and low not in kb.title_words and " " + low not in kb.senses:
            return True
    after = _NEXT_WORD.match(text, end)
    if after:
        low = normalise(after.group(1)).strip()
        if low not in kb.title_words and low not in FUNCTION_WORDS and " " + low not in kb.senses:
            return True
    return False


def _negative_context(start: int, end: int, key: str, kb: KB, cues: dict[str, list[int]]) -> bool:
    """True when cue words for a non-country reading sit near the match (Georgia + Atlanta)."""
    if key not in kb.negative:
        return False
    return any(start - 200 <= p <= end + 200 for p in cues.get(key, ()))


def _is_locative(text: str, start: int, kb: KB) -> bool:
    """True when a capital is used as a place ("met in Damascus"), not as its government."""
    words = [w.lower() for w in text[max(0, start - 40) : start].split()[-4:] if w.lower() != "the"]
    if not words:
        return False
    last = words[-1]
    if last in kb.locatives:
        return True
    if last in ("to", "on", "from") and len(words) >= 2:
        return words[-2].strip(",") in kb.locative_heads
    return False


def _sport_spans(text: str, term_at: list[int], verb_at: list[int], pats: Patterns) -> list[tuple[int, int]]:
    """Sentences about sport, where nations are teams: a score plus a sport verb, or sport terms in a
    sentence that does not speak of states' dealings (``sport_political_words``).

    Only the lines holding a sport term, or a sport verb and a score, are split (``split_line``):
    line breaks always end a sentence, so these are the same sentences a split of the whole article
    would give. The automaton found the terms and verbs; the score regex runs on verb lines only.
    """
    if not term_at and not verb_at:
        return []
    lines = set()
    for pos in term_at:
        line_end = text.find("\n", pos)
        lines.add((text.rfind("\n", 0, pos) + 1, len(text) if line_end < 0 else line_end))
    checked = set()
    for pos in verb_at:
        line_end = text.find("\n", pos)
        line = (text.rfind("\n", 0, pos) + 1, len(text) if line_end < 0 else line_end)
        if line not in checked:
            checked.add(line)
            if pats.sport_score.search(text, *line):
                lines.add(line)
    spans = []
    for line_start, line_end in sorted(lines):
        for s, e in split_line(text, line_start, line_end):
            if pats.sport_score.search(text, s, e) and pats.sport_verb.search(text, s, e):
                spans.append((s, e))
            elif any(s <= p < e for p in term_at) and not pats.sport_political.search(text, s, e):
                spans.append((s, e))
    return spans


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    for s, e in spans:
        if s <= pos < e:
            return True
    return False


def _active_role(entity: Entity, when: dt.date) -> dict[str, Any] | None:
    """The role a person held on ``when`` (the most recently started one if several)."""
    best = None
    for role in entity.roles:
        start, stop = role.get("from"), role.get("to")
        if (start is None or start <= when) and (stop is None or when <= stop):
            if best is None or (start or dt.date.min) >= (best.get("from") or dt.date.min):
                best = role
    return best


def _person_code(entity: Entity, when: dt.date) -> tuple[str, str | None]:
    """Date-resolved code: country (or organisation) + active role, else <ISO>ELI (former)."""
    role = _active_role(entity, when)
    if role is not None:
        return role.get("org") or f"{entity.country}{role['role']}", role["role"]
    if entity.country is None:
        return entity.roles[-1].get("org") or "IGO", "ELI"
    return f"{entity.country}ELI", "ELI"


@lru_cache(maxsize=8192)
def _person_info(eid: str, when: dt.date) -> tuple[Any, ...]:
    """Actor fields of a known person on a date (a person recurs in every story about them)."""
    entity = knowledge().entities[eid]
    code, role = _person_code(entity, when)
    return (code, entity.name, entity.country, role, "person", None)


# ---------------------------------------------------------------------------------------------
# Collection.

# Actor fields in the order of the ``Actor`` constructor minus mentions and salience:
# (code, name, country, role, type, sponsor).
Info = tuple[Any, ...]


class _Collector:
    """Accumulates entities and mentions for one article: a key's first fields win, spans add up.

    ``unordered`` holds the keys whose spans did not arrive in strictly increasing order (a lead
    word before a nationality, a repeated span): only theirs need sorting and deduplicating.
    """

    __slots__ = ("text", "infos", "spans", "unordered", "aligned_possible")

    def __init__(self, text: str, aligned_possible: bool = True) -> None:
        self.text = text
        self.infos: dict[str, Info] = {}
        self.spans: dict[str, list[tuple[int, int]]] = {}
        self.unordered: set[str] = set()
        self.aligned_possible = aligned_possible

    def put(self, key: str, info: Info, start: int, end: int) -> None:
        spans = self.spans.get(key)
        span = (start, end)
        if spans is None:
            self.spans[key] = [span]
            self.infos[key] = info
        else:
            if span <= spans[-1]:
                self.unordered.add(key)
            spans.append(span)

    def nearest_before(self, start: int, reach: int, keep: Callable[[Info], bool] | None = None) -> str | None:
        """The key of the actor mentioned last before ``start`` in its paragraph, at most ``reach`` back.

        ``keep`` limits the search to the actors whose fields it accepts.
        """
        floor = max(self.text.rfind("\n", 0, start), start - reach)
        best: tuple[int, str] | None = None
        for key, spans in self.spans.items():
            if keep is not None and not keep(self.infos[key]):
                continue
            position = max((s for s, _ in spans if floor < s < start), default=-1)
            if position >= 0 and (best is None or position > best[0]):
                best = (position, key)
        return None if best is None else best[1]

    def add(
        self,
        key: str,
        start: int,
        end: int,
        code: str,
        name: str,
        country: str | None,
        role: str | None,
        type_: str,
        sponsor: str | None = None,
    ) -> None:
        self.put(key, (code, name, country, role, type_, sponsor), start, end)


def _country_label(kb: KB, iso: str) -> str:
    rec = kb.countries.get(iso)
    return rec["name"] if rec else iso


def _resolve_ambiguous(surface: str, hits: list[Hit], kb: KB) -> str:
    """Pick the candidate country best supported by the article's unambiguous mentions."""
    candidates = kb.ambiguous[surface]
    support = dict.fromkeys(candidates, 0)
    for _, _, sense_set in hits:
        for sense in sense_set.senses:
            iso = None
            if sense.kind in _PLACE_KINDS:
                iso = sense.target
            elif sense.kind in ("person", "entity"):
                iso = kb.entities[sense.target].country
            if iso in support:
                support[iso] += 1
    return max(candidates, key=lambda c: (support[c], -candidates.index(c)))


def _shared_weak_countries(weak: list[tuple[str, str | None]]) -> set[str]:
    """Countries named by two different weak aliases ("SNA fighters clashed with the SDF")."""
    seen: dict[str, set[str]] = {}
    for target, country in weak:
        if country:
            seen.setdefault(country, set()).add(target)
    return {c for c, targets in seen.items() if len(targets) >= 2}


def _as_date(published: dt.date | dt.datetime | None) -> dt.date:
    if published is None:
        return dt.date.today()
    if isinstance(published, dt.datetime):
        return published.date()
    return published


_APOSTROPHES = ("'", "’")
_CARRY_FOLLOWERS = frozenset({" ", "'", "’"})
_NATIONAL_KINDS = frozenset({"country", "adj", "dem"})


def find_actors(text: str, published: dt.date | dt.datetime | None = None) -> list[Actor]:
    """Recognise the actors in ``text`` as of ``published`` (today when unknown)."""
    if not text:
        return []
    kb = knowledge()
    pats = patterns()
    when = _as_date(published)
    hay = " " + normalise(text)
    hits, extras = _scan(text, kb, hay)
    sport = _sport_spans(text, extras.sport, extras.sport_verbs, pats)
    named: Named | None = None
    out = _Collector(text, extras.aligned)
    put = out.put
    entity_infos = kb.entity_infos
    consumed_until = -1

    for index, (start, end, sense_set) in enumerate(hits):
        if start < consumed_until:
            continue
        if (start == 0 or text[start - 1] == "\n") and (
            text[end : end + 1] == "," or text[end : end + 2] in _DATELINE_NEXT
        ):
            dateline = _dateline(text, start, end)
            if dateline:  # "KYIV, Nov 15 (Reuters) -": where the story was filed, not an actor
                consumed_until = dateline
                continue
        sense = sense_set.first
        if sense is None:
            if named is None:
                named = _named(hits)
            sense = _choose_sense(sense_set.senses, start, text, kb, *named)
            if sense is None:
                continue
        kind = sense.kind
        if kind == "entity":
            put(sense.target, entity_infos[sense.target], start, end)
            continue
        if kind == "person" or kind == "surname":
            put(sense.target, _person_info(sense.target, when), start, end)
            continue
        if kind in _PLACE_KINDS:
            iso = sense.target
        elif kind == "ambiguous":
            iso = _resolve_ambiguous(" " + normalise(sense.surface).strip(), hits, kb)
            kind = "adj"
        else:
            if kind == "pronoun_office":
                _pronoun_office(out, start, end, sense, when, kb)
            continue
        if sport and sport[0][0] <= start < sport[-1][1] and kind != "seat" and _inside(sport, start):
            continue
        if sense_set.risk and _person_name_context(text, start, end, kb):
            if kind in _NATIONAL_KINDS and text[end + 1 : end + 2].isupper():  # "China Evergrande Group"
                consumed_until = _company(out, text, start, end, iso, hay, kb, pats) or consumed_until
            continue
        if sense_set.negative and _negative_context(start, end, sense_set.key, kb, extras.cues):
            continue
        follower = text[end : end + 1]
        if follower in _APOSTROPHES and _possessive_of_known(end, hits, index, iso):
            continue
        if (
            sense_set.grouped
            and follower in _CARRY_FOLLOWERS
            and kind in _NATIONAL_KINDS
            and _group_after(hits, text, end, index, iso, pats.descriptors)
        ):
            # "Lebanese Hezbollah", "Sudan's paramilitary Rapid Support Forces", "Sudanese fighters
            # from the RSF": the group carries the nationality
            continue
        if sense_set.has_adj and _COORD_START.match(text, end):
            shared = _coordinated(out, text, index, hits, when, kb, pats)
            if shared:
                consumed_until = shared
                continue
        consumed_until = _nationality(out, text, start, end, iso, kind, follower, when, kb, pats, hits, hay)

    return _finalise(out, len(text))


# A dateline opens a story or paragraph: a place (in capitals, or followed by the agency in brackets),
# maybe a date or region after a comma, then a dash. "KYIV, Nov 15 (Reuters) - ", "BEIRUT (AP) — ",
# "Kyiv (AFP) - ", "WASHINGTON — ". Without the agency, only capitals and a long dash or a date count, so
# "US, China agree - report" is no dateline.
_DATELINE_AGENCY = re.compile(
    r"[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,3}(?:,[ \t]*[^\n,()]{1,30}?){0,2}"
    r"[ \t]*\([A-Za-z][\w .'/-]{0,30}\)[ \t]*(?:[-–—:]{1,2})\s"
)
_DATELINE_CAPS = re.compile(
    r"[A-Z][A-Z'’.-]+(?:[ \t]+[A-Z][A-Z'’.-]+){0,3}(?:,[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?"
    r"[ \t]*(?:—|–|--|-(?=[ \t]+\S)(?<=\d[ \t]-))\s"
)


_DATELINE_NEXT = frozenset({" (", " —", " –", " -"})


def _dateline(text: str, start: int, end: int) -> int:
    """End of the dateline a match at the start of a line opens, or 0 when it opens none."""
    m = _DATELINE_AGENCY.match(text, start)
    if m is None and text[start:end].isupper():
        m = _DATELINE_CAPS.match(text, start)
    return m.end() if m is not None and m.end() - start < 80 else 0


# What an article names, the context of weak aliases and surnames: (countries, full names, strong entities).
Named = tuple[set[str], set[str], set[str]]


def _company(out: _Collector, text: str, start: int, end: int, iso: str, hay: str, kb: KB, pats: Patterns) -> int:
    """A company named after a nationality or country ("China Evergrande Group"): its end, else 0.

    The caller has seen a capitalised word follow; the pattern runs only when one of the next three
    words is a company word (looked up in the normalised text, which is cheaper than a failed match).
    """
    words = hay[end + 2 : end + 60].split(" ", 3)[:3]
    company_words = kb.company_words
    if not any(word in company_words for word in words):
        return 0
    m = pats.company.match(text, end)
    if m is None:
        return 0
    name = text[start : m.end()]
    out.add(f"company:{name}", start, m.end(), f"{iso}BUS", name, iso, "BUS", "company")
    return m.end()


def _named(hits: list[Hit]) -> Named:
    """The countries, full names and strong entities the article's matches name.

    Built on first need: only a weak alias or a surname needs it, and most articles have neither.
    """
    sets = [hit[2] for hit in hits]
    context = set().union(*[s.countries for s in sets])
    full_names = set().union(*[s.persons for s in sets])
    strong_entities = set().union(*[s.strong for s in sets])
    weak = [w for s in sets if s.weak for w in s.weak]
    if weak:
        weak_countries = [c for _, c in weak]
        named = [c for c in weak_countries if c]
        if len(set(named)) < len(named) or len(set(weak_countries)) > 1:
            context |= _shared_weak_countries(weak)
    return context, full_names, strong_entities


def _choose_sense(
    senses: list[Sense], start: int, text: str, kb: KB, context: set[str], full_names: set[str], strong: set[str]
) -> Sense | None:
    """Pick the usable meaning of a match, applying the weak-alias and surname rules."""
    for sense in senses:
        if sense.kind == "entity" and sense.weak:
            entity = kb.entities[sense.target]
            if sense.target not in strong and not (entity.needs & context):
                continue
        if sense.kind == "surname":
            entity = kb.entities[sense.target]
            if not (entity.alone or sense.target in full_names or _titled(text, start, kb)):
                continue
        return sense
    return None


_TITLE_BEFORE = re.compile(r"([A-Za-z][\w.-]*)[ \t]+$")


def _titled(text: str, start: int, kb: KB) -> bool:
    """True when a title ("President", "Minister", "Gen.") stands right before a surname."""
    m = _TITLE_BEFORE.search(text, max(0, start - 30), start)
    return m is not None and normalise(m.group(1)).strip(". ") in kb.title_words | {"mr", "mrs", "ms", "dr", "gen", "president", "minister"}


def _nationality(
    out: _Collector,
    text: str,
    start: int,
    end: int,
    iso: str,
    kind: str,
    follower: str,
    when: dt.date,
    kb: KB,
    pats: Patterns,
    hits: list[Hit],
    hay: str,
) -> int:
    """Expand a country/nationality/capital match by the general patterns; return consumed end."""
    place = kb.places.get(iso) or _place(iso, _country_label(kb, iso), set())
    # "of " and "of the " end in "f " and "e ": the normalised letter before the space rules most out.
    if kind == "country" and hay[start - 1] in "fe" and text.endswith(_OF, max(0, start - 7), start):
        office = pats.office_of.search(text, max(0, start - 60), start)
        if office is not None:
            return _offices_of(out, text, office, start, end, iso, hits, when, kb)
    if (
        hay[start - 1] in "nf"
        and text.endswith(_IN_OF, max(0, start - 3), start)
        and kind != "adj"
        and kind != "dem"
        and text[max(0, start - 25) : start - 4].rpartition(" ")[2].lower() in pats.resident_heads
    ):
        resident = pats.resident.search(text, max(0, start - 60), start)
        if resident is not None:  # "the junta in Niger", "authorities in Tehran", "the government of Iraq"
            role = kb.institutions.get(_squash(resident.group("inst").lower()), "GOV")
            key, info = _role_keys(place, iso, role)[0]
            out.put(key, info, resident.start("inst"), end)
            return end
    if follower in ("-", "–") and kind in ("adj", "country", "capital"):
        origin = pats.origin.match(text, end)
        if origin is not None:  # "Turkish-made drones", "the London-based monitor": no actor
            return origin.end()
        sponsor = pats.sponsor.match(text, end)
        if sponsor:
            return _sponsored(out, start, end, place, kind, sponsor, kb, hits, text)
    if (kind == "adj" or kind == "country") and follower in (" ", "'", "’", "\t") or (
        follower in _APOSTROPHES and (kind == "seat" or kind == "capital" and not _is_locative(text, start, kb))
    ):  # "Kyiv's forces", "the Kremlin's spokesman" too
        nxt = _NEXT_TOKEN.match(hay, end + 1)
        word = nxt.group(1) if nxt is not None else ""
        if word in kb.trigger_words:
            m = _follow_for(word).match(text, end)
            branch = m.lastgroup if m else None
            if branch == "f_titled":
                assert m is not None
                if _known_span(hits, m.start("name")):
                    return end
                title = normalise(m.group("title")).strip()
                role = kb.titles.get(_squash(title), {}).get("role", "GOV")
                if _former(text, start, end, m.start("title"), pats):
                    role = "ELI"
                name = m.group("name")
                out.add(f"person:{iso}:{name}", m.start("name"), m.end("name"), f"{iso}{role}", name, iso, role, "person")
                return m.end()
            if branch == "f_anon":
                assert m is not None
                mod = (m.group("mod") or "").lower()
                role = kb.anon_modifiers.get(_squash(mod), "GOV") if mod else "GOV"
                lead = _before_anon(text, start, pats)
                s = lead.start() if lead else start
                key, info = _role_keys(place, iso, role)[1]
                out.put(key, info, s, m.end())
                return m.end()
            if branch == "f_alone":
                assert m is not None
                former = _former(text, start, end, m.start("alone_title"), pats)
                return _office(out, start, m.group("alone_title"), m.end(), iso, place.label, when, kb, former=former)
            if branch == "f_inst":
                assert m is not None
                role = kb.institutions.get(_squash(m.group("inst").lower()), "GOV")
                if out.aligned_possible:
                    _aligned(out, text, start, m.end(), place, pats)
                key, info = _role_keys(place, iso, role)[0]
                out.put(key, info, start, m.end())
                return m.end()
            if branch == "f_model":  # "a Turkish F-16", "U.S. B-2 bombers": military hardware
                assert m is not None
                key, info = _role_keys(place, iso, "MIL")[0]
                out.put(key, info, start, m.end())
                return m.end()
    if follower == " " and kind in _NATIONAL_KINDS and text[end + 1 : end + 2].isupper():
        stop = _company(out, text, start, end, iso, hay, kb, pats)
        if stop:  # "China Evergrande Group", "Turkish Airlines", "Saudi National Bank"
            return stop
    if kind == "capital" or kind == "seat":
        if kind == "capital" and _is_locative(text, start, kb):
            return end
        if out.aligned_possible:
            _aligned(out, text, start, end, place, pats)
        out.put(place.gov[0], place.gov[1], start, end)
        return end
    if hay[start - 1] in pats.ethnic_last and text.endswith(pats.ethnic, max(0, start - 16), start):
        return end  # "ethnic Albanians in Kosovo": a people, not the state of Albania
    if out.aligned_possible:
        _aligned(out, text, start, end, place, pats)
    out.put(place.country[0], place.country[1], start, end)
    return end


def _former(text: str, start: int, end: int, title_start: int, pats: Patterns) -> bool:
    """True when "former", "late", "ex-" qualifies the office: before the nationality ("the late Libyan
    leader") or among the rank words after it ("Iraq's former prime minister")."""
    between = text[end:title_start].lower().replace("-", " ").split()
    if any(word.strip("'’") in pats.former_words for word in between):
        return True
    return pats.former_before.search(text, max(0, start - 24), start) is not None




def _group_after(hits: list[Hit], text: str, end: int, index: int, iso: str, between: re.Pattern[str]) -> bool:
    """True when one of the next two matches after hit ``index`` is a known armed group, party or
    administration of country ``iso`` and only what ``between`` matches separates it from ``end``
    (the match in between being a sponsor: "Yemen's Iran-aligned Houthis")."""
    for j in (index + 1, index + 2):
        if j < len(hits) and iso in hits[j][2].group_countries:
            at = between.match(text, end)
            return at is not None and at.end() == hits[j][0]
    return False


def _role_keys(place: Place, iso: str, role: str) -> tuple[tuple[str, Info], tuple[str, Info]]:
    """(institution, anonymous official) keys and fields of ``role`` in a country."""
    keys = place.roles.get(role)
    if keys is None:
        keys = _place(iso, place.label, {role}).roles[role]
    return keys


def _before_anon(text: str, start: int, pats: Patterns) -> re.Match[str] | None:
    """"a senior", "two": the indefinite/degree words that open an anonymous mention, if any.

    The pattern can only match when the word right before ``start`` ends one of its phrases, so the
    (costly, anchored-at-the-end) search runs only then, and only from where the run of characters
    its phrases are made of begins: each position it skips is one more failed try of every phrase.
    """
    lo = max(0, start - 40)
    head = text[lo:start]
    words = head.rstrip(" \t")
    if len(words) == len(head):
        return None
    rest = words.rstrip(_ASCII_LETTERS)
    word = words[len(rest) :]
    # The last word may run on past what was stripped: into non-ASCII letters, or out of the window.
    runs_on = rest[-1:].isalpha() or (not rest and lo > 0)
    if not runs_on and (not word or word.lower() not in pats.before_anon_last):
        return None
    if head.isascii():
        lo += len(head.rstrip(pats.before_anon_chars))
    return pats.before_anon.search(text, lo, start)


_ASCII_LETTERS = string.ascii_letters
_COORD_START = re.compile(r"[ \t]*,|[ \t]+(?:and|or)[ \t]")
_COORDINATOR = re.compile(r"(?:[ \t]*,[ \t]*(?:and[ \t]+|or[ \t]+)?|[ \t]+(?:and|or)[ \t]+)")


def _possessive_of_known(end: int, hits: list[Hit], index: int, iso: str | None) -> bool:
    """"Russia's Wagner Group", "China's Ministry of State Security", "Egypt's Sisi": a known actor
    of that country carries it ("Finland's NATO membership" names Finland)."""
    if index + 1 >= len(hits):
        return False
    nxt_start, _, nxt = hits[index + 1]
    return 2 <= nxt_start - end <= 3 and (nxt.known or nxt.surnamed) and iso in nxt.countries


_OF = ("of ", "of the ")
_IN_OF = ("in ", "of ")


def _offices_of(
    out: _Collector, text: str, office: re.Match[str], start: int, end: int, iso: str, hits: list[Hit], when: dt.date, kb: KB
) -> int:
    """"the foreign minister of Iran", "the defence ministers of Russia, Turkey and Syria": each holder."""
    chain = [(start, end, iso)]
    if office.group("plural"):
        for j in range(_first_hit_from(hits, start) + 1, len(hits)):
            nxt_start, nxt_end, nxt = hits[j]
            country = next((x.target for x in nxt.senses if x.kind == "country"), None)
            if country is None or _COORDINATOR.fullmatch(text, chain[-1][1], nxt_start) is None:
                break
            chain.append((nxt_start, nxt_end, country))
    title = office.group("title")
    for s, e, country in chain:
        _office(out, office.start() if s == start else s, title, e, country, _country_label(kb, country), when, kb)
    return chain[-1][1]


def _coordinated(out: _Collector, text: str, index: int, hits: list[Hit], when: dt.date, kb: KB, pats: Patterns) -> int:
    """"Turkish, Syrian and Russian defence ministers": each nationality gets the shared role."""
    first_start, first_end, first = hits[index]
    chain = [(first_start, first_end, first.senses[0].target)]
    j = index + 1
    while j < len(hits):
        prev_end = chain[-1][1]
        nxt_start, nxt_end, nxt = hits[j]
        adjective = next((x for x in nxt.senses if x.kind == "adj"), None)
        if adjective is None or _COORDINATOR.fullmatch(text, prev_end, nxt_start) is None:
            break
        chain.append((nxt_start, nxt_end, adjective.target))
        j += 1
    if len(chain) < 2:
        return 0
    last_end = chain[-1][1]
    anon = pats.anon.match(text, last_end)
    inst = pats.institution.match(text, last_end)
    alone = pats.title_alone.match(text, last_end)
    found = anon or alone or inst
    if found is None:
        return 0
    for start, end, iso in chain:
        label = _country_label(kb, iso)
        stop = found.end() if end == last_end else end
        if anon is not None:
            mod = (anon.group("mod") or "").lower()
            role = kb.anon_modifiers.get(_squash(mod), "GOV") if mod else "GOV"
            out.add(f"anon:{iso}{role}", start, stop, f"{iso}{role}", f"{label} official (anonymous)", iso, role, "anonymous")
        elif alone is not None:
            _office(out, start, alone.group("title"), alone.end(), iso, label, when, kb, stop)
        else:
            role = kb.institutions.get(_squash(found.group("inst").lower()), "GOV")
            key = f"gov:{iso}" if role == "GOV" else f"inst:{iso}{role}"
            name = f"{label} government" if role == "GOV" else f"{label} {_ROLE_NAMES.get(role, role)}"
            out.add(key, start, stop, f"{iso}{role}", name, iso, role, _ROLE_TYPES.get(role, "institution"))
    return found.end()


_NEXT_TOKEN = re.compile(r" +(?:s +)?([a-z0-9]+)")
_ROLE_TYPES = {"GOV": "government", "OPP": "opposition", "REB": "armed_group", "MED": "media"}
_ROLE_NAMES = {"MIL": "military", "SPY": "intelligence", "COP": "police", "LEG": "legislature", "JUD": "judiciary", "OPP": "opposition", "REB": "rebels", "MED": "state media"}


@lru_cache(maxsize=1024)
def _squash(phrase: str) -> str:
    """One space between words, hyphens as spaces: the lexicon spelling of a matched phrase."""
    return " ".join(phrase.replace("-", " ").split())


def _known_span(hits: list[Hit], pos: int) -> bool:
    """True when a dictionary person/entity match starts at ``pos`` (a known name follows)."""
    i = _first_hit_from(hits, pos)
    return i < len(hits) and hits[i][0] == pos


def _aligned(out: _Collector, text: str, start: int, end: int, place: Place, pats: Patterns) -> None:
    """"a source aligned with the Syrian government": also an anonymous official of that state."""
    window = text[max(0, start - 80) : start]
    if not any(cue in window for cue in knowledge().aligned_cues):
        return
    m = pats.aligned_before.search(text, max(0, start - 80), start)
    if m:
        key, info = place.roles["GOV"][1]
        out.put(key, info, m.start(), end)


def _sponsored(
    out: _Collector, start: int, end: int, place: Place, kind: str, m: re.Match[str], kb: KB, hits: list[Hit], text: str
) -> int:
    """"Iran-backed militias", "Damascus-aligned source", "Turkish-backed opposition factions"."""
    noun = (m.group("noun") or "").lower()
    key, info = place.gov if kind == "capital" else place.country
    out.put(key, info, start, end)
    if noun and noun in _anonymous_nouns():
        key, info = place.roles["GOV"][1]
        out.put(key, info, start, m.end())
        return m.end()
    if not noun:
        return m.end()
    if m.start("noun") > m.end("verb") + 1 and _named_inside(hits, m.end("verb"), m.start("noun"), noun, kb):
        return m.end("verb")  # "Iran-backed Houthi rebels", "Turkish-backed Syrian rebels": named, no proxy
    if _known_group_follows(hits, m.end(), text):
        return m.end()
    out.put(place.proxy[0], place.proxy[1], start, m.end())
    return m.end()


@lru_cache(maxsize=1)
def _anonymous_nouns() -> frozenset[str]:
    return frozenset(n.lower() for n in knowledge().lexicon["anonymous_nouns"])


def _named_inside(hits: list[Hit], start: int, stop: int, noun: str, kb: KB) -> bool:
    """True when the words between a sponsor verb and its noun name the force: a known armed group
    ("Iran-backed Houthi rebels") or a nationality that makes an institution with the noun
    ("Turkish-backed Syrian rebels": Syrian rebels)."""
    for i in range(_first_hit_from(hits, start), len(hits)):
        hit_start, _, sense_set = hits[i]
        if hit_start >= stop:
            return False
        if sense_set.armed or (sense_set.has_adj and noun in kb.institutions):
            return True
    return False


_APPOSITION = re.compile(
    r"[\s,(:—–-]*(?:(?:also|collectively|commonly|better|locally)\s+)?"
    r"(?:(?:known|referred\s+to)\s+as|called|named|such\s+as|including|like|led\s+by|under|of|from|in)?"
    r"[\s,(:]*(?:the\s+)?"
)


def _known_group_follows(hits: list[Hit], pos: int, text: str) -> bool:
    """True when a known armed group stands in apposition to the proxy noun ("Turkish-backed factions,
    the Syrian National Army", "Iran-backed militias such as Kataib Hezbollah"): they are that group.

    A group named further on in the clause is another party ("U.S.-backed forces declared the
    defeat of Islamic State").
    """
    i = _first_hit_from(hits, pos)
    if i >= len(hits) or not hits[i][2].armed:
        return False
    between = _APPOSITION.match(text, pos)
    return between is not None and between.end() == hits[i][0]


def _office(
    out: _Collector,
    start: int,
    title_text: str,
    match_end: int,
    iso: str,
    label: str,
    when: dt.date,
    kb: KB,
    stop: int | None = None,
    former: bool = False,
) -> int:
    """"the Turkish foreign minister": the holder on that date if known, else the office itself.

    A ``former`` office ("the former Turkish foreign minister") is held by nobody now: an <ISO>ELI.
    """
    title = _squash(normalise(title_text).strip())
    if former:
        name = f"former {label} {title}"
        out.add(f"office:{iso}:former {title}", start, stop or match_end, f"{iso}ELI", name, iso, "ELI", "official")
        return match_end
    spec = kb.titles.get(title, {})
    role = spec.get("role", "GOV")
    office = spec.get("office")
    if spec.get("inherit"):
        role, office = _counterpart_office(out, start, iso, when, kb) or (role, office)
    if office:
        for eid, held in kb.offices.get((iso, office), []):
            if (held["from"] is None or held["from"] <= when) and (held["to"] is None or when <= held["to"]):
                entity = kb.entities[eid]
                out.add(eid, start, stop or match_end, f"{iso}{held['role']}", entity.name, iso, held["role"], "person")
                return match_end
    out.add(f"office:{iso}:{title}", start, stop or match_end, f"{iso}{role}", f"{label} {title}", iso, role, "official")
    return match_end


#: Possessive pronouns that may open an office ("its intelligence chief", "his foreign minister"),
#: with the actor types the pronoun can stand for.
PRONOUNS: dict[str, tuple[str, ...]] = {"its": ("country", "government"), "his": ("person",), "her": ("person",)}


def _pronoun_office(out: _Collector, start: int, end: int, sense: Sense, when: dt.date, kb: KB) -> None:
    """"Turkey said its intelligence chief...", "Putin and his defence minister": the holder of that office.

    "its" stands for the nearest actor named before it in the paragraph, if that is a state; "his"
    and "her" for the nearest person. Anything else (NATO's "its secretary general") is left alone.
    """
    kinds = PRONOUNS[sense.surface.split()[0]]
    personal = "person" in kinds
    key = out.nearest_before(start, 200, (lambda info: info[4] == "person") if personal else None)
    info = None if key is None else out.infos[key]
    if info is None or info[4] not in kinds or info[2] is None:
        return
    iso = info[2]
    _office(out, start, sense.target, end, iso, _country_label(kb, iso), when, kb)


def _counterpart_office(out: _Collector, start: int, iso: str, when: dt.date, kb: KB) -> tuple[str, str | None] | None:
    """"Lavrov met his Turkish counterpart": the (role, office) of the official named just before.

    The nearest person or office-holder of another country mentioned earlier in the same
    paragraph (at most 300 characters back) lends the counterpart its office, so the Turkish foreign
    minister is found for a Russian foreign minister and the intelligence chief for a spy chief.
    """
    key = out.nearest_before(start, 300, lambda info: info[4] in ("person", "official") and info[2] != iso)
    if key is None:
        return None
    role = out.infos[key][3]
    entity = kb.entities.get(key)
    if entity is not None:
        held = _active_role(entity, when)
        return (role, held.get("office")) if held else None
    title = key.rsplit(":", 1)[-1]
    return role, kb.titles.get(title, {}).get("office")


def _slotted(cls: type, names: tuple[str, ...]) -> bool:
    """True when ``cls`` is a slotted dataclass with exactly these fields and no ``__post_init__``."""
    return (
        tuple(f.name for f in dataclasses.fields(cls)) == names
        and not hasattr(cls, "__post_init__")
        and all(hasattr(cls.__dict__.get(n), "__set__") for n in names)
    )


def _mention_builder() -> Any:
    """``Mention(text, start, end)``, built faster (see ``_actor_builder``)."""
    if not _slotted(Mention, ("text", "start", "end")):
        return Mention
    set_text, set_start, set_end = (Mention.__dict__[n].__set__ for n in ("text", "start", "end"))
    new = object.__new__

    def build(text: str, start: int, end: int) -> Mention:
        mention = new(Mention)
        set_text(mention, text)
        set_start(mention, start)
        set_end(mention, end)
        return mention

    return build


_ACTOR_FIELDS = ("code", "name", "country", "role", "type", "mentions", "sponsor", "salience")


def _actor_builder() -> Any:
    """``Actor`` from an ``Info`` tuple, its mentions and salience, built through the slot descriptors.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``; setting the
    slots directly builds the same (equal, immutable) object in half the time, which matters for
    the ~150 Actor and Mention objects of a dense article. Falls back to the class itself if the
    schema changes shape or starts validating in ``__post_init__``.
    """
    if not _slotted(Actor, _ACTOR_FIELDS):
        return lambda info, mentions, salience: Actor(info[0], info[1], info[2], info[3], info[4], mentions, info[5], salience)
    s_code, s_name, s_country, s_role, s_type, s_mentions, s_sponsor, s_salience = (
        Actor.__dict__[n].__set__ for n in _ACTOR_FIELDS
    )
    new = object.__new__

    def build(info: Info, mentions: tuple[Mention, ...], salience: float) -> Actor:
        code, name, country, role, type_, sponsor = info
        actor = new(Actor)
        s_code(actor, code)
        s_name(actor, name)
        s_country(actor, country)
        s_role(actor, role)
        s_type(actor, type_)
        s_mentions(actor, mentions)
        s_sponsor(actor, sponsor)
        s_salience(actor, salience)
        return actor

    return build


_new_mention = _mention_builder()
_new_actor = _actor_builder()


def _finalise(out: _Collector, length: int) -> list[Actor]:
    """Build Actors with salience: mention count weighted towards the top of the story."""
    scale = max(length, 1)
    text = out.text
    new_mention, new_actor = _new_mention, _new_actor
    unordered = out.unordered
    rows = []
    top = 1.0 if not out.spans else 0.0
    for key, spans in out.spans.items():
        if len(spans) == 1:
            s, e = spans[0]
            score = 1.0 + 0.5 * (1.0 - s / scale)
            mentions: tuple[Mention, ...] = (new_mention(text[s:e], s, e),)
        else:
            score = sum([1.0 + 0.5 * (1.0 - s / scale) for s, _ in spans])
            ordered = sorted(set(spans)) if key in unordered else spans
            mentions = tuple([new_mention(text[s:e], s, e) for s, e in ordered])
        if score > top:
            top = score
        rows.append((mentions[0].start, key, mentions, score))
    infos = out.infos
    # By salience, then first mention, then as found: two stable sorts on C-level keys.
    rows.sort(key=_FIRST)
    actors = [new_actor(infos[key], mentions, round(score / top, 3)) for _, key, mentions, score in rows]
    actors.sort(key=_SALIENCE, reverse=True)
    return actors


_FIRST = itemgetter(0)
_SALIENCE = attrgetter("salience")




def find_sources(text: str) -> list[Source]:
    """News agencies and outlets named in ``text`` (sources of claims, not actors), in text order."""
    kb = knowledge()
    found = []
    for start, end, sense_set in _dictionary_hits(text, kb):
        for sense in sense_set.senses:
            if sense.kind == "outlet":
                rec = kb.outlets[sense.target]
                found.append(Source(rec["name"], text[start:end], start, end, rec.get("country"), bool(rec.get("state"))))
                break
    return found


def country_of(code: str) -> str | None:
    """The side ``code`` counts as in a dyad: a state organ counts as its state, others as themselves.

    ``TURSPY`` -> ``TUR``; ``TUR`` -> ``TUR``; ``SDF`` -> ``SDF``; ``TUROPP``/``TURBUS``/``TURELI``
    (opposition, business, former officials: not the state) -> themselves; unknown -> ``None``.
    """
    kb = knowledge()
    if code in kb.countries:
        return code
    if len(code) == 6 and code[:3] in kb.countries:
        return code[:3] if code[3:] in STATE_ROLES else code
    if code in kb.codes or (code.startswith("UAF") and code[3:] in kb.countries):
        return code
    return None
