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
from kei_crawler.commands.streams import reader_left
from kei_crawler.monitor import formats
from kei_crawler.monitor.sources import Source, move_cursor, pair, since
from kei_crawler.run.cursors import CursorError
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
    span = diff.add_mutually_exclusive_group()
    span.add_argument("--since", metavar="ID",
                      help="from snapshot ID (a crawl id or path) to the newest: the net change since")  # fmt: skip
    span.add_argument(
        "--since-last",
        action="store_true",
        help="from where the last --since-last left off to the newest, then remember the newest "
        "(the first time: the two newest)",
    )
    add_output_dir(diff, "output")
    diff.add_argument("--format", default="text", choices=FORMATS)
    diff.add_argument(
        "--output",
        metavar="FILE",
        help="also write the changes to FILE, in the format its suffix names: .parquet (a change table, "
        "change: insert/update/move/delete), .csv, .json or .md (as --format csv, json, markdown)",
    )


def run(args: argparse.Namespace, console: Console) -> int:
    spanning = args.since is not None or args.since_last
    if spanning and args.snapshots:
        flag = "--since-last" if args.since_last else "--since"
        raise UsageError(f"{flag} compares with the newest snapshot; give it without OLD NEW")
    try:
        if spanning:
            return run_since(console, args.since, output_dir_of(args), args.format, args.output)
        return run_diff(console, args.snapshots, output_dir_of(args), args.format, args.output)
    except (SnapshotError, CursorError) as exc:
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
    return report(console, old, new, fmt, output)


def run_since(console: Console, token: str | None, output_dir: str, fmt: str, output: str | None) -> int:
    """``--since ID`` (``token``) or ``--since-last`` (None): to the newest snapshot. The cursor moves
    only once the report went out whole — a reader that left early sees the same changes next time."""
    if output is not None:
        check_output(output)
    if token is not None:
        snapshot_argument("--since", token)
    input_dir("--output-dir", output_dir)
    old, new = since(token, output_dir, warn)
    code = report(console, old, new, fmt, output)
    if token is None:
        sys.stdout.flush()
        if not reader_left(sys.stdout):
            move_cursor(output_dir, new)
    return code


def report(console: Console, old: Source, new: Source, fmt: str, output: str | None) -> int:
    """The changes from ``old`` to ``new``: to ``output`` when given, then on standard output."""
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
