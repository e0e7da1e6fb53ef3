"""``kei-crawler diff``: what changed between two snapshots, in a table, JSON, markdown or CSV."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import UsageError, add_output_dir, output_dir_of
from kei_crawler.commands.notices import warn
from kei_crawler.monitor import formats
from kei_crawler.monitor.sources import pair
from kei_crawler.storage.snapshot.diff import diff_files
from kei_crawler.storage.snapshot.store import SnapshotError

# As diff(1): a monitor's script branches on these.
SAME = 0
DIFFERENT = 1
TROUBLE = 2
FORMATS = ("text", "json", "markdown", "csv")


def add_parser(sub: Any) -> None:
    diff = sub.add_parser(
        "diff", help="what changed between two snapshots (exit 0 none, 1 changes, 2 trouble, as diff(1))"
    )
    diff.add_argument("snapshots", nargs="*", metavar="OLD NEW",
                      help="crawl ids or snapshot paths (default: the two newest in --output-dir)")  # fmt: skip
    add_output_dir(diff, "output")
    diff.add_argument("--format", default="text", choices=FORMATS)
    diff.add_argument(
        "--output",
        metavar="FILE.parquet",
        help="also write a change table (change: insert/update/move/delete)",
    )


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        return run_diff(console, args.snapshots, output_dir_of(args), args.format, args.output)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def run_diff(
    console: Console, tokens: list[str], output_dir: str, fmt: str = "text", output: str | None = None
) -> int:
    old, new = pair(tokens, output_dir, warn)
    changes = diff_files(old.path, new.path)
    if output:
        try:
            formats.write_change_table(changes, old, new, output)
        except OSError as exc:
            raise SnapshotError(f"--output {output}: cannot write it ({exc.strerror or exc})") from exc
    if fmt == "text":
        formats.print_text(console, changes, old, new)
    elif fmt == "json":
        sys.stdout.write(formats.to_json(changes, old, new) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(formats.to_markdown(changes, old, new) + "\n")
    else:
        sys.stdout.write(formats.to_csv(changes))
    return SAME if changes.empty else DIFFERENT
