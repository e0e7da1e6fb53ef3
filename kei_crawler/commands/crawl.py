"""``kei-crawler crawl``: checked settings, the output directory's lock and job directory, the summary.

Kept apart from cli.py (the parser and the dispatch) because it holds the crawl's run-time rules: the
lock is taken here, before Scrapy's JOBDIR is touched, and the exit code is read off the crawl's result.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console

from kei_crawler.run.outcome import (
    EXIT_ABORTED,
    EXIT_LOCKED,
    EXIT_NOT_PUBLISHED,
    EXIT_NOTHING_NEW,
    EXIT_OK,
    EXIT_QUALITY_ALERT,
    WRITE_FAILED,
    UsageError,
    check_crawl_id,
    check_output_dir,
    parse_setting,
)

JOB_DIR = ".job"  # under the output directory: Scrapy's JOBDIR, so an interrupted crawl can be resumed


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url must be an http(s) URL with a host, got {url!r}")
    return url


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
    check_crawl_id(overrides.get("KEI_CRAWL_ID", ""))
    return overrides


def check_mode(value: str) -> None:
    from kei_crawler.run.modes import resolve_mode

    try:
        resolve_mode(value, has_snapshot=True)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def run(args: argparse.Namespace, console: Console) -> int:
    overrides = crawl_overrides(args)
    from kei_crawler.jobs.crawl import project_settings, run_crawl
    from kei_crawler.run.lock import OutputLock

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
        if result.finish_reason in ("finished", WRITE_FAILED):
            # Nothing left to resume; after a write failure this also gives the full disk its space back.
            shutil.rmtree(jobdir, ignore_errors=True)
        return finish(console, result)
    finally:
        lock.release()


def _looks_like_jobdir(path: Path) -> bool:
    """Only a directory a crawl made (Scrapy's queue files or ours) may be cleared."""
    from kei_crawler.extensions.warc import SPOOL_DIR as WARC_SPOOL
    from kei_crawler.run.resume import RESUME_FILE, SPOOL_DIR

    # Any one of them will do: a run killed while it cleared the directory may have left just one.
    names = {"requests.seen", "requests.queue", "spider.state", RESUME_FILE, SPOOL_DIR, WARC_SPOOL}
    return path.is_dir() and (not any(path.iterdir()) or any((path / name).exists() for name in names))


def prepare_jobdir(jobdir: Path, *, resume: bool, base_url: str) -> Path:
    """Scrapy's JOBDIR for this crawl: kept from an interrupted run with --resume, else made afresh."""
    from kei_crawler.run.resume import ResumeState

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
    from kei_crawler.commands.summary import print_summary

    if result.stats.get("kei/locked"):
        print(
            f"kei-crawler: another run is using this output directory ({result.stats['kei/locked']}); nothing done",
            file=sys.stderr,
        )
        return EXIT_LOCKED
    print_summary(console, result)
    if result.stats.get("kei/manifest_skipped"):
        print(f"kei-crawler: {result.stats['kei/manifest_skipped']}", file=sys.stderr)
    if result.finish_reason not in ("finished", WRITE_FAILED):
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
