from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch import codec
from wirewatch.errors import SchemaError
from wirewatch.processors.enrich import encode, enrich
from wirewatch.processors.extract import article_from_text
from wirewatch.schemas import FILES, schema, validate


@pytest.mark.parametrize("name", sorted(FILES))
def test_schema_files_declare_draft_2020_12_and_a_version(name: str) -> None:
    doc = schema(name)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].endswith("/1")


def test_enriched_seed_matches_its_schema(seed_text: str, tmp_path: Path) -> None:
    article = article_from_text(Path("seed.txt"), seed_text)
    message = codec.loads(encode(enrich(article)))
    validate("enriched", message)
    for signal in message["signals"]:
        validate("signal", signal)


def test_violations_are_listed() -> None:
    with pytest.raises(SchemaError, match="'id' is a required property"):
        validate("article", {"schema_version": 1})


_SIGNAL = {
    "schema_version": 1, "kind": "meeting", "cameo": "040", "plover": "CONSULT", "goldstein": 1.0,
    "polarity": "cooperative", "modality": "reported", "source": "TURSPY", "target": "SYRSPY", "dyad": "SYR-TUR",
    "evidence": {"text": "They met.", "start": 0, "end": 9}, "confidence": 0.9, "mediator": None,
}


@pytest.mark.parametrize(
    "change",
    [
        {"cameo": "4O"}, {"dyad": "syr-tur"}, {"schema_version": 2}, {"confidence": 1.5}, {"goldstein": "1.0"},
        {"evidence": {"text": "x", "start": -1, "end": 1}}, {"polarity": "friendly"}, {"mediator": 3},
    ],
)
def test_the_compiled_check_and_jsonschema_reject_the_same_signals(change: dict) -> None:
    """The fast check passes a message only where the full validator does (it is the authority)."""
    from jsonschema import Draft202012Validator

    from wirewatch.schemas import _check

    bad = {**_SIGNAL, **change}
    with pytest.raises(SchemaError):
        validate("signal", bad)
    assert not Draft202012Validator(schema("signal")).is_valid(bad)
    with pytest.raises(Exception, match="must"):
        _check("signal")(bad)
    validate("signal", _SIGNAL)
