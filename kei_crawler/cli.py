"""The ``kei-crawler`` command: a thin layer over runner, replica and report.

``parse_args(argv)`` and ``main(argv)`` are separate so tests drive the CLI without a subprocess. Every
user error is one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console

from kei_crawler import __version__

# Documented in the README; a scheduler can tell each outcome apart (systemd: SuccessExitStatus=5 6).
EXIT_OK = 0  # a snapshot was published with new, changed or removed briefs (or it is the first)
EXIT_NOT_PUBLISHED = 1  # the crawl ran to its end but published nothing (listing unreadable, write error)
EXIT_USAGE = 2  # bad arguments or input; nothing was crawled
EXIT_ABORTED = 3  # interrupted (Ctrl-C, SIGTERM, shutdown): nothing published, previous snapshots intact
EXIT_LOCKED = 4  # another run holds the output directory; this one did nothing
EXIT_QUALITY_ALERT = 5  # published, but a field's extraction looks broken: the site may have changed
EXIT_NOTHING_NEW = 6  # published, and no brief was new, changed or removed
JOB_DIR = ".job"  # under the output directory: Scrapy's JOBDIR, so an interrupted crawl can be resumed


class UsageError(Exception):
    """Bad input from the user; the message is printed as one line."""


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


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"-s expects NAME=VALUE, got {text!r}")
    return name.strip(), value


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url must be an http(s) URL with a host, got {url!r}")
    return url


def check_output_dir(path: str) -> Path:
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--output-dir {path}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--output-dir {path}: cannot create it ({exc.strerror})") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"--output-dir {path}: not writable")
    return out


def crawl_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings a ``crawl`` command line asks for, checked."""
    overrides: dict[str, Any] = dict(parse_setting(s) for s in args.settings)
    if args.base_url:
        overrides["KEI_BASE_URL"] = args.base_url
    if "KEI_BASE_URL" in overrides:
        check_base_url(overrides["KEI_BASE_URL"])
    if args.output_dir:
        overrides["KEI_OUTPUT_DIR"] = args.output_dir
    if args.mode:
        overrides["KEI_MODE"] = args.mode
    if "KEI_MODE" in overrides:
        check_mode(overrides["KEI_MODE"])
    return overrides


def check_mode(value: str) -> None:
    from kei_crawler.modes import resolve_mode

    try:
        resolve_mode(value, has_snapshot=True)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def cmd_crawl(args: argparse.Namespace, console: Console) -> int:
    overrides = crawl_overrides(args)
    from kei_crawler.lock import OutputLock
    from kei_crawler.runner import project_settings, run_crawl

    settings = project_settings(overrides)
    output_dir = check_output_dir(settings.get("KEI_OUTPUT_DIR"))
    # Held here rather than by the crawl, so that the job directory is only touched under the lock.
    lock = OutputLock(output_dir)
    if not lock.acquire():
        print(
            f"kei-crawler: another run is using {output_dir} ({lock.holder()}); nothing done", file=sys.stderr
        )
        return EXIT_LOCKED
    try:
        jobdir = prepare_jobdir(
            Path(settings.get("JOBDIR") or output_dir / JOB_DIR),
            resume=args.resume,
            base_url=settings["KEI_BASE_URL"],
        )
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
        settings.set("KEI_LOCK_HELD", True, priority="cmdline")
        result = run_crawl(settings)
        if result.finish_reason == "finished":
            shutil.rmtree(jobdir, ignore_errors=True)
        return finish(console, result)
    finally:
        lock.release()


def _looks_like_jobdir(path: Path) -> bool:
    """Only a directory a crawl made (Scrapy's queue files or ours) may be cleared."""
    from kei_crawler.resume import RESUME_FILE, SPOOL_DIR

    names = {"requests.seen", "requests.queue", "spider.state", RESUME_FILE, SPOOL_DIR}
    return path.is_dir() and (not any(path.iterdir()) or any((path / name).exists() for name in names))


def prepare_jobdir(jobdir: Path, *, resume: bool, base_url: str) -> Path:
    """Scrapy's JOBDIR for this crawl: kept from an interrupted run with --resume, else made afresh."""
    from kei_crawler.resume import ResumeState

    interrupted = ResumeState.load(jobdir) if jobdir.is_dir() else None
    if resume:
        if interrupted is None and jobdir.exists():
            raise UsageError(
                f"the crawl in {jobdir} did not stop cleanly (killed or crashed), so it cannot be resumed; "
                "run without --resume to start afresh"
            )
        if interrupted is None:
            raise UsageError(f"nothing to resume: no interrupted crawl in {jobdir}")
        if interrupted.base_url.rstrip("/") != base_url.rstrip("/"):
            # Its queued requests name the other site: resuming would re-crawl everything from here.
            raise UsageError(
                f"cannot resume: the interrupted crawl fetched from {interrupted.base_url}, not {base_url}"
            )
        return jobdir
    if jobdir.exists():
        if not _looks_like_jobdir(jobdir):
            raise UsageError(f"JOBDIR {jobdir} exists and is not a crawl's job directory; not touching it")
        if interrupted is not None:
            print(f"kei-crawler: starting afresh; --resume would have continued crawl {interrupted.crawl_id}",
                  file=sys.stderr)  # fmt: skip
        shutil.rmtree(jobdir)
    return jobdir


def finish(console: Console, result: Any) -> int:
    """Print the summary; the snapshot's path is the last line on stdout when one was published."""
    from kei_crawler.report import print_summary

    if result.stats.get("kei/locked"):
        print(
            f"kei-crawler: another run is using this output directory ({result.stats['kei/locked']}); nothing done",
            file=sys.stderr,
        )
        return EXIT_LOCKED
    print_summary(console, result)
    if result.finish_reason != "finished":
        print(f"kei-crawler: crawl aborted ({result.finish_reason}); no snapshot published", file=sys.stderr)
        return EXIT_ABORTED
    if not result.published:
        print(f"kei-crawler: no snapshot published: {result.skipped_because}", file=sys.stderr)
        return EXIT_NOT_PUBLISHED
    console.print(str(result.snapshot_path), highlight=False, soft_wrap=True)
    if result.alerts:
        print(
            f"kei-crawler: QUALITY ALERT, the site may have changed: {'; '.join(result.alerts)}",
            file=sys.stderr,
        )
        return EXIT_QUALITY_ALERT
    return EXIT_NOTHING_NEW if result.nothing_new else EXIT_OK


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.demo import DemoError, run_demo
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
    from kei_crawler.monitor.commands import run_diff
    from kei_crawler.snapshot.store import SnapshotError

    try:
        return run_diff(console, args.snapshots, args.output_dir or "output", args.format, args.output)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def cmd_feed(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.monitor.commands import run_feed
    from kei_crawler.snapshot.store import SnapshotError

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    try:
        return run_feed(console, args.output_dir or "output", args.output, args.limit)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def cmd_snapshots(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.monitor.commands import run_snapshots
    from kei_crawler.snapshot.store import SnapshotError

    try:
        return run_snapshots(console, args.output_dir or "output")
    except SnapshotError as exc:
        raise UsageError(str(exc)) from exc


def cmd_reextract(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.archive.reader import WarcReadError
    from kei_crawler.archive.reextract import OutputLocked, ReextractError, reextract
    from kei_crawler.runner import project_settings

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
