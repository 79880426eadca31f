from __future__ import annotations

from dataclasses import asdict

import pytest

from tests.feedserver import rss
from wirewatch import codec
from wirewatch.ingest.normalise import canonical_url, html_to_text, to_article
from wirewatch.ingest.parse import parse_bytes
from wirewatch.schemas import validate

ITEM = {"title": "Talks resume", "link": "https://wire.test/a?utm_source=rss&id=7#top",
        "guid": "wire-7", "description": "<p>Ankara and Damascus.</p><p>Second &amp; last.</p>",
        "pubDate": "Thu, 15 Sep 2022 16:30:00 +0200"}


def articles(doc: bytes, feed: str = "f") -> list:
    parsed = parse_bytes(doc)
    return [to_article(e, parsed.channel, feed=feed, fetched="2022-09-15T15:00:00Z") for e in parsed.entries]


def test_article_fields_are_normalised_and_valid() -> None:
    [article] = articles(rss([ITEM]))
    validate("article", codec.loads(codec.dumps(asdict(article))))
    assert article.url == "https://wire.test/a?id=7"
    assert article.published == "2022-09-15T14:30:00Z" and not article.published_missing
    assert article.text == "Ankara and Damascus.\n\nSecond & last."
    assert article.source == "Test wire"


def test_id_depends_on_content_not_on_where_it_was_read() -> None:
    [a] = articles(rss([ITEM]), feed="one")
    [b] = articles(rss([{**ITEM, "title": "Talks resume (updated)"}]), feed="renamed")
    assert a.id == b.id
    assert a.content_hash != b.content_hash


def test_same_guid_in_another_channel_is_another_article() -> None:
    [a] = articles(rss([ITEM], link="https://one.test/"))
    [b] = articles(rss([ITEM], link="https://two.test/"))
    assert a.id != b.id


def test_without_guid_the_canonical_link_decides() -> None:
    no_guid = {k: v for k, v in ITEM.items() if k != "guid"}
    [a] = articles(rss([no_guid]))
    [b] = articles(rss([{**no_guid, "link": "https://WIRE.test/a?id=7&utm_medium=x&fbclid=1"}]))
    assert a.id == b.id


def test_missing_date_is_marked_not_invented() -> None:
    [article] = articles(rss([{k: v for k, v in ITEM.items() if k != "pubDate"}]))
    assert article.published is None and article.published_missing


@pytest.mark.parametrize(("url", "expected"), [
    ("https://x.test/a?utm_campaign=1&b=2", "https://x.test/a?b=2"),
    ("HTTPS://X.test:443/a#frag", "https://x.test/a"),
    ("http://x.test:8080", "http://x.test:8080/"),
    ("", ""),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_html_to_text_drops_scripts_and_keeps_paragraphs() -> None:
    assert html_to_text("<p>One.</p><script>alert(1)</script><p>Two&nbsp;words.</p>") == "One.\n\nTwo words."
