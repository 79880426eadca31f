"""Pollers vs bare ``feedparser.parse`` on the same bytes, 5,000 feeds served over loopback.

    .venv/bin/python benchmarks/bench_poller.py [--feeds 5000] [--items 20] [--changed 0.1] [--threads]

A separate process serves the feeds (asyncio HTTP/1.1 with keep-alive, ETags, 304s) so the server
does not share the pollers' GIL. Three phases:

1. bare: ``feedparser.parse`` over every feed body, serially, in this process (the baseline);
2. changed: one ``poll_all`` over all feeds, every one a 200 with new entries (fetch, parse, normalise,
   diff, state encoding) — compared with (1);
3. unchanged: a second ``poll_all`` where ``--changed`` of the feeds have one new item and the rest
   answer 304 — the checks-per-minute figure.

The sink discards articles and state (no broker), so the figures are the pollers' own cost. All feeds
share one loopback host, so the per-host limit is raised to the global one for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import socket
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import feedparser

from wirewatch.ingest.fetch import make_client
from wirewatch.ingest.poller import Poller
from wirewatch.schemas.models import Article
from wirewatch.settings import Feed, Settings

PARAGRAPH = ("Officials from both capitals met on Tuesday to discuss border security, refugees and trade, "
             "according to a statement carried by the state news agency. ")


def feed_body(n: int, items: int, version: int) -> bytes:
    """A realistic RSS 2.0 document: HTML descriptions, tracking links, GUIDs, dates, categories."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
             f"<channel><title>Wire {n}</title><link>https://wire{n}.example/</link><description>Feed {n}</description>"
             "<language>en</language><ttl>15</ttl>"]
    for i in range(version, version + items):
        parts.append(
            f"<item><title>Story {i} from wire {n}: talks continue</title>"
            f"<link>https://wire{n}.example/story/{i}?utm_source=rss&amp;utm_medium=feed</link>"
            f'<guid isPermaLink="false">wire{n}-{i}</guid><pubDate>Thu, 15 Sep 2022 16:{i % 60:02d}:00 +0200</pubDate>'
            f"<dc:creator>Reporter {i % 7}</dc:creator><category>world</category><category>diplomacy</category>"
            f"<description><![CDATA[<p>{PARAGRAPH * 3}</p><p>Second paragraph of story {i}.</p>]]></description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def serve(sock: socket.socket, feeds: int, items: int, versions: multiprocessing.Array[int]) -> None:  # type: ignore[name-defined]
    """The loopback feed server (child process): /feed/N answers 200 or 304 by ETag = version."""
    cache: dict[tuple[int, int], bytes] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                n = int(path.rsplit("/", 1)[1])
                version = versions[n]
                etag = f'"{version}"'
                if headers.get("if-none-match") == etag:
                    writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode())
                else:
                    body = cache.get((n, version)) or cache.setdefault((n, version), feed_body(n, items, version))
                    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\n"
                                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, sock=sock, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class DiscardSink:
    """Counts and drops: the benchmark measures the pollers, not the broker."""

    def __init__(self) -> None:
        self.articles = 0

    async def send(self, articles: list[Article]) -> None:
        self.articles += len(articles)

    async def send_state(self, feed: str, value: bytes | None) -> None:
        pass


def peak_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest finished/live child, MiB."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


async def run(args: argparse.Namespace) -> None:
    ctx = multiprocessing.get_context("fork")
    versions = ctx.Array("i", [0] * args.feeds, lock=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    server = ctx.Process(target=serve, args=(sock, args.feeds, args.items, versions), daemon=True)
    server.start()
    sock.close()
    try:
        bodies = [feed_body(n, args.items, 0) for n in range(args.feeds)]
        entries = args.feeds * args.items
        print(f"{args.feeds} feeds x {args.items} items, {sum(map(len, bodies)) / args.feeds / 1024:.1f} KiB/feed, "
              f"executor: {'threads' if args.threads else f'{args.processes} processes'}")

        started = time.perf_counter()
        for body in bodies[: args.bare or None]:
            feedparser.parse(body)
        bare_n = args.bare or args.feeds
        bare = (time.perf_counter() - started) * args.feeds / bare_n
        print(f"bare feedparser.parse : {bare:7.2f} s for {args.feeds} feeds "
              f"({args.feeds / bare * 60:8.0f} feeds/min, {entries / bare:7.0f} entries/s, one core)")

        settings = Settings(allow_networks=("127.0.0.0/8",), concurrency=args.concurrency,
                            host_concurrency=args.concurrency, total_timeout=120, http_timeout=60)
        feeds = tuple(Feed(url=f"http://127.0.0.1:{port}/feed/{n}", name=f"feed-{n}") for n in range(args.feeds))
        executor = (ThreadPoolExecutor(2) if args.threads
                    else ProcessPoolExecutor(args.processes, mp_context=multiprocessing.get_context("forkserver")))
        with executor:
            if not args.threads:
                list(executor.map(abs, range(args.processes * 4)))  # start the workers outside the timing
            sink = DiscardSink()
            async with make_client(settings) as client:
                poller = Poller(settings, sink, client, executor)
                started = time.perf_counter()
                reports = await poller.poll_all(feeds)
                changed = time.perf_counter() - started
                assert sink.articles == entries and not any(r.error for r in reports), reports[:3]
                parse_sum = poller.metrics.parse_seconds._sum.get()  # noqa: SLF001
                print(f"pollers, all changed  : {changed:7.2f} s for {args.feeds} feeds "
                      f"({args.feeds / changed * 60:8.0f} checks/min, {entries / changed:7.0f} entries/s), "
                      f"overhead vs bare {100 * (changed / bare - 1):+.0f}%, "
                      f"parse+normalise {1000 * parse_sum / args.feeds:.1f} ms/feed in the worker (bare: {1000 * bare / args.feeds:.1f})")

                changed_feeds = range(0, args.feeds, max(1, round(1 / args.changed))) if args.changed else ()
                for n in changed_feeds:
                    versions[n] += 1
                sink.articles = 0
                started = time.perf_counter()
                reports = await poller.poll_all(feeds)
                steady = time.perf_counter() - started
                not_modified = sum(r.status == 304 for r in reports)
                assert sink.articles == len(changed_feeds) and not any(r.error for r in reports)
                print(f"pollers, mostly 304   : {steady:7.2f} s for {args.feeds} feeds "
                      f"({args.feeds / steady * 60:8.0f} checks/min; {not_modified} not modified, "
                      f"{len(changed_feeds)} changed, {sink.articles} new entries)")
        me, child = peak_mib()
        print(f"peak RSS: pollers {me:.0f} MiB, largest child (server or parse worker) {child:.0f} MiB")
    finally:
        server.terminate()
        server.join(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--changed", type=float, default=0.1, help="fraction of feeds changed in the steady phase")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", action="store_true", help="parse in 2 threads instead of processes")
    parser.add_argument("--bare", type=int, default=0, help="time bare parsing on this many feeds (0: all)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
