"""HTTP fetching that a publisher would accept and a hostile server cannot abuse.

A real client with connect/read/total timeouts (never ``feedparser.parse(url)``), conditional requests,
compression, a body cap enforced while streaming (so a gzip bomb stops at the cap too), bounded
redirects whose permanent part is remembered, proxies from the environment, and a refusal to reach
private, loopback or link-local addresses unless ``WIREWATCH_ALLOW_NETWORKS`` holds them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from wirewatch.ingest.errors import (
    AddressNotAllowedError,
    BodyTooLargeError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    TooManyRedirectsError,
)
from wirewatch.ingest.schedule import seconds_until
from wirewatch.settings import Settings

MAX_REDIRECTS = 5
ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
          "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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

    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout, connect=settings.connect_timeout, pool=settings.total_timeout),
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate", "Accept": ACCEPT},
        limits=httpx.Limits(max_connections=max(settings.concurrency, 1), max_keepalive_connections=20),
        trust_env=True,
        event_hooks={"request": [refuse_private]},
    )


def address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: tuple[Network, ...]) -> bool:
    """Public addresses always; others only inside an allowed network (IPv4-mapped IPv6 unwrapped)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in allowed) or (ip.is_global and not ip.is_multicast)


async def check_address(host: str, allowed: tuple[Network, ...]) -> None:
    """Refuse hosts that resolve to any non-public address unless an allowed network holds it."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address_allowed(ip, allowed):
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
    return seconds_until(value, datetime.now(UTC))


def permanent_target(response: httpx.Response) -> str | None:
    """Where the leading run of permanent redirects (301/308) ended; a later 302 does not count."""
    target = None
    for hop in response.history:
        if hop.status_code not in (301, 308) or "location" not in hop.headers:
            break
        target = str(hop.url.join(hop.headers["location"]))
    return target


def _lower(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


async def _read_capped(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes and "content-encoding" not in response.headers:
        raise BodyTooLargeError(f"{url} declares {declared} bytes, over the {max_bytes}-byte cap")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLargeError(f"{url} sent more than the {max_bytes}-byte cap (WIREWATCH_MAX_BODY_BYTES)")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch(
    client: httpx.AsyncClient, url: str, validators: Validators, max_bytes: int, total_timeout: float = 60.0
) -> FetchResult:
    """GET ``url`` conditionally within ``total_timeout``; raise a typed ``FetchError`` unless 2xx/304."""
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    started = time.perf_counter()
    try:
        async with asyncio.timeout(total_timeout), client.stream("GET", url, headers=headers) as response:
            if response.status_code >= 400 or 300 <= response.status_code < 400 and response.status_code != 304:
                raise HTTPStatusError(response.status_code, url, retry_after(response.headers.get("Retry-After")),
                                      _lower(response.headers))
            body = None if response.status_code == 304 else await _read_capped(response, url, max_bytes)
            return FetchResult(
                url=str(response.url),
                status=response.status_code,
                body=body,
                headers=_lower(response.headers),
                validators=Validators(
                    response.headers.get("ETag") or validators.etag,
                    response.headers.get("Last-Modified") or validators.last_modified,
                ),
                elapsed=time.perf_counter() - started,
                permanent_url=permanent_target(response),
            )
    except TimeoutError:
        raise FetchTimeoutError(f"{url}: no complete answer within {total_timeout:g}s (WIREWATCH_TOTAL_TIMEOUT)") from None
    except httpx.TooManyRedirects:
        raise TooManyRedirectsError(f"{url}: too many redirects (WIREWATCH_MAX_REDIRECTS)") from None
    except httpx.TimeoutException as exc:
        raise FetchTimeoutError(f"{url}: timed out ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
