"""Errors of the ingest half; ``retriable`` tells the scheduler whether to try again soon."""

from wirewatch.errors import WirewatchError


class IngestError(WirewatchError):
    """Base class of errors raised before Kafka."""

    kind = "ingest"


class FetchError(IngestError):
    """The feed could not be fetched (network, timeout, TLS)."""

    retriable = True
    kind = "network"


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    kind = "http"

    def __init__(self, status: int, url: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status} from {url}")
        self.status = status
        self.retry_after = retry_after
        self.retriable = status in {408, 425, 429} or status >= 500


class BodyTooLargeError(FetchError):
    """The response body exceeded the configured cap (``WIREWATCH_MAX_BODY_BYTES``)."""

    retriable = False
    kind = "too_large"


class AddressNotAllowedError(FetchError):
    """The feed resolves to a private, loopback or link-local address not in ``WIREWATCH_ALLOW_NETWORKS``."""

    retriable = False
    kind = "forbidden_address"


class ParseError(IngestError):
    """The body is not a feed feedparser can read (no entries and a fatal parse error)."""

    kind = "parse"


class ProduceError(IngestError):
    """Articles could not be delivered to Kafka."""

    retriable = True
    kind = "produce"
