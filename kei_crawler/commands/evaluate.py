"""``kei-crawler evaluate``: the extractor scored per field on the gold set, beside trafilatura."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from kei_crawler.commands.arguments import UsageError, path_argument
from kei_crawler.commands.paths import status


def add_parser(sub: Any) -> None:
    evaluate = sub.add_parser(
        "evaluate", help="score the extractor per field on a gold set, beside trafilatura"
    )
    evaluate.add_argument(
        "fixtures", nargs="?", default="tests/fixtures",
        help="folder of <name>/page.html + expected.json (default: tests/fixtures)",
    )  # fmt: skip
    evaluate.add_argument(
        "--baseline", action=argparse.BooleanOptionalAction, default=True,
        help="also score trafilatura/htmldate when installed (default: on)",
    )  # fmt: skip
    evaluate.add_argument("--format", default="text", choices=["text", "json"])
    evaluate.add_argument(
        "--repeat", type=int, default=3, help="timed passes; pages/s is their median (default: 3)"
    )


def run(args: argparse.Namespace, console: Console) -> int:
    from kei_crawler.evaluation import GoldSetError, run_evaluate

    if args.repeat < 1:
        raise UsageError("--repeat must be at least 1")
    fixtures = path_argument("FIXTURES", args.fixtures)
    status("FIXTURES", fixtures)  # a missing folder is the gold set's own message
    try:
        return run_evaluate(console, fixtures, baseline=args.baseline, fmt=args.format, repeat=args.repeat)
    except GoldSetError as exc:
        raise UsageError(str(exc)) from exc
