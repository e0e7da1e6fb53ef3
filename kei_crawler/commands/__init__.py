"""The ``kei-crawler`` command: a thin layer over runner, replica and report.

``parse_args(argv)`` and ``main(argv)`` are separate so tests drive the CLI without a subprocess. Every
user error is one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from kei_crawler import __version__
from kei_crawler.run.outcome import (  # re-exported: the exit codes are part of the command's contract
    EXIT_ABORTED,
    EXIT_LOCKED,
    EXIT_NOT_PUBLISHED,
    EXIT_NOTHING_NEW,
    EXIT_OK,
    EXIT_QUALITY_ALERT,
    EXIT_USAGE,
    UsageError,
    check_output_dir,
    parse_setting,
)

__all__ = [
    "EXIT_ABORTED",
    "EXIT_LOCKED",
    "EXIT_NOTHING_NEW",
    "EXIT_NOT_PUBLISHED",
    "EXIT_OK",
    "EXIT_QUALITY_ALERT",
    "EXIT_USAGE",
    "UsageError",
    "main",
    "parse_args",
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kei-crawler",
        description="Archival crawler for keia.org's The Peninsula: one crawl, one Parquet snapshot.",
    )
    parser.add_argument("--version", action="version", version=f"kei-crawler {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = sub.add_parser("crawl", help="crawl The Peninsula and publish one snapshot")
    crawl.add_argument("--base-url", help="where to send requests (default: KEI_BASE_URL, https://keia.org)")
    _add_output_dir(crawl)
    modes = crawl.add_mutually_exclusive_group()
    modes.add_argument(
        "--full", action="store_const", const="full", dest="mode", help="fetch every brief, known or not"
    )
    modes.add_argument(
        "--revalidate",
        action="store_const",
        const="revalidate",
        dest="mode",
        help="also re-request every archived brief conditionally (304 when unchanged)",
    )
    crawl.add_argument(
        "--resume",
        action="store_true",
        help="continue the crawl that was interrupted (Ctrl-C, SIGTERM) in this output directory",
    )
    crawl.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a Scrapy or KEI_* setting, as `scrapy crawl -s` does (repeatable)",
    )

    demo = sub.add_parser("demo", help="serve the bundled replica of keia.org and crawl it end to end")
    _add_output_dir(demo, "output/demo, cleared at each demo")
    demo.add_argument("--briefs", type=int, default=60, help="size of the replica (default: 60)")
    demo.add_argument("--theme", default="flat", help="replica markup theme (default: flat)")
    demo.add_argument("--pagination", default="query", choices=["query", "path"])

    evaluate = sub.add_parser(
        "evaluate", help="score the extractor per field on a gold set, beside trafilatura"
    )
    evaluate.add_argument(
        "fixtures",
        nargs="?",
        default="tests/fixtures",
        help="folder of <name>/page.html + expected.json (default: tests/fixtures)",
    )
    evaluate.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also score trafilatura/htmldate when installed (default: on)",
    )
    evaluate.add_argument("--format", default="text", choices=["text", "json"])
    evaluate.add_argument(
        "--repeat", type=int, default=3, help="timed passes; pages/s is their median (default: 3)"
    )

    diff = sub.add_parser(
        "diff", help="what changed between two snapshots (exit 0 none, 1 changes, 2 trouble, as diff(1))"
    )
    diff.add_argument("snapshots", nargs="*", metavar="OLD NEW",
                      help="crawl ids or snapshot paths (default: the two newest in --output-dir)")  # fmt: skip
    _add_output_dir(diff, "output")
    diff.add_argument("--format", default="text", choices=["text", "json", "markdown", "csv"])
    diff.add_argument(
        "--output",
        metavar="FILE.parquet",
        help="also write a change table (change: insert/update/move/delete)",
    )

    feed = sub.add_parser("feed", help="write an Atom feed of the newest briefs of the latest snapshot")
    feed.add_argument("--output", required=True, metavar="FILE.xml", help="where to write the feed")
    _add_output_dir(feed, "output")
    feed.add_argument("--limit", type=int, default=20, help="how many briefs (default: 20)")

    snapshots = sub.add_parser("snapshots", help="list snapshots with counts versus the previous one")
    _add_output_dir(snapshots, "output")

    reextract = sub.add_parser(
        "reextract", help="rebuild a snapshot from archived WARC responses with today's extractor, no network"
    )
    reextract.add_argument(
        "warcs", nargs="+", metavar="WARC", help="WARC files of one crawl (warc/*.warc.gz)"
    )
    _add_output_dir(reextract)
    reextract.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                           help="set a KEI_* setting, e.g. KEI_CANONICAL_ORIGIN (repeatable)")  # fmt: skip
    return parser.parse_args(argv)


def _add_output_dir(parser: argparse.ArgumentParser, default: str = "KEI_OUTPUT_DIR, output") -> None:
    parser.add_argument("--output-dir", help=f"snapshots, runs and WARCs go here (default: {default})")


def cmd_crawl(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.commands import crawl as crawl_command

    return crawl_command.run(args, console)


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.commands.demo import DemoError, run_demo
    from kei_crawler.replica import THEMES

    if args.briefs < 10:
        raise UsageError("--briefs must be at least 10 (the demo edits one past the first listing page)")
    if args.theme not in THEMES:
        raise UsageError(f"--theme must be one of {', '.join(THEMES)}; got {args.theme!r}")
    output_dir = check_output_dir(args.output_dir or "output/demo")
    try:
        return run_demo(console, output_dir, briefs=args.briefs, theme=args.theme, pagination=args.pagination)
    except DemoError as exc:
        raise UsageError(str(exc)) from exc


def cmd_evaluate(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.evaluation import GoldSetError, run_evaluate

    if args.repeat < 1:
        raise UsageError("--repeat must be at least 1")
    try:
        return run_evaluate(
            console, Path(args.fixtures), baseline=args.baseline, fmt=args.format, repeat=args.repeat
        )
    except GoldSetError as exc:
        raise UsageError(str(exc)) from exc


def cmd_diff(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.commands.monitor import run_diff
    from kei_crawler.storage.snapshot.store import SnapshotError

    try:
        return run_diff(console, args.snapshots, args.output_dir or "output", args.format, args.output)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def cmd_feed(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.commands.monitor import run_feed
    from kei_crawler.storage.snapshot.store import SnapshotError

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    try:
        return run_feed(console, args.output_dir or "output", args.output, args.limit)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def cmd_snapshots(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.commands.monitor import run_snapshots
    from kei_crawler.storage.snapshot.store import SnapshotError

    try:
        return run_snapshots(console, args.output_dir or "output")
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def cmd_reextract(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.jobs.crawl import project_settings
    from kei_crawler.jobs.reextract import OutputLocked, ReextractError, reextract
    from kei_crawler.storage.warc.reader import WarcReadError

    settings = project_settings(dict(parse_setting(s) for s in args.settings))
    warcs = [Path(w) for w in args.warcs]
    for warc in warcs:
        if not warc.is_file():
            raise UsageError(f"{warc}: no such file")
    output_dir = check_output_dir(args.output_dir or settings.get("KEI_OUTPUT_DIR") or "output")
    try:
        result = reextract(warcs, settings, output_dir)
    except WarcReadError as exc:
        raise UsageError(str(exc)) from exc
    except OutputLocked as exc:
        print(f"kei-crawler: {exc}; nothing done", file=sys.stderr)
        return EXIT_LOCKED
    except ReextractError as exc:
        print(f"kei-crawler: no snapshot published: {exc}", file=sys.stderr)
        return EXIT_NOT_PUBLISHED
    dropped = result.counts.get("briefs_dropped") or {}
    console.print(
        f"Re-extracted {result.rows} briefs from {len(warcs)} WARC file(s)"
        + (f"; dropped {', '.join(f'{n} {why}' for why, n in dropped.items())}" if dropped else ""),
        highlight=False,
    )
    console.print(str(result.snapshot_path), highlight=False, soft_wrap=True)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(highlight=False)
    commands = {"crawl": cmd_crawl, "demo": cmd_demo, "evaluate": cmd_evaluate}
    commands.update(diff=cmd_diff, feed=cmd_feed, snapshots=cmd_snapshots, reextract=cmd_reextract)
    try:
        return commands[args.command](args, console)
    except UsageError as exc:
        print(f"kei-crawler: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("kei-crawler: interrupted; no snapshot published", file=sys.stderr)
        return EXIT_ABORTED


if __name__ == "__main__":
    raise SystemExit(main())
