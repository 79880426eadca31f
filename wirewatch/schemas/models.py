"""The messages Wirewatch writes, as frozen dataclasses that orjson serialises natively.

Each top-level message carries ``schema_version``; the JSON Schema files beside this module are the
contract, and ``wirewatch.schemas.validate`` checks a message against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ARTICLE_VERSION = 1
ENRICHED_VERSION = 1
SIGNAL_VERSION = 1
DYAD_VERSION = 1

Polarity = Literal["cooperative", "hostile"]
Modality = Literal["reported", "planned", "hypothetical", "denied"]


def as_dict(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as a shallow dict, for ``codec.dumps``.

    orjson serialises nested dataclasses natively, in C; ``dataclasses.asdict`` deep-copies in Python and
    cost the worker more than extraction did. The top level stays a dict so its keys come out sorted.
    """
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the article's ``text``: ``text == article.text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Article:
    """One news item as the pollers and replay publish it on ``wire.articles``."""

    id: str
    feed: str
    source: str
    url: str
    title: str
    summary: str
    text: str
    published: str | None
    fetched: str
    language: str | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    published_missing: bool = False
    revision: int = 0
    content_hash: str = ""
    schema_version: int = ARTICLE_VERSION

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build from decoded JSON, ignoring unknown (newer, additive) fields."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["authors"] = tuple(known.get("authors") or ())
        known["tags"] = tuple(known.get("tags") or ())
        return cls(**known)


@dataclass(frozen=True, slots=True)
class Actor:
    """A distinct political actor in an article, coded CAMEO-style (country + role, or own code)."""

    code: str
    name: str
    country: str | None
    role: str | None
    type: str
    mentions: tuple[Mention, ...]
    sponsor: str | None = None
    salience: float = 0.0


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence that carries a signal, as a span of the article's ``text``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Signal:
    """One detected interaction on a dyad; published alone on ``wire.signals`` keyed by ``dyad``."""

    kind: str
    cameo: str
    plover: str
    goldstein: float
    polarity: Polarity
    modality: Modality
    source: str
    target: str
    dyad: str
    evidence: Evidence
    confidence: float
    mediator: str | None = None
    attribution: str | None = None
    article_id: str = ""
    published: str | None = None
    duplicate_of: str | None = None
    schema_version: int = SIGNAL_VERSION


@dataclass(frozen=True, slots=True)
class DyadVerdict:
    """An article's balance of evidence on one dyad."""

    dyad: str
    score: float
    rapprochement: bool
    mediators: tuple[str, ...]
    signals: int


@dataclass(frozen=True, slots=True)
class EnrichedArticle:
    """An article plus what extraction found in it; published on ``wire.enriched``."""

    article: Article
    actors: tuple[Actor, ...]
    signals: tuple[Signal, ...]
    dyads: tuple[DyadVerdict, ...]
    processing: dict[str, Any] = field(default_factory=dict)
    duplicate_of: str | None = None
    cluster: str | None = None

    def message(self) -> dict[str, Any]:
        """The wire form: the article's fields at the top level, extraction results beside them."""
        return {
            **as_dict(self.article),
            "enriched_version": ENRICHED_VERSION,
            "actors": [as_dict(a) for a in self.actors],
            "signals": [as_dict(s) for s in self.signals],
            "dyads": [as_dict(d) for d in self.dyads],
            "duplicate_of": self.duplicate_of,
            "cluster": self.cluster,
            "processing": self.processing,
        }
