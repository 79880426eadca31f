from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from faust.serializers import codecs

from wirewatch import codec
from wirewatch.schemas.models import Article


def test_dumps_is_deterministic_and_round_trips() -> None:
    value = {"b": 1, "a": [1, 2], "when": datetime(2022, 9, 15, 14, 30, tzinfo=UTC)}
    assert codec.dumps(value) == b'{"a":[1,2],"b":1,"when":"2022-09-15T14:30:00Z"}'
    assert codec.loads(codec.dumps({"x": "ü"})) == {"x": "ü"}


def test_registered_once_for_faust() -> None:
    codec.register()
    codec.register()
    article = Article(id="0" * 32, feed="f", source="s", url="", title="t", summary="", text="x",
                      published=None, fetched="2022-09-15T14:30:00Z")
    faust_codec = codecs.get_codec(codec.CODEC_NAME)
    assert faust_codec.loads(faust_codec.dumps(asdict(article)))["id"] == "0" * 32
