"""JSON Lines of ``Article``s, as ``wirewatch tail wire.articles`` prints them (or ``--keys`` lines).

Their ids were assigned live and are kept; the line is checked and re-encoded in the parse stage
(``replay.article_records``), so a malformed line is skipped there with its reason.
"""

from __future__ import annotations

from wirewatch.ingest.sources import ArticleLine, Item


def item(origin: str, line: bytes) -> Item:
    return ArticleLine(origin, line)
