"""``kei-crawler notify``: tell each Apprise target what changed since the last notification it got.

Exit codes, as ``crawl`` uses them: 0 a notification was sent, 6 nothing new for any target, 1 a delivery
failed (its cursor stays, so the next run sends it again), 2 bad input, 4 another notify kept its lock.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import (
    UsageError,
    add_output_dir,
    add_settings,
    load_config,
    project_settings,
    setting_overrides,
)
from kei_crawler.commands.notices import warn
from kei_crawler.commands.paths import input_dir
from kei_crawler.monitor import messages
from kei_crawler.monitor.notify import (
    FAILED,
    NOTHING_NEW,
    Delivery,
    NotifyError,
    NotifyLocked,
    notify,
    targets,
)
from kei_crawler.run.cursors import CursorError
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot.store import SnapshotError


def add_parser(sub: Any) -> None:
    command = sub.add_parser(
        "notify",
        help="send what changed since the last notification to Apprise URLs "
        "(exit 0 sent, 6 nothing new, 1 a delivery failed)",
    )
    command.add_argument(
        "--url", action="append", default=[], metavar="URL",
        help="an Apprise URL: mailto://, slack://, ntfy://, json://… (repeatable; and KEI_NOTIFY_URLS)",
    )  # fmt: skip
    add_output_dir(command, "KEI_OUTPUT_DIR, output")
    command.add_argument(
        "--limit", type=int, default=messages.DEFAULT_LIMIT,
        help=f"briefs listed per kind of change, then '… and N more' (default: {messages.DEFAULT_LIMIT})",
    )  # fmt: skip
    command.add_argument(
        "--dry-run", action="store_true", help="print each message instead of sending it; no cursor moves"
    )
    add_settings(command, "a KEI_* setting (e.g. KEI_NOTIFY_URLS)")


def run(args: argparse.Namespace, console: Console) -> int:
    if args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    config = load_config(project_settings(setting_overrides(args.settings)))
    urls = [*args.url, *config.notify_urls]
    if not urls:
        raise UsageError("no target: give --url URL (an Apprise URL) or set KEI_NOTIFY_URLS")
    output_dir = input_dir("--output-dir", config.output_dir if args.output_dir is None else args.output_dir)
    return send_all(console, str(output_dir), urls, limit=args.limit, dry_run=args.dry_run)


def send_all(console: Console, output_dir: str, urls: list[str], *, limit: int, dry_run: bool = False) -> int:
    """Notify every target; report each in one line (a failure on stderr) and return the exit code."""
    try:
        deliveries = notify(output_dir, targets(urls), limit=limit, dry_run=dry_run, warn=warn)
    except NotifyLocked as exc:
        print(f"kei-crawler: {exc}; nothing sent", file=sys.stderr)
        return ExitCode.LOCKED
    except (NotifyError, CursorError, SnapshotError) as exc:
        raise UsageError(str(exc)) from exc
    for delivery in deliveries:
        report(console, delivery, dry_run)
    return exit_code(deliveries)


def report(console: Console, delivery: Delivery, dry_run: bool) -> None:
    if delivery.status == FAILED:
        print(f"kei-crawler: {delivery.line}", file=sys.stderr)
        return
    console.print(delivery.line, highlight=False, soft_wrap=True, markup=False)
    if dry_run and delivery.message is not None:
        console.print(
            f"{delivery.message.title}\n\n{delivery.message.markdown}", markup=False, soft_wrap=True
        )


def exit_code(deliveries: list[Delivery]) -> int:
    if any(delivery.status == FAILED for delivery in deliveries):
        return ExitCode.NOT_PUBLISHED  # as a crawl's 1: what was to go out did not
    if all(delivery.status == NOTHING_NEW for delivery in deliveries):
        return ExitCode.NOTHING_NEW
    return ExitCode.OK  # sent (or, with --dry-run, shown) to at least one target


def after_crawl(console: Console, output_dir: str, urls: list[str]) -> bool:
    """A published crawl's notifications; False when one failed (said in one line on stderr). Never
    raises: what the crawl published stands whatever happens here."""
    try:
        code = send_all(console, output_dir, urls, limit=messages.DEFAULT_LIMIT)
    except UsageError as exc:
        print(f"kei-crawler: notify: {exc}", file=sys.stderr)
        return False
    return code in (ExitCode.OK, ExitCode.NOTHING_NEW)
