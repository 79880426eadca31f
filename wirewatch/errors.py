"""The root of every error Wirewatch raises on purpose."""


class WirewatchError(Exception):
    """Base class of Wirewatch's own errors; ``retriable`` says whether trying again may succeed."""

    retriable: bool = False


class SettingsError(WirewatchError):
    """A setting is missing or invalid; the message names it and says how to fix it."""


class BrokerError(WirewatchError):
    """The embedded broker could not be started or did not answer."""


class SchemaError(WirewatchError):
    """A message does not match its JSON Schema."""
