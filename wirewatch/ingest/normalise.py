"""Turn a feedparser entry into an ``Article``: stable id, canonical link, plain text, UTC dates.

The id depends only on the document's content (channel identity plus GUID, canonical link or
content hash), never on where the bytes were read from, so live polls and replays agree.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from wirewatch.schemas.models import Article

TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi"
    r"|mkt_tok|ref|ref_src|cmpid|ocid|smid|taid|at_medium|at_campaign|rss|xtor|ns_mchannel|ns_source|"
    r"ns_campaign|ns_linkname|ns_fee|cid)$",
    re.IGNORECASE,
)
BLOCK_TAGS = ("p", "div", "br", "li", "h[1-6]", "blockquote", "tr", "section", "article", "ul", "ol", "table", "hr",
              "pre", "figure", "figcaption", "header", "footer", "dd", "dt")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_DROP = re.compile(r"<(script|style|noscript|iframe|object|embed|template)\b.*?(?:</\1\s*>|$)",
                   re.DOTALL | re.IGNORECASE)
_BLOCK = re.compile(r"</?(?:" + "|".join(BLOCK_TAGS) + r")\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z!?][^>]*>")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")
_GUID_JUNK = {"", "0", "null", "none", "undefined", "about:blank"}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop fragments, default ports and tracking parameters."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    host = (parts.hostname or "").lower()
    if parts.port and not (parts.scheme == "http" and parts.port == 80 or parts.scheme == "https" and parts.port == 443):
        host = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def html_to_text(html: str) -> str:
    """Plain text with paragraph breaks kept, so sentence splitting and offsets work on it.

    Regular expressions rather than a DOM: feedparser has already sanitised the markup, and a tree
    builder per entry cost as much as parsing the whole feed (see benchmarks/bench_poller.py).
    """
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _tidy(html)
    text = _COMMENT.sub("", html)
    text = _DROP.sub("", text)
    text = _BLOCK.sub("\n\n", text)
    text = _TAG.sub("", text)
    return _tidy(unescape(text))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def channel_identity(channel: Mapping[str, Any]) -> str:
    """What names the publication itself: its Atom id, home link, or title, in that order."""
    for key in ("id", "link"):
        value = str(channel.get(key) or "").strip()
        if value:
            return canonical_url(value) if _looks_like_url(value) else value
    return str(channel.get("title") or "").strip().lower()


def entry_identity(entry: Mapping[str, Any]) -> str:
    """The entry's own identifier: a real GUID, else its canonical link, else a hash of its content."""
    guid = str(entry.get("id") or "").strip()
    if guid.lower() not in _GUID_JUNK:
        return "guid:" + (canonical_url(guid) if _looks_like_url(guid) else guid)
    link = canonical_url(str(entry.get("link") or ""))
    if link:
        return "link:" + link
    return "hash:" + content_hash(str(entry.get("title") or ""), entry_html(entry))


def article_id(channel: str, identity: str) -> str:
    """32 hex characters of SHA-256 over channel and entry identity."""
    return hashlib.sha256(f"{channel}\x1f{identity}".encode()).hexdigest()[:32]


def content_hash(title: str, text: str) -> str:
    """Changes exactly when what a reader sees changes; drives revision numbers."""
    return hashlib.sha256(f"{title.strip()}\x1f{text.strip()}".encode()).hexdigest()[:16]


def entry_html(entry: Mapping[str, Any]) -> str:
    """The fullest body the entry offers: content:encoded / Atom content before the summary."""
    contents = entry.get("content") or []
    best = max((c.get("value") or "" for c in contents), key=len, default="")
    summary = str(entry.get("summary") or "")
    return best if len(best) >= len(summary) else summary


def utc_iso(parsed: Any) -> str | None:
    """feedparser's UTC ``struct_time`` as ISO 8601 with ``Z``; None when absent or out of range."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_article(
    entry: Mapping[str, Any],
    channel: Mapping[str, Any],
    *,
    feed: str,
    fetched: str,
    language: str | None = None,
    tags: tuple[str, ...] = (),
) -> Article:
    """Normalise one parsed entry; ``feed`` is the configured feed name, ``fetched`` an ISO time."""
    title = html_to_text(str(entry.get("title") or ""))
    body_html, summary_html = entry_html(entry), str(entry.get("summary") or "")
    text = html_to_text(body_html)
    summary = text if summary_html == body_html else html_to_text(summary_html)
    published = utc_iso(entry.get("published_parsed") or entry.get("updated_parsed"))
    authors = author_names(entry)
    entry_tags = tuple(dict.fromkeys(t.get("term", "").strip() for t in entry.get("tags") or () if t.get("term")))
    return Article(
        id=article_id(channel_identity(channel), entry_identity(entry)),
        feed=feed,
        source=html_to_text(str(channel.get("title") or "")) or feed,
        url=canonical_url(str(entry.get("link") or "")),
        title=title,
        summary=summary,
        text=text or summary,
        published=published,
        published_missing=published is None,
        fetched=fetched,
        language=_language(entry, channel) or language,
        authors=authors,
        tags=tuple(dict.fromkeys(entry_tags + tags)),
        content_hash=content_hash(title, text or summary),
    )


_EMAIL_NAME = re.compile(r"^\s*[^\s@()]+@[^\s()]+\s*\((?P<name>[^()]+)\)\s*$")
_NAME_EMAIL = re.compile(r"^\s*(?P<name>[^<>()]+?)\s*[<(][^\s@<>()]+@[^\s<>()]+[>)]\s*$")


def rss_author(value: str) -> str | None:
    """RSS ``<author>`` is "email (Name)"; feedparser's e-mail pattern cuts long TLDs and mangles the name."""
    match = _EMAIL_NAME.match(value) or _NAME_EMAIL.match(value)
    if match:
        return match.group("name").strip()
    return None if "@" in value else value.strip() or None


def author_names(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Distinct author names: RSS's raw ``author`` string parsed ourselves, else feedparser's list."""
    raw = entry.get("author")
    if isinstance(raw, str) and "@" in raw:
        name = rss_author(raw)
        return (name,) if name else ()
    names = (str(a.get("name") or "").strip() for a in entry.get("authors") or () if isinstance(a, Mapping))
    found = tuple(dict.fromkeys(n for n in names if n))
    return found or ((raw.strip(),) if isinstance(raw, str) and raw.strip() else ())


def _language(entry: Mapping[str, Any], channel: Mapping[str, Any]) -> str | None:
    detail = entry.get("title_detail") or {}
    lang = detail.get("language") or channel.get("language")
    return str(lang).split("-")[0].lower() if lang else None
