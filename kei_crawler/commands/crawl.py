"""``kei-crawler crawl``: checked settings, the run opened (lock, job directory), the crawl, the summary."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
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
from kei_crawler.commands.notify import after_crawl
from kei_crawler.commands.progress_bar import crawl_progress
from kei_crawler.commands.summary import lost_line, print_summary
from kei_crawler.commands.terminal import Terminal, add_terminal_options
from kei_crawler.config import ConfigError, Mode, check_web_url
from kei_crawler.monitor.notify import NotifyError, targets
from kei_crawler.run.context import CannotStart, OutputLocked, open_run
from kei_crawler.run.layout import JobLayout, OutputLayout
from kei_crawler.run.outcome import ExitCode, exit_code_help, with_notifications


def add_parser(sub: Any) -> None:
    crawl = sub.add_parser(
        "crawl",
        help="crawl The Peninsula and publish one snapshot",
        epilog=exit_code_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    crawl.add_argument("--base-url", help="where to send requests (default: KEI_BASE_URL, https://keia.org)")
    add_output_dir(crawl)
    modes = crawl.add_mutually_exclusive_group()
    modes.add_argument(
        "--full", action="store_const", const=Mode.FULL.value, dest="mode",
        help="fetch every brief, known or not",
    )  # fmt: skip
    modes.add_argument(
        "--revalidate", action="store_const", const=Mode.REVALIDATE.value, dest="mode",
        help="also re-request every archived brief conditionally (304 when unchanged)",
    )  # fmt: skip
    crawl.add_argument(
        "--resume",
        action="store_true",
        help="continue the crawl that was interrupted (Ctrl-C, SIGTERM) in this output directory",
    )
    crawl.add_argument(
        "--notify", action="append", default=[], metavar="URL",
        help="after a crawl that publishes, send what changed to this Apprise URL, as `notify` does "
        "(repeatable; and KEI_NOTIFY_URLS); a failed delivery exits 8",
    )  # fmt: skip
    add_settings(crawl)
    add_terminal_options(crawl)


def crawl_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings a ``crawl`` command line asks for (checked with the others by ``load_config``)."""
    overrides: dict[str, Any] = setting_overrides(args.settings)
    if args.base_url:
        try:
            overrides["KEI_BASE_URL"] = check_web_url("--base-url", args.base_url)
        except ConfigError as exc:
            raise UsageError(str(exc)) from exc
    if args.output_dir is not None:  # an empty one is refused, never read as the default
        overrides["KEI_OUTPUT_DIR"] = str(path_argument("--output-dir", args.output_dir))
    if args.mode:
        overrides["KEI_MODE"] = args.mode
    return overrides


def resume_command(args: argparse.Namespace, output_dir: Path, jobdir: str | None) -> str:
    """The command line that continues this interrupted crawl: the same site, output directory and JOBDIR."""
    words = ["kei-crawler", "crawl", "--resume"]
    if args.base_url:
        words += ["--base-url", args.base_url]
    words += ["--output-dir", str(output_dir)]
    if jobdir:
        words += ["-s", f"JOBDIR={jobdir}"]
    return shlex.join(words)


def how_to_go_on(job: JobLayout | None, command: str) -> str:
    """What the user can do after an interrupted run: resume it when it left what --resume needs."""
    if job is not None and job.resume_file.is_file():
        return f"`{command}` continues it (with the same -s settings)"
    return "nothing to resume: run it again"


def notify_targets(urls: list[str]) -> list[str]:
    """The ``--notify`` URLs, refused before the crawl when Apprise knows one not."""
    try:
        if urls:  # Apprise, imported to read them, takes most of a second
            targets(urls)
    except NotifyError as exc:
        raise UsageError(f"--notify: {exc}") from exc
    return urls


INTERRUPTED_EARLY = "interrupted before the crawl started; no snapshot published"


def run(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.jobs.crawl import run_crawl
    from kei_crawler.jobs.stopping import interrupt_on_sigterm

    interrupt_on_sigterm()  # while the run starts (settings, lock, archive), SIGTERM is a Ctrl-C
    started = time.monotonic()
    terminal = Terminal.of(args)
    given = crawl_overrides(args)
    settings = project_settings({**given, **terminal.log_settings(given)})
    config = load_config(settings)
    output_dir = check_output_dir(config.output_dir)
    notify_urls = notify_targets([*args.notify, *config.notify_urls])
    jobdir_setting = settings.get("JOBDIR")
    jobdir = (
        path_argument("JOBDIR", str(jobdir_setting))
        if jobdir_setting
        else OutputLayout.of(output_dir).default_jobdir
    )
    command = resume_command(args, output_dir, jobdir_setting)
    try:
        opened = open_run(config, jobdir=jobdir, resume=args.resume)
    except KeyboardInterrupt:  # open_run let go of the lock; an interrupted run it was to resume is kept
        print(
            f"kei-crawler: {INTERRUPTED_EARLY}; {how_to_go_on(JobLayout(jobdir), command)}", file=sys.stderr
        )
        return ExitCode.ABORTED
    except OutputLocked as exc:
        print(f"kei-crawler: {exc}; nothing done", file=sys.stderr)
        return ExitCode.LOCKED
    except CannotStart as exc:
        raise UsageError(str(exc)) from exc
    with opened as run_context:
        if run_context.replaced_interrupted:
            print(f"kei-crawler: starting afresh; --resume would have continued crawl "
                  f"{run_context.replaced_interrupted}", file=sys.stderr)  # fmt: skip
        try:
            with crawl_progress(terminal, f"crawl ({run_context.mode.value})") as watch:
                result = run_crawl(
                    settings, run_context, watch=watch, log_handlers=terminal.log_handlers(settings)
                )
        except KeyboardInterrupt:
            # Before the crawl ran: what an interrupted run left to resume is still good, and is kept.
            if run_context.resumed is not None and run_context.job is not None:
                run_context.resumed.save(run_context.job.resume_file)
            else:
                run_context.clear_job()
            print(f"kei-crawler: {INTERRUPTED_EARLY}; {how_to_go_on(run_context.job, command)}",
                  file=sys.stderr)  # fmt: skip
            return ExitCode.ABORTED
    if terminal.shows_summary:
        print_summary(console, result, elapsed=time.monotonic() - started)
    outcome = result.outcome
    if outcome.manifest_failed:
        print(f"kei-crawler: {outcome.manifest_failed}", file=sys.stderr)
    code = result.exit_code
    if code == ExitCode.ABORTED:
        how = (
            f"crawl aborted ({outcome.finish_reason})" if outcome.finish_reason else "the crawl did not start"
        )
        print(f"kei-crawler: {how}; no snapshot published; {how_to_go_on(run_context.job, command)}",
              file=sys.stderr)  # fmt: skip
    elif code == ExitCode.NOT_PUBLISHED:
        print(f"kei-crawler: no snapshot published: {outcome.not_published_because}", file=sys.stderr)
    else:
        if notify_urls:  # the crawl published: notifications, then the snapshot's path last
            told = console if terminal.shows_summary else Console(quiet=True)  # -q: failures alone, on stderr
            code = with_notifications(code, failed=not after_crawl(told, str(output_dir), notify_urls))
        # The snapshot's path is the last line on stdout when one was published.
        console.print(str(outcome.snapshot_path), highlight=False, soft_wrap=True)
        if code == ExitCode.QUALITY_ALERT:
            print(f"kei-crawler: QUALITY ALERT, the site may have changed: {'; '.join(outcome.alerts)}",
                  file=sys.stderr)  # fmt: skip
        lost = lost_line(result.counts)
        if lost:
            print(f"kei-crawler: {lost}", file=sys.stderr)
    return code
