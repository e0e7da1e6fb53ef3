"""``kei-crawler report``: the archive and its crawls as a static web site to open in a browser."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console

from kei_crawler.commands.arguments import UsageError, add_output_dir, output_dir_of
from kei_crawler.commands.notices import warn, warn_ignored_entries
from kei_crawler.commands.paths import input_dir, output_folder
from kei_crawler.report.folder import SiteDirError
from kei_crawler.report.site import build
from kei_crawler.storage.atomic import os_error_line
from kei_crawler.storage.snapshot.store import SnapshotError


def add_parser(sub: Any) -> None:
    report = sub.add_parser(
        "report",
        help="write the archive and its crawls as a static web site (overview, health, briefs, runs)",
    )
    report.add_argument(
        "--output", required=True, metavar="SITE_DIR",
        help="the folder to write the site into: new, empty, or an earlier report (replaced whole)",
    )  # fmt: skip
    add_output_dir(report, "KEI_OUTPUT_DIR, output")
    report.add_argument(
        "--replay-url", metavar="URL",
        help="a wayback replay of the WARCs (pywb: http://localhost:8080/kei/): each capture gets a replay link",
    )  # fmt: skip


def run(args: argparse.Namespace, console: Console) -> int:
    if args.replay_url is not None:
        check_replay_url(args.replay_url)
    output_dir = input_dir("--output-dir", output_dir_of(args))
    site_dir = output_folder("--output", args.output)
    warn_ignored_entries(output_dir)
    try:
        with console.status("Writing the report…") if console.is_terminal else contextlib.nullcontext():
            report = build(output_dir, site_dir, replay_url=args.replay_url, warn=warn)
    except (SnapshotError, SiteDirError) as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:  # reading the archive (writing the report is a SiteDirError)
        raise UsageError(os_error_line(exc)) from exc
    console.print(report.written, highlight=False)
    console.print(str(report.index), highlight=False, soft_wrap=True)
    return 0


def check_replay_url(url: str) -> None:
    """A replay's base: http(s), a host, a path (the collection) and nothing after, since the capture's time
    and URL are appended to it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        raise UsageError(
            f"--replay-url must be an http(s) URL with no query or fragment, like http://localhost:8080/kei/; got {url!r}"
        )
