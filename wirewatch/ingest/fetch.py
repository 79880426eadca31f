"""HTTP fetching that a publisher would accept and a hostile server cannot abuse.

A real client with timeouts (never ``feedparser.parse(url)``), conditional requests, a body cap
enforced while streaming, bounded redirects, and a refusal to reach private networks by default.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import UTC, datetime

import httpx

from wirewatch.ingest.errors import AddressNotAllowedError, BodyTooLargeError, FetchError, HTTPStatusError
from wirewatch.settings import Settings

MAX_REDIRECTS = 5


@dataclass(frozen=True, slots=True)
class Validators:
    """What the server told us last time, sent back for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A completed fetch: ``body`` is None when the server said 304 Not Modified."""

    url: str
    status: int
    body: bytes | None
    headers: dict[str, str]
    validators: Validators
    elapsed: float
    permanent_url: str | None = None
    fetched_at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_client(settings: Settings) -> httpx.AsyncClient:
    """One pooled client for all feeds; proxies come from the environment (``trust_env``)."""
    allowed = tuple(ipaddress.ip_network(n) for n in settings.allow_networks)

    async def refuse_private(request: httpx.Request) -> None:
        await check_address(request.url.host, allowed)

    t = settings.http_timeout
    return httpx.AsyncClient(
        timeout=httpx.Timeout(t, connect=min(10.0, t)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        trust_env=True,
        event_hooks={"request": [refuse_private]},
    )


async def check_address(host: str, allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> None:
    """Refuse hosts that resolve to non-public addresses unless an allowed network holds them."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_global or any(ip in net for net in allowed):
            continue
        raise AddressNotAllowedError(
            f"{host} resolves to non-public address {ip}; add its network to WIREWATCH_ALLOW_NETWORKS to allow it"
        )


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def fetch(client: httpx.AsyncClient, url: str, validators: Validators, max_bytes: int) -> FetchResult:
    """GET ``url`` conditionally; raise a typed ``FetchError`` for anything but 2xx/304."""
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    started = time.perf_counter()
    try:
        async with client.stream("GET", url, headers=headers) as response:
            if response.status_code >= 400:
                raise HTTPStatusError(response.status_code, url, retry_after(response.headers.get("Retry-After")))
            body = None
            if response.status_code != 304:
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes and "content-encoding" not in response.headers:
                    raise BodyTooLargeError(f"{url} declares {declared} bytes, over the {max_bytes}-byte cap")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise BodyTooLargeError(f"{url} sent more than the {max_bytes}-byte cap")
                    chunks.append(chunk)
                body = b"".join(chunks)
            permanent = next(
                (str(r.url.join(r.headers["location"])) for r in reversed(response.history)
                 if r.status_code in (301, 308) and "location" in r.headers),
                None,
            )
            return FetchResult(
                url=str(response.url),
                status=response.status_code,
                body=body,
                headers={k.lower(): v for k, v in response.headers.items()},
                validators=Validators(
                    response.headers.get("ETag") or validators.etag,
                    response.headers.get("Last-Modified") or validators.last_modified,
                ),
                elapsed=time.perf_counter() - started,
                permanent_url=permanent,
            )
    except httpx.TooManyRedirects:
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
