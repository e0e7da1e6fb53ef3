"""What every command shares: its exit codes, the one-line usage error, and checks of common arguments."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Documented in the README; a scheduler can tell each outcome apart (systemd: SuccessExitStatus=5 6).
EXIT_OK = 0  # a snapshot was published with new, changed or removed briefs (or it is the first)
EXIT_NOT_PUBLISHED = 1  # the crawl ran to its end but published nothing (listing unreadable, write error)
EXIT_USAGE = 2  # bad arguments or input; nothing was crawled
EXIT_ABORTED = 3  # interrupted (Ctrl-C, SIGTERM, shutdown): nothing published, previous snapshots intact
EXIT_LOCKED = 4  # another run holds the output directory; this one did nothing
EXIT_QUALITY_ALERT = 5  # published, but a field's extraction looks broken: the site may have changed
EXIT_NOTHING_NEW = 6  # published, and no brief was new, changed or removed

# The close reason of a crawl that stopped itself because its output could not be written (a full disk):
# fetching on would only download pages it cannot keep. It exits EXIT_NOT_PUBLISHED, not EXIT_ABORTED.
WRITE_FAILED = "write_failed"


class UsageError(Exception):
    """Bad input from the user; the message is printed as one line."""


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"-s expects NAME=VALUE, got {text!r}")
    return name.strip(), value


def check_crawl_id(value: str) -> str:
    """A KEI_CRAWL_ID names folders and files under the output directory: a plain name, never a path."""
    from kei_crawler.storage.snapshot.store import is_safe_crawl_id

    if value and not is_safe_crawl_id(value):
        raise UsageError(
            f"KEI_CRAWL_ID must be a plain name of letters, digits, '.', '_' and '-' (no '/' or '..'), got {value!r}"
        )
    return value


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


def os_error_line(exc: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """``[Errno 28] No space left on device: '<path>'``: the path named even when the error does not
    (pyarrow's and a buffered file's errors often leave it out)."""
    if exc.filename is not None:
        return str(exc)
    if exc.errno:  # pyarrow's "[Errno 28] Error writing bytes to file. Detail: [errno 28] No space …"
        text = f"[Errno {exc.errno}] {os.strerror(exc.errno)}"
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{text}: {os.fspath(path)!r}" if path is not None else text


def stop_crawl(crawler: Any, reason: str = WRITE_FAILED) -> None:
    """Close ``crawler``'s spider with ``reason`` from wherever the failure was met (an extension, a
    middleware); closing twice is harmless, the engine keeps the first reason."""
    from scrapy.utils.defer import deferred_from_coro

    if crawler.engine is not None and crawler.engine.spider is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=reason))
