"""Throughput of actor recognition plus signal detection on ~600-word wire articles, one core.

Articles are assembled deterministically from a pool of real-shaped wire sentences: the seed
article, the labelled signal set (cooperative, hostile, denied, planned, mediated, traps) and plain
news filler (weather, markets, courts, health), in the proportion of a typical international desk
(about one sentence in five carries an event word). Baselines measured in the same run: sentence
splitting alone and actor recognition alone, so the signal stage's own cost is visible.

    .venv/bin/python benchmarks/bench_signals.py [--articles 10000] [--words 600]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from native import use_native_if_asked

NATIVE = use_native_if_asked(sys.argv)

from wirewatch.processors.extraction.actors import find_actors  # noqa: E402
from wirewatch.processors.extraction.signals import dyad_verdicts, find_signals, load_lexicon  # noqa: E402
from wirewatch.processors.extraction.text import _split_cached, split_sentences  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = datetime(2022, 9, 15, tzinfo=timezone.utc)

FILLER = [
    "Temperatures are expected to reach 38 degrees Celsius in the capital on Saturday, the meteorological office said.",
    "The central bank left its benchmark interest rate unchanged at its monthly meeting of the monetary policy committee.",
    "Hospitals in the region reported a rise in respiratory infections as the winter season began.",
    "The court adjourned the trial of the former mayor until next month after his lawyers requested more time.",
    "Farmers said the drought had cut wheat yields by a third compared with last year.",
    "The ministry of education announced that schools would reopen on September 18 after the summer break.",
    "Fuel prices rose for the third time this year, adding to pressure on households already hit by inflation.",
    "Thousands of people gathered in the old city for the annual festival, which features music and crafts.",
    "The construction of the new highway linking the two provinces is expected to be completed by 2025.",
    "Officials said the power outages were caused by a fault at a main transmission station.",
    "The opposition newspaper said its editor had been questioned by prosecutors over an article on corruption.",
    "Aid groups warned that food insecurity was rising in camps for displaced people in the north.",
    "The parliament approved the budget for next year after a debate that lasted late into the night.",
    "Exports of olive oil increased by 12 percent in the first half of the year, according to official data.",
    "The university opened a new research centre for renewable energy, funded by private donors.",
    "Residents complained about long queues at bakeries as the price of subsidised bread rose.",
    "Police arrested three people suspected of smuggling antiquities across the border, state media reported.",
    "The health ministry launched a vaccination campaign for children under five in rural areas.",
    "Heavy rain caused flooding in several villages, damaging homes and farmland.",
    "The airline said it would add weekly flights to several Gulf destinations from October.",
    "Analysts said the decision reflected concerns about the country's growing foreign debt.",
    "The population of the city has more than doubled in the past two decades, according to census figures.",
    "Local authorities said water supplies would be rationed in the coming weeks because of low reservoir levels.",
    "The museum displayed manuscripts dating back to the 13th century for the first time.",
    "Unemployment among young people remained above 25 percent, the statistics office said.",
    "A fire broke out in a textile factory on the outskirts of the city, but no casualties were reported.",
    "The minister inaugurated a new water treatment plant that will serve 200,000 people.",
    "Shops in the main market closed early as traders protested against new taxes.",
    "The report noted that the number of tourists visiting the coast had recovered to pre-pandemic levels.",
    "Doctors said the shortage of medicines had worsened since the start of the year.",
]


def sentence_pool() -> tuple[list[str], list[str]]:
    """Event-bearing sentences (seed article, labelled set) and plain filler."""
    seed = (ROOT / "tests" / "fixtures" / "seed-article.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    events = [seed[s:e] for s, e in split_sentences(seed)]
    labelled = ROOT / "tests" / "eval" / "signals" / "labelled.jsonl"
    for line in labelled.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        events.extend(text[s:e] for s, e in split_sentences(text))
    return events, list(FILLER)


def make_articles(n: int, words: int, seed: int = 7) -> list[str]:
    """``n`` articles of about ``words`` words, four sentences to a paragraph."""
    rng = random.Random(seed)
    events, filler = sentence_pool()
    articles = []
    for _ in range(n):
        sentences: list[str] = []
        count = 0
        while count < words:
            s = rng.choice(events) if rng.random() < 0.2 else rng.choice(filler)
            sentences.append(s)
            count += len(s.split())
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        articles.append("\n\n".join(paragraphs))
    return articles


def timed(label: str, fn: Callable[[str], object], articles: list[str], repeat: int) -> float:
    """Best-of-``repeat`` articles per second per core of ``fn``, from process CPU time.

    CPU time, not wall time: the figure is per core and does not drop when other processes share
    the machine (wall time is printed beside it for reference).
    """
    rates = []
    walls = []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        for text in articles:
            fn(text)
        rates.append(len(articles) / max(time.process_time() - cpu, 1e-9))
        walls.append(len(articles) / max(time.perf_counter() - wall, 1e-9))
    best = max(rates)
    print(
        f"{label:34} {best:10,.0f} articles/s per core (CPU; median {statistics.median(rates):,.0f}, "
        f"{1e3 / best:.3f} ms/article; wall {max(walls):,.0f}/s)"
    )
    return best


def _split_uncached(text: str) -> object:
    """Sentence splitting without the per-text cache that actors and signals share."""
    return _split_cached.__wrapped__(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--native", action="store_true", help="time the mypyc build the Docker image ships (benchmarks/native.py)"
    )
    args = parser.parse_args()
    articles = make_articles(args.articles, args.words)
    words = statistics.mean(len(a.split()) for a in articles)
    load_lexicon()
    find_actors(articles[0], PUBLISHED)
    actors = [find_actors(a, PUBLISHED) for a in articles]
    signals = [find_signals(a, ac, PUBLISHED) for a, ac in zip(articles, actors)]
    n_signals = sum(len(s) for s in signals)
    build = "native build (mypyc)" if NATIVE else "pure Python"
    print(f"{build}: {len(articles)} articles, {words:.0f} words on average, one core; {n_signals} signals "
          f"({n_signals / len(articles):.2f}/article)")
    cached = dict(zip(articles, actors))
    del signals
    # The corpus and its cached actors stay alive for the whole run, unlike a worker's messages:
    # frozen, the garbage collector's full passes do not walk them inside the timed loops.
    gc.collect()
    gc.freeze()
    timed("baseline: find_actors", lambda t: find_actors(t, PUBLISHED), articles, args.repeat)
    timed("find_signals + dyad_verdicts only", lambda t: dyad_verdicts(find_signals(t, cached[t], PUBLISHED)), articles, args.repeat)
    rate = timed(
        "actors + signals + verdicts",
        lambda t: dyad_verdicts(find_signals(t, find_actors(t, PUBLISHED), PUBLISHED)),
        articles,
        args.repeat,
    )
    split_rate = timed("baseline: split_sentences (uncached)", _split_uncached, articles, args.repeat)
    print(f"goal >= 1,000 articles/s per core: {'met' if rate >= 1000 else 'NOT met'} "
          f"({rate:,.0f}/s; sentence splitting alone runs at {split_rate:,.0f}/s on the same machine and run)")


if __name__ == "__main__":
    main()
