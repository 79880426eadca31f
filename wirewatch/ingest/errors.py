"""Errors of the ingest half; ``retriable`` tells the scheduler whether to try again soon.

``kind`` is the label under which metrics and ``wirewatch feeds`` count the error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wirewatch.errors import WirewatchError

if TYPE_CHECKING:
    from wirewatch.schemas.models import Article


class IngestError(WirewatchError):
    """Base class of errors raised before Kafka."""

    kind = "ingest"


class FetchError(IngestError):
    """The feed could not be fetched (network, DNS, TLS)."""

    retriable = True
    kind = "network"


class FetchTimeoutError(FetchError):
    """Connecting, reading or the whole request took longer than its timeout (``WIREWATCH_*_TIMEOUT``)."""

    kind = "timeout"


class TooManyRedirectsError(FetchError):
    """The feed redirected more than ``WIREWATCH_MAX_REDIRECTS`` times; fix its URL in the feed list."""

    retriable = False
    kind = "redirects"


class HTTPStatusError(FetchError):
    """The server answered with an error status; 429/503 may carry ``retry_after`` seconds."""

    kind = "http"

    def __init__(
        self, status: int, url: str, retry_after: float | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"HTTP {status} from {url}")
        self.status = status
        self.retry_after = retry_after
        self.headers = headers or {}
        self.retriable = status in {408, 425, 429} or status >= 500
        self.kind = f"http_{status}" if status in {404, 410, 429} else ("http_5xx" if status >= 500 else "http_4xx")


class BodyTooLargeError(FetchError):
    """The response body exceeded the configured cap (``WIREWATCH_MAX_BODY_BYTES``)."""

    retriable = False
    kind = "too_large"


class AddressNotAllowedError(FetchError):
    """The feed resolves to a private, loopback or link-local address not in ``WIREWATCH_ALLOW_NETWORKS``."""

    retriable = False
    kind = "forbidden_address"


class ParseError(IngestError):
    """The body is not a feed we can read (no entries and a fatal parse error, or an HTML page)."""

    kind = "parse"


class ProduceError(IngestError):
    """Articles or feed state could not be delivered to Kafka; they stay buffered and are retried."""

    retriable = True
    kind = "produce"

    def __init__(self, message: str, failed: Sequence[Article] = ()) -> None:
        super().__init__(message)
        self.failed = list(failed)


class BackPressureError(ProduceError):
    """The retry buffer (``WIREWATCH_RETRY_BUFFER``) is full; polling pauses until the broker drains it."""

    kind = "backpressure"


class ReplayError(IngestError):
    """A replay cannot start or go on as asked (bad option, unreadable checkpoint); the message says how to fix it."""

    kind = "replay"


class BadMemberError(ReplayError):
    """One input of a replay (file, archive member, WARC or JSON record) is corrupt; it is skipped and counted."""

    kind = "bad_member"


class CheckpointError(ReplayError):
    """The replay checkpoint is missing, unreadable, or was written for other inputs or options."""

    kind = "checkpoint"
