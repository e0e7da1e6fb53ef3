"""``kei-crawler diff``: what changed between two snapshots, in a table, JSON, markdown or CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import UsageError, add_output_dir, output_dir_of
from kei_crawler.commands.notices import warn
from kei_crawler.commands.paths import STDOUT, input_dir, output_file, snapshot_argument, status
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
        metavar="FILE",
        help="also write the changes to FILE, in the format its suffix names: .parquet (a change table, "
        "change: insert/update/move/delete), .csv, .json or .md (as --format csv, json, markdown)",
    )


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        return run_diff(console, args.snapshots, output_dir_of(args), args.format, args.output)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def check_output(output: str) -> None:
    """Refused before anything is read: standard output (the report goes there already), a place in the
    archive, a name whose suffix names no format."""
    if output == STDOUT:
        raise UsageError("--output -: the report already goes to standard output; choose it with --format")
    output_file("--output", output)
    if formats.file_format(output) is None:
        raise UsageError(
            f"--output {output}: the suffix chooses the format; name it "
            f"{', '.join(list(formats.FILE_FORMATS)[:-1])} or {list(formats.FILE_FORMATS)[-1]}"
        )


def run_diff(
    console: Console, tokens: list[str], output_dir: str, fmt: str = "text", output: str | None = None
) -> int:
    if output is not None:
        check_output(output)
    for flag, token in zip(("OLD", "NEW"), tokens, strict=False):
        snapshot_argument(flag, token)
    if not tokens:
        input_dir("--output-dir", output_dir)
    else:  # read only for crawl ids, and then it must at least be a path that can be looked at
        status("--output-dir", Path(output_dir))
    old, new = pair(tokens, output_dir, warn)
    if output is not None and Path(output).resolve() in (old.path.resolve(), new.path.resolve()):
        raise UsageError(f"--output {output}: is a snapshot being compared; write it elsewhere")
    changes = diff_files(old.path, new.path)
    if output is not None:
        try:
            formats.write_changes(changes, old, new, output)
        except OSError as exc:
            raise SnapshotError(f"--output {output}: cannot write it ({exc.strerror or exc})") from exc
    if fmt == "text":
        formats.print_text(console, changes, old, new)
    else:
        sys.stdout.write(formats.render(fmt, changes, old, new))
    return SAME if changes.empty else DIFFERENT
