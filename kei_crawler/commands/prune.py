"""``kei-crawler prune``: old snapshots removed, and the WARCs no kept snapshot needs, under the lock."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import UsageError, add_output_dir, output_dir_of
from kei_crawler.commands.notices import warn_ignored_entries
from kei_crawler.commands.paths import input_dir
from kei_crawler.run.cursors import CursorError
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.lock import OutputLock
from kei_crawler.run.outcome import ExitCode
from kei_crawler.run.pruning import carry_out
from kei_crawler.run.retention import Plan, Policy, plan
from kei_crawler.storage.atomic import os_error_line
from kei_crawler.storage.snapshot.store import SnapshotError


def add_parser(sub: Any) -> None:
    prune = sub.add_parser(
        "prune", help="remove old snapshots and the WARCs no kept snapshot needs (the newest always stays)"
    )
    prune.add_argument("--keep", type=_count, metavar="N", help="keep the N newest snapshots")
    prune.add_argument("--keep-days", type=_days, metavar="D", help="keep the snapshots of the last D days")
    prune.add_argument(
        "--thin", action="store_true",
        help="keep only the snapshots that changed something (and the newest), of those kept otherwise",
    )  # fmt: skip
    prune.add_argument(
        "--dry-run", action="store_true", help="say what would go and the bytes freed; change nothing"
    )
    add_output_dir(prune, "output")


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expects a whole number of snapshots, at least 1, got {text!r}")
    return int(text)


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not 0 <= days < 1e6:
        raise argparse.ArgumentTypeError(f"expects a number of days, 0 or more, got {text!r}")
    return days


def run(args: argparse.Namespace, console: Console) -> int:
    if args.keep is None and args.keep_days is None and not args.thin:
        raise UsageError("prune: say what to keep: --keep N, --keep-days D and/or --thin")
    policy = Policy(keep=args.keep, keep_days=args.keep_days, thin=args.thin)
    return run_prune(console, output_dir_of(args), policy, dry_run=args.dry_run)


def run_prune(console: Console, output_dir: str, policy: Policy, *, dry_run: bool = False) -> int:
    layout = OutputLayout.of(input_dir("--output-dir", output_dir))
    misplaced = layout.misplaced()
    if misplaced:
        raise UsageError(misplaced)
    warn_ignored_entries(output_dir)
    lock = OutputLock(layout.lock_file)
    try:
        acquired = lock.acquire("prune")
    except OSError as exc:
        raise UsageError(f"cannot lock {layout.root}: {os_error_line(exc)}") from exc
    if not acquired:
        print(
            f"kei-crawler: another run is using {layout.root} ({lock.holder()}); nothing done",
            file=sys.stderr,
        )
        return ExitCode.LOCKED
    try:
        return _prune(console, layout, policy, dry_run)
    finally:
        lock.release()


def _prune(console: Console, layout: OutputLayout, policy: Policy, dry_run: bool) -> int:
    try:
        found = plan(layout, policy, datetime.now(UTC))
    except (SnapshotError, CursorError) as exc:
        raise UsageError(f"nothing removed: {exc}") from exc
    except OSError as exc:  # a folder it may not read
        print(f"kei-crawler: nothing removed: {os_error_line(exc)}", file=sys.stderr)
        return ExitCode.NOT_PUBLISHED
    freed = found.size()
    for line in found.problems:
        print(f"kei-crawler: {line}", file=sys.stderr)
    if not dry_run:
        try:
            carry_out(layout, found)
        except OSError as exc:
            print(
                f"kei-crawler: prune stopped: {os_error_line(exc)}; what it removed is gone, the rest is "
                "untouched; run it again",
                file=sys.stderr,
            )
            return ExitCode.NOT_PUBLISHED
    _summary(console, found, freed, dry_run)
    return ExitCode.WITH_ERRORS if found.problems else ExitCode.OK


def _summary(console: Console, found: Plan, freed: int, dry_run: bool) -> None:
    verb = "would remove" if dry_run else "removed"
    lines = [f"{verb} snapshot {ref.crawl_id}" for ref in found.removed]
    lines += [f"{verb} WARC {path.name}" for files in found.warcs_removed.values() for path in files]
    lines += [f"kept snapshot {crawl_id}: {why}" for crawl_id, why in sorted(found.kept.items())]
    lines += [f"kept the WARC of {crawl_id}: {why}" for crawl_id, why in sorted(found.warcs_kept.items())]
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)
    console.print(
        f"{'Would remove' if dry_run else 'Removed'} {len(found.removed)} snapshots and "
        f"{len(found.warcs_removed)} crawls' WARCs, {freed:,} bytes; kept {len(found.kept)} snapshots.",
        highlight=False,
    )
