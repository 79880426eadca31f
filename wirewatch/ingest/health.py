"""``wirewatch feeds``: the configured feed list joined with each feed's state on ``wire.feeds``."""

from __future__ import annotations

from typing import Any

from wirewatch.ingest.state import read_states
from wirewatch.settings import Settings

COLUMNS = ("feed", "enabled", "last_status", "last_success", "consecutive_errors", "next_check", "entries_seen",
           "last_error")


async def feed_health(settings: Settings) -> list[dict[str, Any]]:
    """One row per configured feed (never polled: empty health), then feeds known only to the topic."""
    states = await read_states(settings)
    rows = []
    for feed in settings.feeds:
        rows.append(_row(feed.name, feed.url, feed.enabled, states.pop(feed.name, {})))
    rows.extend(_row(name, data.get("url", ""), False, data) for name, data in sorted(states.items()))
    return rows


def _row(name: str, url: str, enabled: bool, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "feed": name,
        "url": data.get("current_url") or url,
        "enabled": enabled,
        "last_status": data.get("last_status"),
        "last_check": data.get("last_check"),
        "last_success": data.get("last_success"),
        "consecutive_errors": data.get("consecutive_errors", 0),
        "broken": bool(data.get("broken")),
        "next_check": data.get("next_check"),
        "entries_seen": data.get("entries_seen", 0),
        "published": data.get("published", 0),
        "last_error": data.get("last_error"),
        "problem": data.get("problem"),
    }


def format_table(rows: list[dict[str, Any]]) -> str:
    """Aligned columns; a broken feed is marked, an ill-formed one shows its problem as the error."""
    def cell(row: dict[str, Any], col: str) -> str:
        value = row.get(col)
        if col == "feed" and row["broken"]:
            return f"{value} (BROKEN)"
        if col == "last_error" and not value:
            value = f"ill-formed: {row['problem']}" if row.get("problem") else ""
        if col == "enabled":
            return "yes" if value else "no"
        return "-" if value is None or value == "" else str(value)[:80]

    table = [list(COLUMNS)] + [[cell(r, c) for c in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in table)
