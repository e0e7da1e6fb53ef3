"""How much a long command prints while it works: ``-v``, ``-q``, ``--logfile`` and the log they call for.

By default Scrapy's own log (its settings, its components, its stats dumps) is not shown: a warning or an
error reaches stderr as one line, ``kei-crawler: warning: …``. ``-v`` shows Scrapy's log as ``scrapy
crawl`` does; ``-q`` keeps errors only; ``--logfile FILE`` appends the full log, Scrapy's at INFO, to
FILE. A ``LOG_*`` setting given with ``-s`` keeps governing Scrapy's log as it always has. The progress
bar a terminal shows is ``commands.progress_bar``'s.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from kei_crawler.commands.arguments import UsageError, path_argument

SCRAPY_LOG = ("LOG_LEVEL", "LOG_FILE", "LOG_ENABLED", "LOG_STDOUT")
"""Settings that, given with ``-s``, say how the user wants Scrapy's log: as given, untouched."""


def add_terminal_options(parser: argparse.ArgumentParser) -> None:
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-v", "--verbose", action="store_true",
        help="also print Scrapy's own log on stderr (settings, components, stats), as `scrapy crawl` does",
    )  # fmt: skip
    loudness.add_argument(
        "-q", "--quiet", action="store_true",
        help="print nothing but errors and, last, the snapshot's path",
    )  # fmt: skip
    parser.add_argument(
        "--logfile",
        metavar="FILE",
        help="append the full log (Scrapy's, at INFO unless -s LOG_LEVEL) to FILE",
    )


@dataclass(frozen=True)
class Terminal:
    """What one run of a command prints, from its options and where its output goes."""

    verbose: bool = False
    quiet: bool = False
    logfile: Path | None = None
    interactive: bool = False
    """Standard output is a terminal: a person is watching (not cron, not systemd, not a pipe)."""

    @classmethod
    def of(cls, args: argparse.Namespace) -> Terminal:
        logfile = None if args.logfile is None else checked_logfile(args.logfile)
        return cls(args.verbose, args.quiet, logfile, interactive=sys.stdout.isatty())

    @property
    def shows_progress(self) -> bool:
        return self.interactive and not self.quiet

    @property
    def shows_summary(self) -> bool:
        return not self.quiet

    def log_settings(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Scrapy's ``LOG_*`` settings for this run, over the ``-s`` settings ``given``."""
        if self.logfile is not None:
            if "LOG_FILE" in given:
                raise UsageError("--logfile and -s LOG_FILE both name the log file; give one")
            return {"LOG_FILE": str(self.logfile), **({} if "LOG_LEVEL" in given else {"LOG_LEVEL": "INFO"})}
        if self.verbose or any(name in given for name in SCRAPY_LOG):
            return {}
        return {"LOG_ENABLED": False}

    def log_handlers(self, settings: Settings) -> list[logging.Handler]:
        """The handlers stderr needs beside the one Scrapy's settings make (``log_settings`` applied)."""
        if settings.getbool("LOG_ENABLED") and not settings.get("LOG_FILE"):
            return []  # Scrapy's log is on stderr already, warnings and errors with it
        if self.verbose:  # and --logfile: Scrapy's log in the file and on stderr
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(
                logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
            )
            handler.setLevel(settings.get("LOG_LEVEL"))
            return [handler]
        return [OneLineHandler(logging.ERROR if self.quiet else logging.WARNING)]


def checked_logfile(text: str) -> Path:
    """``--logfile``'s path, opened for appending once so that a path that cannot be written is a
    one-line error now rather than a traceback when Scrapy opens it."""
    path = path_argument("--logfile", text)
    if path.is_dir():
        raise UsageError(f"--logfile {text}: is a directory")
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"--logfile {text}: cannot write it ({exc.strerror})") from exc
    return path


class OneLineHandler(logging.Handler):
    """Each record as one line on stderr, ``kei-crawler: warning: …``, with its exception's type and
    message (the traceback is the ``--logfile``'s or ``-v``'s business). ``sys.stderr`` is looked up at
    each record, so the lines go above a progress bar that redirects it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text = f"{text}: {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
            line = " ".join(part.strip() for part in text.splitlines() if part.strip())
            print(f"kei-crawler: {record.levelname.lower()}: {line}", file=sys.stderr)
        except Exception:  # logging's contract: a handler that fails reports it and carries on
            self.handleError(record)
