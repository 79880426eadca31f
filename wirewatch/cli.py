"""The ``wirewatch`` command: a thin layer that builds ``Settings`` once and hands them down."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from wirewatch import __version__, broker
from wirewatch.errors import WirewatchError
from wirewatch.settings import Feed, Settings, feed_name, from_env

P = ParamSpec("P")
R = TypeVar("R")


def _settings(ctx: click.Context) -> Settings:
    return ctx.ensure_object(dict)["settings"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="wirewatch")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Wirewatch: news wires in; actors, rapprochement and hostility signals out, over Kafka.

    Configure with environment variables: KAFKA_BOOTSTRAP_SERVERS (unset: the embedded broker on
    127.0.0.1:9092), WIREWATCH_FEEDS_FILE, WIREWATCH_TOPIC_PREFIX (default "wire."), and the other
    WIREWATCH_* settings listed in the README.
    """
    try:
        settings = from_env()
    except WirewatchError as exc:
        raise click.ClickException(str(exc)) from None
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)["settings"] = settings


@contextlib.contextmanager
def _broker_for(settings: Settings) -> Iterator[Settings]:
    """Start the embedded broker when none is configured; stop it however the block ends."""
    if not settings.embedded:
        yield settings
        return
    click.echo(f"wirewatch: no KAFKA_BOOTSTRAP_SERVERS; starting the embedded broker on {settings.bootstrap}", err=True)
    with broker.running(settings.embedded_listen) as embedded:
        yield replace(settings, bootstrap_servers=embedded.bootstrap)


def _fail_cleanly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn our typed errors into one-line messages and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except WirewatchError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@main.command("broker")
@click.option("--listen", default="127.0.0.1:9092", show_default=True, help="HOST:PORT to listen on.")
@_fail_cleanly
def broker_cmd(listen: str) -> None:
    """Run the embedded Kafka-protocol broker (Tansu, memory-only) until Ctrl-C or SIGTERM."""
    import signal

    with broker.running(listen, quiet=False) as embedded:
        click.echo(f"wirewatch: broker listening on {embedded.bootstrap}; Ctrl-C to stop", err=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with contextlib.suppress(KeyboardInterrupt):
            embedded.process.wait()
        if embedded.process.returncode not in (None, 0, -15):
            raise click.ClickException(f"the broker exited with status {embedded.process.returncode}")


def _run_worker(settings: Settings, with_pollers: bool) -> None:
    """Create topics, then run the Faust worker (and optionally the pollers) until stopped."""
    from wirewatch.processors.app import create_app
    from wirewatch.topics import ensure_topics

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(broker.wait_until_answers(settings.bootstrap))
    loop.run_until_complete(ensure_topics(settings))
    app = create_app(settings)
    services = []
    if with_pollers:
        from wirewatch.ingest.service import PollerService

        services.append(PollerService(settings, loop=loop))
    from faust.worker import Worker

    worker = Worker(app, *services, loglevel=settings.log_level, loop=loop, redirect_stdouts=False,
                    override_logging=False)
    worker.execute_from_commandline()


@main.command()
@click.option("--demo", is_flag=True, help="Also serve the packaged sample feed on loopback and poll it.")
@click.option("--feeds/--no-feeds", "use_feeds", default=True, show_default=True,
              help="Poll the configured feed list (--no-feeds with --demo polls only the sample).")
@click.option("--listen", default=None, metavar="HOST:PORT",
              help="Where the embedded broker listens when KAFKA_BOOTSTRAP_SERVERS is unset [127.0.0.1:9092].")
@click.pass_context
@_fail_cleanly
def run(ctx: click.Context, demo: bool, use_feeds: bool, listen: str | None) -> None:
    """Run the whole service in one process: broker if none is configured, pollers, Faust worker.

    Enriched articles are logged as they are produced; watch the topics with `wirewatch tail`.
    """
    settings = _settings(ctx)
    if listen and settings.embedded:
        broker.parse_listen(listen)
        settings = replace(settings, embedded_listen=listen)
    feeds = settings.feeds if use_feeds else ()
    server = None
    if demo:
        from wirewatch import demo as demo_feed

        server = demo_feed.serve()
        feeds = (*feeds, Feed(url=server.url, name="demo-sample", min_interval=60, max_interval=300))
        settings = replace(settings, allow_networks=(*settings.allow_networks, "127.0.0.0/8"))
        click.echo(f"wirewatch: serving the sample feed at {server.url}", err=True)
    try:
        with _broker_for(replace(settings, feeds=feeds)) as live:
            _run_worker(live, with_pollers=True)
    finally:
        if server is not None:
            server.stop()


@main.command()
@click.pass_context
@_fail_cleanly
def worker(ctx: click.Context) -> None:
    """Run the Faust worker alone: wire.articles -> actors, signals -> wire.enriched, wire.signals."""
    _run_worker(_settings(ctx), with_pollers=False)


@main.command()
@click.option("--once", is_flag=True, help="Poll each feed once, print a summary per feed, and exit.")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), help="Archive every response here "
              "(overrides WIREWATCH_ARCHIVE_DIR).")
@click.option("--metrics-port", type=click.IntRange(min=1), help="Serve Prometheus /metrics on this port "
              "(overrides WIREWATCH_METRICS_PORT).")
@click.argument("urls", nargs=-1)
@click.pass_context
@_fail_cleanly
def poll(ctx: click.Context, once: bool, archive_dir: str | None, metrics_port: int | None,
         urls: tuple[str, ...]) -> None:
    """Poll feeds and publish new or changed entries to wire.articles.

    URLS replace the configured feed list. Without --once, polls forever on each feed's schedule.
    Exit status with --once: 0 when every feed was read, 1 when any failed.
    """
    from wirewatch.ingest.run import poll_forever, poll_once

    settings = _settings(ctx).with_overrides(archive_dir=archive_dir, metrics_port=metrics_port)
    if urls:
        settings = replace(settings, feeds=tuple(Feed(url=u, name=feed_name(u)) for u in urls))
    if not settings.feeds:
        raise click.ClickException("no feeds: give URLs or set WIREWATCH_FEEDS_FILE")
    if not once:
        asyncio.run(poll_forever(settings))
        return
    reports = asyncio.run(poll_once(settings))
    for report in reports:
        click.echo(report.line())
    if any(r.error for r in reports):
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed instead of a table.")
@click.pass_context
@_fail_cleanly
def feeds(ctx: click.Context, as_json: bool) -> None:
    """Validate the feed list and print each feed's health from wire.feeds.

    Shows last status, last success, consecutive errors, next check and entries seen. Exit status is 1
    when any enabled feed is broken (failing for several checks in a row).
    """
    from wirewatch.ingest.health import feed_health, format_table

    rows = asyncio.run(feed_health(_settings(ctx)))
    if as_json:
        from wirewatch import codec

        for row in rows:
            click.echo(codec.dumps(row).decode())
    else:
        click.echo(format_table(rows))
    if any(r["broken"] and r["enabled"] for r in rows):
        sys.exit(1)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_fail_cleanly
def extract(files: tuple[Path, ...]) -> None:
    """Offline extraction, no broker: Article JSON lines (or .txt articles) in, EnrichedArticle lines out.

    Reads stdin when no FILE is given. A .txt file is one article whose first line is the title.
    A line that is not a valid Article is reported on stderr and skipped; exit status is then 1.
    """
    from wirewatch.processors.extract import extract_files

    bad = extract_files(files, sys.stdin.buffer, sys.stdout.buffer, sys.stderr)
    if bad:
        sys.exit(1)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("what", type=click.Choice(["actors", "signals"]))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def evaluate(what: str, args: tuple[str, ...]) -> None:
    """Precision and recall on a labelled set: per actor type, or of dyad verdicts.

    `wirewatch evaluate actors [PATH] [--errors] [--json]`;
    `wirewatch evaluate signals [PATH] [--split train|test] [--errors]`. PATH defaults to tests/eval/.
    """
    if what == "actors":
        from wirewatch.processors.extraction.evaluate import main as run_evaluation

        sys.exit(run_evaluation(["actors", *args]))
    from wirewatch.processors.extraction.evaluate_signals import main as run_signals

    sys.exit(run_signals(list(args)))


@main.command()
@click.argument("topic")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest retained message, not the newest.")
@click.option("--max", "max_messages", type=click.IntRange(min=1), help="Exit after this many messages.")
@click.option("--timeout", type=click.FloatRange(min=0), help="Exit after this many seconds.")
@click.option("--keys", is_flag=True, help="Print {key, value, partition, offset} instead of the value alone.")
@click.pass_context
@_fail_cleanly
def tail(ctx: click.Context, topic: str, from_beginning: bool, max_messages: int | None, timeout: float | None,
         keys: bool) -> None:
    """Print a topic's messages as JSON lines, one per message, as a downstream consumer sees them.

    TOPIC is a full name (wire.enriched) or a logical one (enriched). With --max, exit status is 3 when
    the timeout ends the wait before that many messages arrived.
    """
    from wirewatch.tail import tail as tail_topic

    settings = _settings(ctx)
    name = topic if topic.startswith(settings.topic_prefix) else settings.topic(topic)
    seen = asyncio.run(tail_topic(settings, name, sys.stdout.buffer, from_beginning, max_messages, timeout, keys))
    if max_messages is not None and seen < max_messages:
        click.echo(f"wirewatch: timed out after {seen} of {max_messages} messages", err=True)
        sys.exit(3)


def _when(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from wirewatch.ingest.replay import parse_when

    try:
        return None if value is None else parse_when(value)
    except WirewatchError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--since", callback=_when, metavar="TIME", help="Only articles published at or after TIME (UTC "
              "unless it says otherwise), e.g. 2024-03-01.")
@click.option("--until", callback=_when, metavar="TIME", help="Only articles published before TIME.")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), help="At most N articles per second.")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True),
              help="Follow the original publication timing, X times faster (1: real time).")
@click.option("--dry-run", is_flag=True, help="Read, order and count everything; send nothing.")
@click.option("--resume", is_flag=True, help="Continue an interrupted replay of the same inputs and options, "
              "skipping what the broker acknowledged.")
@click.option("--checkpoint", type=click.Path(dir_okay=False, path_type=Path),
              help="Checkpoint file [WIREWATCH_STATE_DIR/replay/<inputs hash>.json].")
@click.option("--deadletter", is_flag=True, help="Also send skipped (corrupt) inputs to wire.deadletter.")
@click.option("--progress/--no-progress", default=None, help="Progress bar [on a terminal; log lines otherwise].")
@click.pass_context
@_fail_cleanly
def replay(ctx: click.Context, paths: tuple[Path, ...], since: str | None, until: str | None, rate: float | None,
           speed: float | None, dry_run: bool, resume: bool, checkpoint: Path | None, deadletter: bool,
           progress: bool | None) -> None:
    """Replay archived feeds onto wire.articles, in publication-time order, with the ids live polling gives.

    PATHS, in any mix: folders of feed documents (.xml .rss .atom .rdf .json, gzipped or not), tar and zip
    archives of them, WARC files, the pollers' archive (WIREWATCH_ARCHIVE_DIR), and Article JSON lines as
    `wirewatch tail articles` prints them. Messages carry the header replay=1. Exit status: 0 when all
    input was replayed, 3 when some input was skipped as corrupt (listed at the end), 130 when
    interrupted (continue with --resume), 1 on errors.
    """
    from wirewatch.ingest.replay import ReplayOptions, run_replay

    options = ReplayOptions(paths=paths, since=since, until=until, rate=rate, speed=speed, dry_run=dry_run,
                            resume=resume, checkpoint=checkpoint, deadletter=deadletter, progress=progress)
    summary = run_replay(_settings(ctx), options)
    for line in summary.lines():
        click.echo(line, err=True)
    sys.exit(summary.exit_status)


if __name__ == "__main__":
    main()
