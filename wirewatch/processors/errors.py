"""Errors of the processing half."""

from wirewatch.errors import WirewatchError


class ProcessingError(WirewatchError):
    """Base class of errors raised after Kafka."""


class UndecodableMessageError(ProcessingError):
    """A message on an input topic is not valid JSON or does not match its schema; it goes to dead letter."""
