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
