"""``kei-crawler wacz``: the archive packaged as one WACZ file, for ReplayWeb.page and archive tooling."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from kei_crawler.commands.arguments import UsageError, add_output_dir, output_dir_of
from kei_crawler.commands.notices import warn_ignored_entries
from kei_crawler.commands.paths import input_dir, output_file
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.atomic import os_error_line
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.store import SnapshotError
from kei_crawler.storage.warc.selection import photo_path, select
from kei_crawler.storage.warc.wacz import SUFFIX, Packed, live_rows, write_wacz


def add_parser(sub: Any) -> None:
    wacz = sub.add_parser(
        "wacz", help="package the WARCs, their index and the briefs as pages in one WACZ file"
    )
    wacz.add_argument("--output", required=True, metavar="FILE.wacz", help="where to write the WACZ")
    add_output_dir(wacz, "output")
    wacz.add_argument(
        "--referenced-only", action="store_true",
        help="only the WARCs the newest snapshot's rows point into (and those their revisits refer to)",
    )  # fmt: skip


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        return run_wacz(console, output_dir_of(args), args.output, referenced_only=args.referenced_only)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def run_wacz(console: Console, output_dir: str, output: str, *, referenced_only: bool = False) -> int:
    target = output_file("--output", output)
    if target.suffix.lower() != SUFFIX:  # the spec: a WACZ MUST use the extension .wacz
        raise UsageError(f"--output {output}: a WACZ file's name ends in {SUFFIX}")
    input_dir("--output-dir", output_dir)
    warn_ignored_entries(output_dir)
    ref = store.latest(output_dir)
    if ref is None:
        raise UsageError(f"{output_dir} holds no snapshot to package")
    warc_dir = OutputLayout.of(output_dir).warc
    if warc_dir.is_symlink() or not warc_dir.is_dir() or not any(warc_dir.glob("*.warc.gz")):
        raise UsageError(f"{output_dir} holds no WARC to package (warc/ is {_what(warc_dir)})")
    started = time.monotonic()
    rows = live_rows(ref.path)
    referenced = {row["warc_file"] for row in rows if row["warc_file"]} if referenced_only else None
    photos = {photo_path(row["photo_url"]) for row in rows if row["photo_url"]}
    with console.status(f"Reading the WARCs in {warc_dir} …"):  # shown on a terminal only
        selection = select(warc_dir, referenced, photos)
    for line in selection.problems:
        print(f"kei-crawler: {line}", file=sys.stderr)
    if not selection.lines:
        print(f"kei-crawler: no capture in {warc_dir} could be read; no WACZ written", file=sys.stderr)
        return ExitCode.NOT_PUBLISHED
    try:
        with console.status(f"Writing {target} ({len(selection.warcs)} WARC files) …"):
            packed = write_wacz(target, selection, rows, ref.crawl_id)
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write it ({os_error_line(exc)})") from exc
    console.print(_summary(packed, ref.crawl_id, time.monotonic() - started))
    if packed.pages.left_out:
        print(
            f"kei-crawler: {len(packed.pages.left_out)} live briefs have no capture in the packed WARCs and are "
            f"not in pages.jsonl (first: {packed.pages.left_out[0]})",
            file=sys.stderr,
        )
    console.print(str(packed.path), highlight=False, soft_wrap=True)
    return ExitCode.WITH_ERRORS if selection.problems or packed.pages.left_out else ExitCode.OK


def _what(folder: Path) -> str:
    if folder.is_symlink():
        return "a symbolic link"
    if not folder.exists():
        return "missing"
    return "not a folder" if not folder.is_dir() else "empty"


def _summary(packed: Packed, crawl_id: str, seconds: float) -> Table:
    table = Table(title=f"WACZ of snapshot {crawl_id}", show_header=False, title_justify="left")
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_row("WARC files", str(packed.warcs))
    table.add_row("captures indexed", str(packed.captures))
    table.add_row("pages (live briefs)", str(len(packed.pages.lines)))
    if packed.pages.left_out:
        table.add_row("briefs without a capture", str(len(packed.pages.left_out)))
    table.add_row("bytes", f"{packed.size:,}")
    table.add_row("seconds", f"{seconds:.1f}")
    return table
