from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.errors import SettingsError
from wirewatch.processors.app import create_app
from wirewatch.settings import from_env, load_feeds


def test_defaults_use_the_embedded_broker_and_packaged_feeds() -> None:
    settings = from_env({})
    assert settings.embedded and settings.bootstrap == "127.0.0.1:9092"
    assert settings.topic("articles") == "wire.articles"
    assert settings.feeds and all(f.url.startswith("https://") for f in settings.feeds)


def test_environment_overrides() -> None:
    settings = from_env({"KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092", "WIREWATCH_TOPIC_PREFIX": "news.",
                         "WIREWATCH_PARTITIONS": "12", "WIREWATCH_ALLOW_NETWORKS": "127.0.0.0/8, 10.0.0.0/8"})
    assert not settings.embedded and settings.bootstrap == "k1:9092,k2:9092"
    assert settings.topic("signals") == "news.signals"
    assert settings.partitions == 12
    assert settings.allow_networks == ("127.0.0.0/8", "10.0.0.0/8")


def test_data_dir_defaults_to_fausts_and_can_be_moved(tmp_path: Path) -> None:
    assert from_env({}).data_dir is None
    settings = from_env({"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "WIREWATCH_DATA_DIR": str(tmp_path / "faust")})
    assert settings.data_dir == str(tmp_path / "faust")
    assert create_app(settings).conf.datadir == tmp_path / "faust"


@pytest.mark.parametrize(("name", "value"), [
    ("WIREWATCH_PARTITIONS", "zero"),
    ("WIREWATCH_PARTITIONS", "0"),
    ("WIREWATCH_HTTP_TIMEOUT", "-1"),
    ("WIREWATCH_ALLOW_NETWORKS", "localhost"),
    ("WIREWATCH_TOPIC_PREFIX", "wire/"),
    ("WIREWATCH_LOG_LEVEL", "LOUD"),
    ("WIREWATCH_FEEDS_FILE", "/nonexistent/feeds.yaml"),
])
def test_invalid_setting_is_named_in_the_error(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        from_env({name: value})


@pytest.mark.parametrize(("text", "message"), [
    ("feeds: 3", "top-level 'feeds:' list"),
    ("feeds:\n  - {name: x}", r"feeds\[0\]: each feed needs a 'url'"),
    ("feeds:\n  - url: ftp://x/feed", "must start with http"),
    ("feeds:\n  - {url: 'https://a/f', min_interval: 600, max_interval: 60}", "min_interval <= max_interval"),
    ("feeds:\n  - {url: 'https://a/f', colour: red}", "unknown field"),
    ("feeds:\n  - {url: 'https://a/f', name: n}\n  - {url: 'https://b/f', name: n}", "duplicate feed names"),
    ("feeds: [", "not valid YAML"),
])
def test_feed_file_errors_name_the_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_feeds(str(path))


def test_feed_file_accepts_bare_urls_and_full_entries(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - https://a.example/rss\n  - {url: 'https://b.example/atom', name: b, tags: [x], enabled: false}\n")
    a, b = load_feeds(str(path))
    assert a.name == "a.example/rss" and a.enabled
    assert b.name == "b" and b.tags == ("x",) and not b.enabled
