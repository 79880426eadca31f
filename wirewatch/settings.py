"""The one place that reads the environment: builds a frozen ``Settings`` that is passed down.

Variables: ``KAFKA_BOOTSTRAP_SERVERS`` and ``WIREWATCH_*`` (see ``ENV`` below). The feed list lives in a
YAML file (``WIREWATCH_FEEDS_FILE``, default: the packaged list of public wires).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from wirewatch.errors import SettingsError

DEFAULT_FEEDS = "default-feeds.yaml"
DEFAULT_EMBEDDED = "127.0.0.1:9092"


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed to poll: its URL, a stable name (its key on ``wire.feeds``), and how often to check it."""

    url: str
    name: str
    min_interval: float = 300.0
    max_interval: float = 3600.0
    language: str | None = None
    tags: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, validated once at start."""

    bootstrap_servers: str | None = None
    embedded_listen: str = DEFAULT_EMBEDDED
    topic_prefix: str = "wire."
    partitions: int = 4
    replication_factor: int = 1
    app_id: str = "wirewatch"
    feeds: tuple[Feed, ...] = ()
    feeds_file: str | None = None
    http_timeout: float = 20.0
    connect_timeout: float = 10.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    max_body_bytes: int = 15 * 1024 * 1024
    concurrency: int = 32
    host_concurrency: int = 2
    parse_processes: int = 2
    retry_buffer: int = 10_000
    metrics_port: int = 0
    user_agent: str = "Wirewatch/0.1 (+https://github.com/wirewatch/wirewatch)"
    allow_networks: tuple[str, ...] = ()
    archive_dir: str | None = None
    state_dir: str = field(default_factory=lambda: str(Path.home() / ".wirewatch"))
    #: Faust's data directory; ``None`` keeps Faust's default, ``<app id>-data`` in the working directory.
    data_dir: str | None = None
    web_port: int = 6066
    web_host: str = "127.0.0.1"
    session_timeout: float = 10.0
    log_level: str = "INFO"

    @property
    def embedded(self) -> bool:
        """No broker configured: ``wirewatch run`` starts Tansu itself."""
        return self.bootstrap_servers is None

    @property
    def bootstrap(self) -> str:
        """The broker address clients use, the embedded default when none is configured."""
        return self.bootstrap_servers or self.embedded_listen

    def topic(self, name: str) -> str:
        """Full topic name for a logical name such as ``articles``."""
        return f"{self.topic_prefix}{name}"

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with command-line overrides applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if value <= minimum:
        raise SettingsError(f"{name}={raw!r} must be greater than {minimum}")
    return value


def _networks(raw: str) -> tuple[str, ...]:
    nets = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            nets.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(
                f"WIREWATCH_ALLOW_NETWORKS: {part!r} is not a CIDR network (e.g. 127.0.0.0/8)"
            ) from None
    return tuple(nets)


def load_feeds(path: str | None) -> tuple[Feed, ...]:
    """Read and validate a feed list; errors name the file, the entry and the field."""
    if path is None:
        text = resources.files("wirewatch").joinpath(DEFAULT_FEEDS).read_text("utf-8")
        where = f"<packaged {DEFAULT_FEEDS}>"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise SettingsError(f"WIREWATCH_FEEDS_FILE={path!r} cannot be read: {exc.strerror}") from None
        where = path
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{where}: not valid YAML: {exc}") from None
    entries = doc.get("feeds") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise SettingsError(f"{where}: expected a top-level 'feeds:' list")
    feeds = []
    for i, entry in enumerate(entries):
        feeds.append(_feed(entry, f"{where}: feeds[{i}]"))
    names = [f.name for f in feeds]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SettingsError(f"{where}: duplicate feed names {dupes}")
    urls = [f.url for f in feeds]
    dupes = sorted({u for u in urls if urls.count(u) > 1})
    if dupes:
        raise SettingsError(f"{where}: the same url is listed twice {dupes}")
    return tuple(feeds)


FEED_FIELDS = ("url", "name", "min_interval", "max_interval", "language", "tags", "enabled")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def _feed(entry: Any, where: str) -> Feed:
    if isinstance(entry, str):
        entry = {"url": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise SettingsError(f"{where}: each feed needs a 'url' string")
    url = entry["url"].strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{where}: url {url!r} must start with http:// or https:// and name a host")
    unknown = set(entry) - set(FEED_FIELDS)
    if unknown:
        raise SettingsError(f"{where}: unknown field(s) {sorted(unknown)}; known: {', '.join(FEED_FIELDS)}")
    name = entry.get("name") or feed_name(url)
    if not isinstance(name, str) or not name.strip():
        raise SettingsError(f"{where}: 'name' must be a non-empty string")
    language = entry.get("language")
    if language is not None and not (isinstance(language, str) and re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]+)*", language)):
        raise SettingsError(f"{where}: 'language' {language!r} must be a language code such as 'en' or 'pt-BR'")
    tags = entry.get("tags") or ()
    if isinstance(tags, str) or not all(isinstance(t, (str, int)) for t in tags):
        raise SettingsError(f"{where}: 'tags' must be a list of strings")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise SettingsError(f"{where}: 'enabled' must be true or false, not {enabled!r}")
    feed = Feed(
        url=url,
        name=name.strip(),
        min_interval=_duration(entry.get("min_interval", 300), f"{where}: min_interval"),
        max_interval=_duration(entry.get("max_interval", 3600), f"{where}: max_interval"),
        language=language,
        tags=tuple(str(t) for t in tags),
        enabled=enabled,
    )
    if not 0 < feed.min_interval <= feed.max_interval:
        raise SettingsError(f"{where}: need 0 < min_interval <= max_interval")
    return feed


def _duration(value: Any, where: str) -> float:
    """Seconds from a number or a string such as ``90``, ``90s``, ``15m``, ``2h``, ``1d``."""
    if isinstance(value, bool):
        raise SettingsError(f"{where}: {value!r} is not a duration")
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(value))
    if not match:
        raise SettingsError(f"{where}: {value!r} is not a duration (seconds, or e.g. '15m', '2h')")
    return float(match.group(1)) * _UNITS.get(match.group(2) or "s", 1.0)


def feed_name(url: str) -> str:
    """A readable default name for a feed given only by URL."""
    parts = urlsplit(url)
    return (parts.netloc + parts.path).rstrip("/") or url


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (``os.environ`` unless given); raise ``SettingsError``."""
    env = os.environ if env is None else env
    prefix = env.get("WIREWATCH_TOPIC_PREFIX", "wire.")
    if not all(c.isalnum() or c in "._-" for c in prefix):
        raise SettingsError(f"WIREWATCH_TOPIC_PREFIX={prefix!r} may hold only letters, digits, '.', '_' and '-'")
    level = env.get("WIREWATCH_LOG_LEVEL", "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"WIREWATCH_LOG_LEVEL={level!r} must be DEBUG, INFO, WARNING or ERROR")
    feeds_file = env.get("WIREWATCH_FEEDS_FILE") or None
    defaults = Settings()
    return Settings(
        bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        topic_prefix=prefix,
        partitions=_int(env, "WIREWATCH_PARTITIONS", defaults.partitions, minimum=1),
        replication_factor=_int(env, "WIREWATCH_REPLICATION_FACTOR", 1, minimum=1),
        app_id=env.get("WIREWATCH_APP_ID", defaults.app_id),
        feeds=load_feeds(feeds_file),
        feeds_file=feeds_file,
        http_timeout=_float(env, "WIREWATCH_HTTP_TIMEOUT", defaults.http_timeout),
        connect_timeout=_float(env, "WIREWATCH_CONNECT_TIMEOUT", defaults.connect_timeout),
        total_timeout=_float(env, "WIREWATCH_TOTAL_TIMEOUT", defaults.total_timeout),
        max_redirects=_int(env, "WIREWATCH_MAX_REDIRECTS", defaults.max_redirects),
        concurrency=_int(env, "WIREWATCH_CONCURRENCY", defaults.concurrency, minimum=1),
        host_concurrency=_int(env, "WIREWATCH_HOST_CONCURRENCY", defaults.host_concurrency, minimum=1),
        parse_processes=_int(env, "WIREWATCH_PARSE_PROCESSES", defaults.parse_processes),
        retry_buffer=_int(env, "WIREWATCH_RETRY_BUFFER", defaults.retry_buffer, minimum=1),
        metrics_port=_int(env, "WIREWATCH_METRICS_PORT", defaults.metrics_port),
        max_body_bytes=_int(env, "WIREWATCH_MAX_BODY_BYTES", defaults.max_body_bytes, minimum=1024),
        user_agent=env.get("WIREWATCH_USER_AGENT", defaults.user_agent),
        allow_networks=_networks(env.get("WIREWATCH_ALLOW_NETWORKS", "")),
        archive_dir=env.get("WIREWATCH_ARCHIVE_DIR") or None,
        state_dir=env.get("WIREWATCH_STATE_DIR") or defaults.state_dir,
        data_dir=env.get("WIREWATCH_DATA_DIR") or None,
        web_port=_int(env, "WIREWATCH_WEB_PORT", defaults.web_port, minimum=1),
        web_host=env.get("WIREWATCH_WEB_HOST") or defaults.web_host,
        session_timeout=_float(env, "WIREWATCH_SESSION_TIMEOUT", defaults.session_timeout),
        log_level=level,
    )
