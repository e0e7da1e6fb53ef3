"""``kei-crawler snapshots``: every snapshot with its size and what changed since the one before."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import UsageError, add_output_dir, output_dir_of
from kei_crawler.commands.notices import warn_ignored_entries
from kei_crawler.commands.paths import input_dir
from kei_crawler.monitor.survey import list_table, survey
from kei_crawler.storage.snapshot.store import SnapshotError


def add_parser(sub: Any) -> None:
    snapshots = sub.add_parser("snapshots", help="list snapshots with counts versus the previous one")
    add_output_dir(snapshots, "output")


def run(args: argparse.Namespace, console: Console) -> int:
    try:
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
