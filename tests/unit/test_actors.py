"""Actor recognition: the seed article, the disambiguation traps (a fixture corpus) and the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wirewatch.processors.extraction.actors import city_country, country_of, find_actors, find_sources

HERE = Path(__file__).resolve().parent
SEED = HERE.parent / "fixtures" / "seed-article.txt"
CASES = sorted((HERE / "fixtures" / "actors").glob("*.txt"))


def _seed() -> str:
    return SEED.read_text(encoding="utf-8").partition("\n")[2]


def _parse_case(path: Path) -> tuple[str, dt.date | None, set[str], set[str]]:
    """A fixture is '# key: value' header lines, a '---' line, then the text."""
    header, _, text = path.read_text(encoding="utf-8").partition("---\n")
    fields = {}
    for line in header.splitlines():
        key, _, value = line.lstrip("# ").partition(":")
        fields[key.strip()] = value.strip()
    published = dt.date.fromisoformat(fields["published"]) if fields.get("published") else None
    return text.strip(), published, set(fields.get("expect", "").split()), set(fields.get("reject", "").split())


@pytest.fixture(scope="module")
def seed_actors() -> dict[str, list]:
    by_code: dict[str, list] = {}
    for actor in find_actors(_seed(), dt.date(2022, 9, 15)):
        by_code.setdefault(actor.code, []).append(actor)
    return by_code


def test_seed_countries(seed_actors: dict[str, list]) -> None:
    assert {"TUR", "SYR", "RUS", "IRN"} <= set(seed_actors)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Hakan Fidan", "TURSPY"),
        ("Ali Mamlouk", "SYRSPY"),
        ("Recep Tayyip Erdogan", "TURGOV"),
        ("Vladimir Putin", "RUSGOV"),
        ("Bashar al-Assad", "SYRGOV"),
    ],
)
def test_seed_people(seed_actors: dict[str, list], name: str, code: str) -> None:
    assert any(a.name == name and a.type == "person" for a in seed_actors[code])


def test_seed_groups(seed_actors: dict[str, list]) -> None:
    assert seed_actors["SNA"][0].sponsor == "TUR"
    assert "SDF" in seed_actors and "AANES" in seed_actors
    assert any(a.type == "agency" and "MIT" in a.name for a in seed_actors["TURSPY"])
    assert any(a.sponsor == "IRN" and a.type == "armed_group" for a in seed_actors["UAFIRN"])


def test_seed_sources_are_not_actors(seed_actors: dict[str, list]) -> None:
    text = _seed()
    names = {m.text for actors in seed_actors.values() for a in actors for m in a.mentions}
    assert not any("Reuters" in n or "North Press" in n for n in names)
    assert {s.name for s in find_sources(text)} == {"Reuters", "North Press"}


def test_seed_anonymous_official(seed_actors: dict[str, list]) -> None:
    anonymous = [a for a in seed_actors["TURGOV"] if a.type == "anonymous"]
    assert anonymous and any(m.text == "a senior Turkish official" for m in anonymous[0].mentions)


def test_offsets_exact_and_salience_sorted() -> None:
    text = _seed()
    actors = find_actors(text, dt.date(2022, 9, 15))
    for actor in actors:
        assert 0.0 <= actor.salience <= 1.0
        for mention in actor.mentions:
            assert text[mention.start : mention.end] == mention.text
    assert [a.salience for a in actors] == sorted((a.salience for a in actors), reverse=True)
    assert actors[0].salience == 1.0


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_corpus(path: Path) -> None:
    text, published, expect, reject = _parse_case(path)
    codes = {a.code for a in find_actors(text, published)}
    assert expect <= codes, f"missing {expect - codes} in {codes}"
    assert not (reject & codes), f"unexpected {reject & codes}"


@pytest.mark.parametrize(
    ("code", "side"),
    [("TURSPY", "TUR"), ("TUR", "TUR"), ("SYRGOV", "SYR"), ("SDF", "SDF"), ("SNA", "SNA"), ("UAFIRN", "UAFIRN"), ("TUROPP", "TUROPP"), ("XYZ123", None)],
)
def test_country_of(code: str, side: str | None) -> None:
    assert country_of(code) == side


def test_empty_and_unicode_offsets() -> None:
    assert find_actors("") == []
    text = "İstanbul: Erdoğan’s envoy met Assad’s team; Türkiye’s MIT chief Hakan Fidan attended."
    actors = find_actors(text, dt.date(2022, 1, 1))
    assert {"TURGOV", "SYRGOV", "TURSPY"} <= {a.code for a in actors}
    for actor in actors:
        for mention in actor.mentions:
            assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(("published", "holder"), [(dt.date(2021, 3, 1), "Mevlut Cavusoglu"), (dt.date(2024, 3, 1), "Hakan Fidan")])
def test_counterpart_takes_the_office_of_the_official_before_it(published: dt.date, holder: str) -> None:
    text = "Russian Foreign Minister Sergei Lavrov met his Turkish counterpart in Antalya."
    counterpart = next(a for a in find_actors(text, published) if a.mentions[0].text == "Turkish counterpart")
    assert (counterpart.name, counterpart.code, counterpart.type) == (holder, "TURGOV", "person")


def test_cities_are_places_of_their_state_never_actors() -> None:
    names = ("Kharkiv", "Aleppo's", "Deir ez-Zor", "Springfield")
    assert [city_country(name) for name in names] == ["UKR", "SYR", "SYR", None]
    assert find_actors("Kharkiv was quiet on Tuesday.", dt.date(2022, 5, 10)) == []
