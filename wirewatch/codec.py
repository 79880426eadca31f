"""The one JSON codec on the wire: orjson with pinned options, registered once for Faust as ``orjson``."""

from __future__ import annotations

from typing import Any

import orjson
from faust.serializers import codecs

#: Pinned so that the same message always serialises to the same bytes (stable keys, UTC times).
OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z | orjson.OPT_SERIALIZE_NUMPY

CODEC_NAME = "orjson"


def dumps(value: Any) -> bytes:
    """Serialise dataclasses, dicts and datetimes to compact UTF-8 JSON."""
    return orjson.dumps(value, option=OPTIONS)


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Parse JSON; raises ``orjson.JSONDecodeError`` (a ``ValueError``) on bad input."""
    return orjson.loads(data)


class OrjsonCodec(codecs.Codec):
    """Faust codec backed by :func:`dumps` and :func:`loads`."""

    def _dumps(self, obj: Any) -> bytes:
        return dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return loads(s)


def register() -> None:
    """Make ``value_serializer="orjson"`` available to Faust; safe to call more than once."""
    if CODEC_NAME not in codecs.codecs:
        codecs.register(CODEC_NAME, OrjsonCodec())
