"""When to check a feed next: one screen of pure functions, so every rule is testable with a clock.

Success: the publisher's hints (Cache-Control max-age, Expires, RSS ttl) clamped to the feed's
[min_interval, max_interval], then moved out of RSS skipHours. Failure: exponential backoff with
jitter from min_interval, capped at max_interval — a broken feed keeps being retried at max_interval,
never dropped. Retry-After (429/503) is always honoured, even beyond max_interval (up to a day).
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from wirewatch.settings import Feed

MAX_RETRY_AFTER = 86400.0
BROKEN_AFTER = 5  # consecutive errors after which a feed is reported as broken
_MAX_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)


def cache_hint(headers: dict[str, str], now: datetime) -> float | None:
    """Seconds the response stays fresh: Cache-Control max-age wins over Expires (RFC 9111)."""
    control = headers.get("cache-control", "")
    if "no-cache" in control.lower() or "no-store" in control.lower():
        return None
    ages = dict((k.lower(), float(v)) for k, v in _MAX_AGE.findall(control))
    if ages:
        return ages.get("max-age", ages.get("s-maxage"))
    return seconds_until(headers.get("expires"), now)


def seconds_until(http_date: str | None, now: datetime) -> float | None:
    """Seconds from ``now`` to an HTTP date (Expires, Retry-After); None when absent or unreadable."""
    if not http_date:
        return None
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clamp(value: float, feed: Feed) -> float:
    return min(max(value, feed.min_interval), feed.max_interval)


def after_skip_hours(when: datetime, skip: tuple[int, ...]) -> datetime:
    """The first moment at or after ``when`` whose UTC hour is not in ``skip`` (all 24 skipped: ignored)."""
    if not skip or len(set(skip)) >= 24:
        return when
    while when.hour in skip:
        when = (when + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return when


def next_after_success(
    feed: Feed,
    now: datetime,
    headers: dict[str, str],
    ttl_minutes: float | None = None,
    skip: tuple[int, ...] = (),
) -> datetime:
    """Next check after a 200 or 304: the longest publisher hint, clamped, out of skipHours."""
    hints = [h for h in (cache_hint(headers, now), ttl_minutes * 60 if ttl_minutes else None) if h]
    interval = clamp(max(hints, default=feed.min_interval), feed)
    return after_skip_hours(now + timedelta(seconds=interval), skip)


def backoff(feed: Feed, errors: int, rng: random.Random | None = None) -> float:
    """min_interval * 2^(errors-1), with ±25% jitter so feeds of one host do not retry in lockstep."""
    base = feed.min_interval * 2 ** min(max(errors - 1, 0), 30)
    jitter = (rng or random).uniform(0.75, 1.25)
    return clamp(base * jitter, feed)


def next_after_failure(
    feed: Feed,
    now: datetime,
    errors: int,
    retriable: bool,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """Next check after an error: backoff, straight to max_interval if retrying cannot help soon."""
    interval = backoff(feed, errors, rng) if retriable else feed.max_interval
    if retry_after is not None:
        interval = max(interval, min(retry_after, MAX_RETRY_AFTER))
    return now + timedelta(seconds=interval)
