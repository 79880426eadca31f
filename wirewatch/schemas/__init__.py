"""The contract between ingest, processors and downstream consumers: JSON Schema files and models.

Versioning: every message carries ``schema_version`` (enriched articles also ``enriched_version``).
Adding an optional field keeps the version; removing, renaming or retyping a field bumps it and the
schema file's ``$id``. Consumers should ignore fields they do not know.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from wirewatch.errors import SchemaError

#: Logical message name -> schema file in this package.
FILES = {
    "article": "article.schema.json",
    "enriched": "enriched.schema.json",
    "signal": "signal.schema.json",
    "dyad": "dyad.schema.json",
}


@cache
def _by_id() -> dict[str, dict[str, Any]]:
    """Every schema under its ``$id``, which is how they refer to each other."""
    return {schema(name)["$id"]: schema(name) for name in FILES}


@cache
def _registry() -> Registry:
    return Registry().with_resources((uri, Resource.from_contents(doc)) for uri, doc in _by_id().items())


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed JSON Schema for ``name`` (``article``, ``enriched``, ``signal``, ``dyad``)."""
    return json.loads(resources.files(__name__).joinpath(FILES[name]).read_text("utf-8"))


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), registry=_registry())


@cache
def _check(name: str) -> Callable[[Any], Any]:
    """Schema ``name`` compiled to Python code by fastjsonschema: about 20x faster than walking it,
    which matters on the hot path (every signal on wire.signals), but it only names the first
    violation, so ``validate`` asks jsonschema for the full list when a message fails."""
    return fastjsonschema.compile(schema(name), handlers={"https": _by_id().__getitem__}, use_formats=False)


def validate(name: str, message: Any) -> None:
    """Raise ``SchemaError`` listing every violation of schema ``name`` in ``message``."""
    try:
        _check(name)(message)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    errors = sorted(_validator(name).iter_errors(message), key=lambda e: list(e.path))
    if errors:
        detail = "; ".join(f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:5])
        raise SchemaError(f"message does not match schema {name!r}: {detail}")
