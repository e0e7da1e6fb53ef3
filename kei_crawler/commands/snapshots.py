"""``kei-crawler snapshots``: every snapshot with its size and what changed since the one before;
``--latest``: only the newest snapshot's file, for a script."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import UsageError, add_output_dir, output_dir_of
from kei_crawler.commands.notices import warn_ignored_entries
from kei_crawler.commands.paths import input_dir
from kei_crawler.monitor.survey import list_table, survey
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.store import SnapshotError


def add_parser(sub: Any) -> None:
    snapshots = sub.add_parser("snapshots", help="list snapshots with counts versus the previous one")
    add_output_dir(snapshots, "output")
    snapshots.add_argument(
        "--latest",
        action="store_true",
        help="print only the newest snapshot's briefs.parquet (exit 1 when there is none)",
    )


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        if args.latest:
            return print_latest(console, output_dir_of(args))
        return run_snapshots(console, output_dir_of(args))
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def run_snapshots(console: Console, output_dir: str) -> int:
    input_dir("--output-dir", output_dir)
    warn_ignored_entries(output_dir)
    rows = survey(output_dir)
    if not rows:
        console.print(f"No snapshots in {output_dir}.", highlight=False)
        return 0
    console.print(list_table(rows, output_dir))
    bad = [row for row in rows if row.error]
    for row in bad:
        print(f"kei-crawler: snapshot {row.crawl_id} does not load: {row.error}", file=sys.stderr)
    return 1 if bad else 0


def print_latest(console: Console, output_dir: str) -> int:
    """The newest snapshot's file under ``snapshots/``, the one ``<output>/latest`` points to once a run
    published it: a path that names the same data after the next crawl, so that a script reads one
    snapshot throughout."""
    input_dir("--output-dir", output_dir)
    warn_ignored_entries(output_dir)
    newest = store.latest(output_dir)
    if newest is None:
        print(f"kei-crawler: no snapshot in {output_dir}", file=sys.stderr)
        return 1
    console.print(str(newest.path), highlight=False, soft_wrap=True, markup=False)
    return 0
