"""``kei-crawler reextract``: a snapshot rebuilt from archived WARC responses with today's extractor."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import (
    UsageError,
    add_output_dir,
    add_settings,
    check_output_dir,
    load_config,
    path_argument,
    project_settings,
    setting_overrides,
)
from kei_crawler.commands.paths import input_file
from kei_crawler.commands.progress_bar import read_progress
from kei_crawler.commands.terminal import Terminal
from kei_crawler.run.context import CannotStart, OutputLocked
from kei_crawler.run.outcome import ExitCode, lost_briefs
from kei_crawler.storage.warc.reader import Damage, WarcReadError


def add_parser(sub: Any) -> None:
    reextract = sub.add_parser(
        "reextract", help="rebuild a snapshot from archived WARC responses with today's extractor, no network"
    )
    reextract.add_argument(
        "warcs", nargs="+", metavar="WARC", help="WARC files of one crawl (warc/*.warc.gz)"
    )
    add_output_dir(reextract)
    add_settings(reextract, "a KEI_* setting, e.g. KEI_CANONICAL_ORIGIN")


def run(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.jobs.reextract import ReextractError, reextract
    from kei_crawler.jobs.stopping import interrupt_on_sigterm

    interrupt_on_sigterm()  # a scheduler's SIGTERM interrupts it as Ctrl-C does: exit 3, nothing published
    overrides = setting_overrides(args.settings)
    if args.output_dir is not None:  # an empty one is refused, never read as the default
        overrides["KEI_OUTPUT_DIR"] = str(path_argument("--output-dir", args.output_dir))
    warcs = [input_file("WARC", w) for w in args.warcs]  # all checked before the output directory is made
    settings = project_settings(overrides)
    check_output_dir(load_config(settings).output_dir)
    damage = Damage()
    try:
        with read_progress(Terminal(interactive=sys.stdout.isatty()), "reextract") as watch:
            result = reextract(warcs, settings, damage, watch)
    except WarcReadError as exc:
        raise UsageError(str(exc)) from exc
    except OutputLocked as exc:
        print(f"kei-crawler: {exc}; nothing done", file=sys.stderr)
        return ExitCode.LOCKED
    except CannotStart as exc:
        raise UsageError(str(exc)) from exc
    except ReextractError as exc:
        _report(damage, 0)
        print(f"kei-crawler: no snapshot published: {exc}", file=sys.stderr)
        return ExitCode.NOT_PUBLISHED
    lost = sum(result.counts.get("brief_errors", {}).values())
    _report(damage, lost)
    dropped = result.counts.get("briefs_dropped") or {}
    console.print(
        f"Re-extracted {result.rows} briefs from {len(warcs)} WARC file(s)"
        + (f"; dropped {', '.join(f'{n} {why}' for why, n in dropped.items())}" if dropped else ""),
        highlight=False,
    )
    console.print(str(result.snapshot_path), highlight=False, soft_wrap=True)
    # A damaged WARC, or a brief response that gives no row (a brief this snapshot lacks, as in a crawl).
    return ExitCode.WITH_ERRORS if damage or lost_briefs(result.counts) else ExitCode.OK


def _report(damage: Damage, lost: int) -> None:
    """One line per damaged or missing WARC, then what it cost, on stderr."""
    for line in damage.lines():
        print(f"kei-crawler: {line}", file=sys.stderr)
    if lost:
        print(
            f"kei-crawler: {lost} briefs could not be recovered (listed in the snapshot's counts, `errors`)",
            file=sys.stderr,
        )
