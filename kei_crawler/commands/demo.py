"""``kei-crawler demo``: the archivist's story on the bundled replica of keia.org, served on 127.0.0.1.

A first crawl captures the whole replica; the replica then publishes new briefs and edits one; an
incremental crawl picks up the new ones in a handful of requests; the replica takes one down, and a
revalidating crawl finds the edit and the removal with conditional requests. Each crawl runs as
``kei-crawler crawl`` in a child process, exactly as a scheduler would run it, while the replica's server
runs here so the demo can change the site and count the requests each crawl made. The demo ends with
the report (``kei-crawler report``) of what it archived.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import (
    UsageError,
    add_output_dir,
    add_settings,
    check_output_dir,
    load_config,
    project_settings,
    setting_overrides,
)
from kei_crawler.commands.diff import run_diff
from kei_crawler.commands.feed import run_feed
from kei_crawler.commands.notices import warn
from kei_crawler.commands.summary import duckdb_query, newest_briefs_table
from kei_crawler.replica import THEMES, ReplicaServer, build_site
from kei_crawler.replica.content import PAGINATIONS
from kei_crawler.replica.images import UPLOADS
from kei_crawler.report.site import build
from kei_crawler.run.layout import FILE, OutputLayout, kind_of
from kei_crawler.run.outcome import PUBLISHED
from kei_crawler.storage.snapshot import store

# Politeness is for the real site; the replica is a local process that answers as fast as it can.
LOCAL_SPEED = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "KEI_RETRY_BACKOFF_BASE": 0.1,  # a retry of a local error need not wait seconds
}
MIN_BRIEFS = 10  # the demo edits one past the first listing page
MAX_BRIEFS = 10_000  # about the real site's size; the replica's dates would run back past year 1 near 10**6
MARKER = ".kei-demo"  # the demo only ever clears a directory it made itself
DEFAULT_OUTPUT = "output/demo"
REPORT = "report"  # the demo's report, inside its output directory so that its WARC links work when served


def add_parser(sub: Any) -> None:
    demo = sub.add_parser("demo", help="serve the bundled replica of keia.org and crawl it end to end")
    add_output_dir(demo, f"{DEFAULT_OUTPUT}, cleared at each demo")
    demo.add_argument(
        "--briefs", type=int, default=60,
        help=f"size of the replica, {MIN_BRIEFS} to {MAX_BRIEFS} (default: 60)",
    )  # fmt: skip
    demo.add_argument(
        "--theme", default="flat", help=f"replica markup theme: {', '.join(THEMES)} (default: flat)"
    )
    demo.add_argument("--pagination", default="query", choices=PAGINATIONS)
    add_settings(demo, "a Scrapy or KEI_* setting for each of the demo's crawls, over its local speed")


def run(args: argparse.Namespace, console: Console) -> int:
    if args.briefs < MIN_BRIEFS:
        raise UsageError(
            f"--briefs must be at least {MIN_BRIEFS} (the demo edits one past the first listing page)"
        )
    if args.briefs > MAX_BRIEFS:
        raise UsageError(f"--briefs must be at most {MAX_BRIEFS}; got {args.briefs}")
    if args.theme not in THEMES:
        raise UsageError(f"--theme must be one of {', '.join(THEMES)}; got {args.theme!r}")
    settings = {**LOCAL_SPEED, **setting_overrides(args.settings)}
    load_config(project_settings(settings))  # the crawls would refuse a bad one: refuse it before they start
    output_dir = check_output_dir(DEFAULT_OUTPUT if args.output_dir is None else args.output_dir)
    try:
        return run_demo(
            console,
            output_dir,
            briefs=args.briefs,
            theme=args.theme,
            pagination=args.pagination,
            settings=settings,
        )
    except DemoError as exc:
        raise UsageError(str(exc)) from exc


class DemoError(Exception):
    """The demo cannot run; the message is one line for the user."""


def prepare(output_dir: Path) -> None:
    """Start from an empty archive: the story needs a first, full crawl. Only a folder the demo made (its
    marker) is cleared, and only of the archive's folders: anything else in it is not the demo's to delete."""
    if any(output_dir.iterdir()) and not (output_dir / MARKER).is_file():
        raise DemoError(f"{output_dir} holds files the demo did not make; choose another --output-dir")
    layout = OutputLayout.of(output_dir)
    for made in (layout.snapshots, layout.runs, layout.tmp):
        shutil.rmtree(made, ignore_errors=True)
    if kind_of(layout.datapackage) == FILE:  # it would name a snapshot just cleared
        layout.datapackage.unlink()
    (output_dir / MARKER).write_text("made by kei-crawler demo; cleared at each demo\n")


def crawl(
    console: Console, base_url: str, output_dir: Path, *flags: str, settings: Mapping[str, Any] = LOCAL_SPEED
) -> int:
    """``kei-crawler crawl`` of the replica in a child process, as a scheduler runs it, with ``settings``
    (LOCAL_SPEED and the demo's ``-s``)."""
    speed = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    command = [sys.executable, "-m", "kei_crawler", "crawl", "--base-url", base_url,
               "--output-dir", str(output_dir), *speed, *flags]  # fmt: skip
    console.print(
        f"\n[bold]$ kei-crawler crawl {' '.join(flags) or '(incremental once a snapshot exists)'}[/]"
    )
    env = {**os.environ, "COLUMNS": str(console.width)}
    return subprocess.run(command, env=env, check=False).returncode


def run_demo(
    console: Console,
    output_dir: Path,
    *,
    briefs: int,
    theme: str,
    pagination: str,
    settings: Mapping[str, Any] = LOCAL_SPEED,
) -> int:
    prepare(output_dir)
    site = build_site(briefs, theme=theme, pagination=pagination)
    with ReplicaServer(site) as server:
        console.print(
            f"Serving a replica of keia.org ({briefs} briefs, theme {theme!r}) at {server.base_url}",
            soft_wrap=True,
        )
        if crawl(console, server.base_url, output_dir, settings=settings) not in PUBLISHED:
            return 1
        first = store.latest(output_dir)
        assert first is not None
        console.print(newest_briefs_table(store.load(first.path), width=console.width))

        new = site.publish(3)
        edited = site.briefs[len(new) + 4]
        site.edit(edited.slug)
        console.print(
            f"\nThe replica publishes {len(new)} new briefs ({', '.join(b.title for b in new)}) "
            f"and edits one ({edited.title}).",
            soft_wrap=True,
        )
        for flags, what in (((), "the new briefs"), (("--revalidate",), "the edit and the removal")):
            if flags:
                gone = site.remove(site.briefs[-1].slug)
                console.print(f"\nThe replica takes down its oldest brief ({gone.title}).", soft_wrap=True)
            server.clear_log()
            if crawl(console, server.base_url, output_dir, *flags, settings=settings) not in PUBLISHED:
                return 1
            asked = len(server.requests)
            not_modified = sum(1 for r in server.requests if r.status == 304)
            photos = sum(1 for r in server.requests if r.path.startswith(UPLOADS))
            console.print(
                f"That crawl sent the replica {asked} requests ({not_modified} answered 304 Not Modified, "
                f"{photos} for photos) to pick up {what}.",
                soft_wrap=True,
            )
    latest = store.latest(output_dir)
    assert latest is not None
    console.print(
        f"\nThe current archive: {OutputLayout.of(output_dir).latest / store.FILENAME}", soft_wrap=True
    )
    console.print("Every snapshot in DuckDB:")
    console.print(duckdb_query(output_dir), highlight=False, soft_wrap=True)
    console.print(f"\nRun manifests: {OutputLayout.of(output_dir).runs}")
    # What a monitor sees: the diff of the two newest snapshots, and a feed to watch.
    console.print("\n[bold]$ kei-crawler diff[/]  (the two newest snapshots)")
    run_diff(console, [], str(output_dir))
    feed = output_dir / "feed.xml"
    console.print(f"\n[bold]$ kei-crawler feed --output {feed}[/]", highlight=False, soft_wrap=True)
    run_feed(console, str(output_dir), str(feed))
    console.print(f"\nThe newest snapshot: {latest.path}", highlight=False, soft_wrap=True)
    # What everyone else sees: the archive and its crawls as a web site, its index.html the last line.
    site_dir = output_dir / REPORT
    console.print(f"\n[bold]$ kei-crawler report --output {site_dir}[/]", highlight=False, soft_wrap=True)
    report = build(output_dir, site_dir, warn=warn)
    console.print(report.written, highlight=False)
    console.print(str(report.index), highlight=False, soft_wrap=True)
    return 0
