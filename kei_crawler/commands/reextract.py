"""``kei-crawler reextract``: a snapshot rebuilt from archived WARC responses with today's extractor."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import (
    UsageError,
    add_output_dir,
    add_settings,
    check_output_dir,
    load_config,
    parse_setting,
    project_settings,
)
from kei_crawler.run.context import CannotStart, OutputLocked
from kei_crawler.run.outcome import ExitCode, lost_briefs
from kei_crawler.storage.warc.reader import WarcReadError


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
    overrides = dict(parse_setting(s) for s in args.settings)
    if args.output_dir:
        overrides["KEI_OUTPUT_DIR"] = args.output_dir
    settings = project_settings(overrides)
    check_output_dir(load_config(settings).output_dir)
    warcs = [Path(w) for w in args.warcs]
    for warc in warcs:
        if not warc.is_file():
            raise UsageError(f"{warc}: no such file")
    try:
        result = reextract(warcs, settings)
    except WarcReadError as exc:
        raise UsageError(str(exc)) from exc
    except OutputLocked as exc:
        print(f"kei-crawler: {exc}; nothing done", file=sys.stderr)
        return ExitCode.LOCKED
    except CannotStart as exc:
        raise UsageError(str(exc)) from exc
    except ReextractError as exc:
        print(f"kei-crawler: no snapshot published: {exc}", file=sys.stderr)
        return ExitCode.NOT_PUBLISHED
    dropped = result.counts.get("briefs_dropped") or {}
    console.print(
        f"Re-extracted {result.rows} briefs from {len(warcs)} WARC file(s)"
        + (f"; dropped {', '.join(f'{n} {why}' for why, n in dropped.items())}" if dropped else ""),
        highlight=False,
    )
    console.print(str(result.snapshot_path), highlight=False, soft_wrap=True)
    # A brief response that gives no row is a brief this snapshot lacks, as in a crawl.
    return ExitCode.WITH_ERRORS if lost_briefs(result.counts) else ExitCode.OK
