"""Every replay input kind over one small corpus, built here from the feed fixtures, corrupt members included.

Each case states what it tests and what must come out: how many feed documents and Article lines are
found, how many members are skipped as corrupt and how many ignored as not-input. Every article that
comes out must carry exactly the id that parsing the original document live gives (content-only ids).
"""

from __future__ import annotations

import base64
import gzip
import io
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.feedserver import rss
from wirewatch import codec
from wirewatch.ingest.archive import record as archive_record
from wirewatch.ingest.parse import read_feed
from wirewatch.ingest.sources import ArticleLine, Context, Document, Ignored, Skipped, read_path
from wirewatch.ingest.sources.records import ID, article_records, document_records
from wirewatch.settings import Feed

FEEDS = Path(__file__).parent.parent / "fixtures" / "feeds"
RSS = rss([{"title": f"Story {i}", "guid": f"replay-{i}", "description": f"Body {i}",
            "pubDate": f"Thu, 1{i} Sep 2022 16:30:00 +0000"} for i in range(3)], link="https://replay.test/")
ATOM = (FEEDS / "atom10.xml").read_bytes()
JSONFEED = (FEEDS / "jsonfeed11.json").read_bytes()
HTML = (FEEDS / "html-page.html").read_bytes()
CTX = Context(feeds=(Feed(url="https://replay.test/rss", name="replay-wire", language="en", tags=("t",)),),
              max_bytes=1 << 20)


def live_ids(body: bytes, headers: dict[str, str] | None = None) -> set[str]:
    """What live polling assigns: the poller's own ``read_feed`` on the same bytes."""
    return {a.id for a in read_feed(body, "", headers or {}, feed="x", fetched="2024-01-01T00:00:00Z").articles}


ALL_LIVE = live_ids(RSS) | live_ids(ATOM) | live_ids(JSONFEED, {"content-type": "application/feed+json"})


def tar_bytes(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def corrupt_crc(data: bytes, name: str) -> bytes:
    """Flip a byte of one member's stored data in a zip (its CRC then fails on read)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    return data[:start] + bytes([data[start] ^ 0xFF]) + data[start + 1:]


def warc_bytes(records: list[tuple[str, str, int, str, bytes]]) -> bytes:
    """(type, url, status, content type, body) records, gzipped per record as crawlers write them."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for rec_type, url, status, ctype, body in records:
        if rec_type == "response":
            http = StatusAndHeaders(f"{status} X", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                            http_headers=http)
        else:
            rec = writer.create_warc_record(url, rec_type, payload=io.BytesIO(body), length=len(body))
        writer.write_record(rec)
    return out.getvalue()


def archive_lines(records: list[dict], cut_last: bool = False) -> bytes:
    """The pollers' archive format: one gzip member per JSON line, the last one cut short if asked."""
    members = [gzip.compress(codec.dumps(r) + b"\n") for r in records]
    if cut_last:
        members[-1] = members[-1][: len(members[-1]) // 2]
    return b"".join(members)


def article_line(i: int, **changes: object) -> bytes:
    article = {"id": f"{i:032x}", "feed": "f", "source": "S", "url": f"https://a.test/{i}", "title": f"T{i}",
               "summary": "", "text": "x", "published": f"2024-01-0{i + 1}T00:00:00Z",
               "fetched": "2024-02-01T00:00:00Z", "language": None, "authors": [], "tags": [], "revision": 0,
               "content_hash": f"h{i}", "schema_version": 1, **changes}
    return codec.dumps(article) + b"\n"


@dataclass(frozen=True)
class Case:
    """One input: how to build it, and what must come out of it."""

    name: str
    description: str
    build: Callable[[Path], Path]
    documents: int = 0
    lines: int = 0
    skipped: int = 0
    ignored: int = 0


def folder(tmp: Path) -> Path:
    d = tmp / "folder"
    (d / "sub").mkdir(parents=True)
    (d / "replay-wire.rss").write_bytes(RSS)
    (d / "sub" / "atom.atom").write_bytes(ATOM)
    (d / "feed.json.gz").write_bytes(gzip.compress(JSONFEED))
    (d / "README.txt").write_text("not input")
    return d


def folder_corrupt(tmp: Path) -> Path:
    d = tmp / "corrupt"
    d.mkdir()
    (d / "ok.xml").write_bytes(RSS)
    (d / "cut.xml.gz").write_bytes(gzip.compress(ATOM)[:40])
    (d / "page.xml").write_bytes(HTML)  # parses as nothing: skipped at the parse stage
    (d / "bomb.rss.gz").write_bytes(gzip.compress(b"<rss>" + b" " * (2 << 20)))
    return d


def write(name: str, data: Callable[[], bytes]) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data())
        return path
    return build


CASES = [
    Case("folder", "feed documents in nested folders, one gzipped; a README is ignored",
         folder, documents=3, ignored=1),
    Case("folder-corrupt", "a cut gzip, an HTML page named .xml, a gzip bomb: each skipped, the good one kept",
         folder_corrupt, documents=1, skipped=3),
    Case("tar", "a .tar.gz of documents with a corrupt gzipped member and a non-input member",
         write("docs.tar.gz", lambda: tar_bytes({"a/replay-wire.rss": RSS, "b.atom": ATOM, "c.xml.gz": b"\x1f\x8bjunk",
                                                 "notes.md": b"x"})), documents=2, skipped=1, ignored=1),
    Case("tar-truncated", "a tar cut in its second member's data: the first survives, one skip for the cut",
         write("cut.tar", lambda: tar_bytes({"a.rss": RSS, "b.atom": ATOM * 20}, "w")[:2600]),
         documents=1, skipped=1),
    Case("tar-nested", "an archive inside an archive is reported, not opened",
         write("nested.tgz", lambda: tar_bytes({"inner.zip": zip_bytes({"a.rss": RSS}), "a.rss": RSS})),
         documents=1, skipped=1),
    Case("zip", "a zip of documents and a JSON Lines file of Articles",
         write("docs.zip", lambda: zip_bytes({"replay-wire.rss": RSS, "x/feed.json": JSONFEED,
                                              "articles.jsonl": article_line(1) + article_line(2)})),
         documents=2, lines=2),
    Case("zip-bad-crc", "a zip member whose bytes were altered fails its CRC and is skipped alone",
         write("crc.zip", lambda: corrupt_crc(zip_bytes({"a.rss": RSS, "b.atom": ATOM}), "b.atom")),
         documents=1, skipped=1),
    Case("zip-not", "a file named .zip that is not one",
         write("fake.zip", lambda: b"PK\x03\x04 nothing else"), skipped=1),
    Case("warc", "a crawler's WARC: one feed response among an HTML page, a 404, a request and a JSON Feed resource",
         write("crawl.warc.gz", lambda: warc_bytes([
             ("response", "https://replay.test/rss", 200, "application/rss+xml; charset=utf-8", RSS),
             ("response", "https://replay.test/", 200, "text/html", HTML),
             ("response", "https://replay.test/gone", 404, "application/rss+xml", b""),
             ("request", "https://replay.test/rss", 0, "", b"GET /rss HTTP/1.1\r\n\r\n"),
             ("resource", "https://replay.test/feed.json", 0, "application/feed+json", JSONFEED),
         ])), documents=2, ignored=3),
    Case("warc-truncated", "a WARC cut inside its second record: the first survives",
         write("cut.warc", lambda: (lambda w: w[: len(w) - 300])(warc_bytes([
             ("response", "https://replay.test/rss", 200, "application/rss+xml", RSS),
             ("response", "https://replay.test/atom", 200, "application/atom+xml", ATOM)]))),
         documents=1, skipped=1),
    Case("pollers-archive", "the pollers' own format: a 200, a 304, a 500, a line of junk, a record cut by a crash",
         write("2024-03-01.jsonl.gz", lambda: archive_lines([
             archive_record("replay-wire", "https://replay.test/rss", "2024-03-01T10:00:00Z", 200,
                            {"content-type": "application/rss+xml"}, RSS),
             archive_record("replay-wire", "https://replay.test/rss", "2024-03-01T10:05:00Z", 304, {}, None),
             archive_record("replay-wire", "https://replay.test/rss", "2024-03-01T10:10:00Z", 500, {}, None),
             {"v": 1, "feed": "x", "fetched": "2024-03-01T10:15:00Z", "status": 200, "body_b64": "!!not base64"},
             archive_record("replay-wire", "https://replay.test/rss", "2024-03-01T10:20:00Z", 200, {}, ATOM),
         ], cut_last=True)), documents=1, ignored=2, skipped=2),
    Case("articles", "Article lines as `tail` prints them, one not JSON, one with a bad id, one blank",
         write("tail.jsonl", lambda: article_line(1) + b"{not json\n" + article_line(2, id="nope") + b"\n"
               + article_line(3)), lines=4),
    Case("articles-keys", "`tail --keys` lines: the Article is under 'value'",
         write("keys.ndjson", lambda: b"".join(
             codec.dumps({"key": f"{i:032x}", "partition": 0, "offset": i, "headers": {},
                          "value": codec.loads(article_line(i))}) + b"\n" for i in range(3))), lines=3),
    Case("jsonl-unknown", "JSON lines that are neither format are one skip, not one per line",
         write("other.jsonl", lambda: b'{"a": 1}\n{"a": 2}\n'), skipped=1),
    Case("unknown-explicit", "a file given by name that is no input kind",
         write("notes.bin", lambda: b"\x00\x01 binary"), skipped=1),
    Case("sniffed", "a gzipped RSS document without a telling name is recognised by its content",
         write("download", lambda: gzip.compress(RSS)), documents=1),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_input_kind(case: Case, tmp_path: Path) -> None:
    items = list(read_path(case.build(tmp_path), CTX))
    documents = [i for i in items if isinstance(i, Document)]
    lines = [i for i in items if isinstance(i, ArticleLine)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    ignored = [i for i in items if isinstance(i, Ignored)]
    parsed = [document_records(d) for d in documents]
    skipped += [s for p in parsed for s in p.skipped]
    documents = [d for d, p in zip(documents, parsed, strict=True) if not p.skipped]
    assert (len(documents), len(lines), len(skipped), len(ignored)) == (
        case.documents, case.lines, case.skipped, case.ignored), (case.description, skipped, ignored)
    for s in skipped:
        assert s.reason and s.origin.startswith(str(tmp_path)) or s.origin.startswith("/"), s
    ids = {r[ID] for p in parsed for r in p.records}
    assert ids <= ALL_LIVE, "a document gave an id that live polling would not"
    assert len(ids) >= 2 * len(documents) - 1


def test_article_lines_keep_their_ids_and_skip_bad_ones() -> None:
    lines = [ArticleLine(f"f:{i}", line) for i, line in
             enumerate([article_line(1), b"{not json", article_line(2, id="nope"), article_line(3, revision=2)])]
    parsed = article_records(lines)
    assert [r[ID] for r in parsed.records] == [f"{1:032x}", f"{3:032x}"]
    assert [s.origin for s in parsed.skipped] == ["f:1", "f:2"]
    assert "32 lower-case hex" in parsed.skipped[1].reason
    assert codec.loads(parsed.records[1][-1])["revision"] == 2


def test_archive_document_equals_live_article(tmp_path: Path) -> None:
    """From the pollers' archive, the whole Article equals the live one: feed name, language, tags, fetch time."""
    path = tmp_path / "2024-03-01.jsonl.gz"
    rec = archive_record("replay-wire", "https://replay.test/rss", "2024-03-01T10:00:00Z", 200,
                         {"content-type": "application/rss+xml"}, RSS)
    path.write_bytes(archive_lines([rec]))
    [doc] = list(read_path(path, CTX))
    assert isinstance(doc, Document) and base64.b64encode(doc.body).decode() == rec["body_b64"]
    live = read_feed(RSS, "https://replay.test/rss", {"content-type": "application/rss+xml"}, feed="replay-wire",
                     fetched="2024-03-01T10:00:00Z", language="en", tags=("t",)).articles
    replayed = [codec.loads(r[-1]) for r in document_records(doc).records]
    assert replayed == [codec.loads(codec.dumps(a)) | {} for a in map(_as_dict, live)]


def _as_dict(article: object) -> dict:
    from dataclasses import asdict

    return asdict(article)  # type: ignore[call-overload]


def test_warc_feed_takes_the_configured_feed_of_its_url(tmp_path: Path) -> None:
    path = tmp_path / "one.warc.gz"
    path.write_bytes(warc_bytes([("response", "https://replay.test/rss", 200, "text/xml", RSS)]))
    [doc] = list(read_path(path, CTX))
    assert isinstance(doc, Document)
    assert (doc.feed, doc.language, doc.tags, doc.url) == ("replay-wire", "en", ("t",), "https://replay.test/rss")
    assert doc.fetched.endswith("Z") and len(doc.fetched) == 20
