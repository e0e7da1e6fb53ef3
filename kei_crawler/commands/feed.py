"""``kei-crawler feed``: the change feed, an Atom feed of what is new, changed or gone in the archive."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import UsageError, add_output_dir, output_dir_of
from kei_crawler.commands.notices import warn, warn_ignored_entries
from kei_crawler.commands.paths import STDOUT, input_dir, output_file
from kei_crawler.monitor.feed import feed_document, write_feed
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.store import SnapshotError


def add_parser(sub: Any) -> None:
    feed = sub.add_parser(
        "feed",
        help="write an Atom feed of the latest new, changed and removed briefs, as the crawls saw them",
    )
    feed.add_argument(
        "--output", required=True, metavar="FILE.xml", help="where to write the feed; - for standard output"
    )
    add_output_dir(feed, "output")
    feed.add_argument("--limit", type=int, default=20, help="how many entries (default: 20)")


def run(args: argparse.Namespace, console: Console) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    try:
        return run_feed(console, output_dir_of(args), args.output, args.limit)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def run_feed(console: Console, output_dir: str, output: str, limit: int = 20) -> int:
    if output != STDOUT:
        output_file("--output", output)
    input_dir("--output-dir", output_dir)
    warn_ignored_entries(output_dir)
    newest = store.latest(output_dir)
    if newest is None:
        raise SnapshotError(f"{output_dir} holds no snapshot to make a feed from")
    if output == STDOUT:  # the feed and nothing else, for a pipe
        document, _ = feed_document(output_dir, limit=limit, warn=warn)
        sys.stdout.flush()
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
        return 0
    path, entries = write_feed(output_dir, output, limit=limit, warn=warn)
    console.print(
        f"Atom feed of the {entries} latest changes up to snapshot {newest.crawl_id}:", highlight=False
    )
    console.print(str(path), highlight=False, soft_wrap=True)
    return 0
