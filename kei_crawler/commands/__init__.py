"""The ``kei-crawler`` command: one module per subcommand, each ``add_parser`` and ``run`` over testable
functions.

``parse_args(argv)`` and ``main(argv)`` are separate so tests drive the CLI without a subprocess. Every
user error is one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from types import ModuleType
from typing import NoReturn

from rich.console import Console

from kei_crawler import __version__
from kei_crawler.commands import (
    crawl,
    demo,
    diff,
    evaluate,
    feed,
    notify,
    prune,
    reextract,
    report,
    snapshots,
    wacz,
)
from kei_crawler.commands.arguments import UsageError
from kei_crawler.commands.streams import closed_reader_is_no_failure
from kei_crawler.run.outcome import ExitCode

COMMANDS: dict[str, ModuleType] = {
    "crawl": crawl,
    "demo": demo,
    "evaluate": evaluate,
    "diff": diff,
    "feed": feed,
    "notify": notify,
    "snapshots": snapshots,
    "reextract": reextract,
    "wacz": wacz,
    "prune": prune,
    "report": report,
}

__all__ = ["COMMANDS", "UsageError", "main", "parse_args"]


class OneLineParser(argparse.ArgumentParser):
    """argparse's refusals as the commands' own: one line beginning ``kei-crawler:``, exit 2. The usage
    argparse would print first is what ``--help`` shows; a scheduler's log needs the reason alone."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("kei-crawler").strip()
        where = f"{command}: " if command else ""
        self.exit(ExitCode.USAGE, f"kei-crawler: {where}{message} (see `{self.prog} --help`)\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = OneLineParser(
        prog="kei-crawler",
        description="Archival crawler for keia.org's The Peninsula: one crawl, one Parquet snapshot.",
    )
    parser.add_argument("--version", action="version", version=f"kei-crawler {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser.parse_args(argv)


@closed_reader_is_no_failure
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(highlight=False)
    run: Callable[[argparse.Namespace, Console], int] = COMMANDS[args.command].run
    try:
        return int(run(args, console))
    except UsageError as exc:
        print(f"kei-crawler: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("kei-crawler: interrupted; no snapshot published", file=sys.stderr)
        return ExitCode.ABORTED


if __name__ == "__main__":
    raise SystemExit(main())
