"""Named failure points for crash testing, as etcd's gofail and FoundationDB's buggify do it.

The code that writes what readers depend on calls ``failpoints.hit("snapshot.before_rename")`` at each
moment worth crashing in. Normally that is a no-op costing one comparison: the environment is read once,
at the first hit. A test arms one point for a child crawl process with the environment variable::

    KEI_FAILPOINT=<name>[:<action>][@<n>]

``action`` is ``kill`` (the default: the process sends itself SIGKILL, as ``kill -9`` or a power cut
would stop it, with no cleanup of any kind) or ``enospc`` (an ``OSError(ENOSPC)`` is raised, as a full
disk would; it is raised again at every later hit, since a full disk stays full) or ``sigterm`` (the
process sends itself SIGTERM, as a scheduler stopping it at that moment would). ``@n`` fires at the
n-th hit of the point in this process (default: the first). ``tests/e2e/test_crash_safety.py`` kills a
crawl at every point in :data:`POINTS` and checks what readers find afterwards; docs/reliability.md
says what each point guards.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
from dataclasses import dataclass

ENV = "KEI_FAILPOINT"
ACTIONS = ("kill", "enospc", "sigterm")

# Every point the code hits, and the moment it marks.
POINTS: dict[str, str] = {
    "run.locked": "a run holds the output directory's lock, its job directory not prepared yet",
    "run.archive_loaded": "a run has loaded the archive's state, its crawl id not chosen yet",
    "crawl.starting": "the run is open, Scrapy about to build the crawl (a signal here is held until it has)",
    "spool.part": "a Parquet part of the crawl's fresh rows is written, not yet renamed (resume spool)",
    "resume.save": "an interrupted crawl's resume state is written, not yet renamed into place",
    "warc.record": "a WARC record is about to be written",
    "warc.before_publish": "the WARC is closed and indexed, nothing moved into warc/ yet",
    "warc.before_index_rename": "the WARC parts are in warc/, their CDXJ index not yet",
    "warc.after_publish": "the WARC and its index are in warc/",
    "snapshot.row_group": "a row group of this crawl's rows is about to be written to the snapshot",
    "snapshot.carry": "a batch of rows carried from the previous snapshot is about to be written",
    "snapshot.before_rename": "the snapshot file is complete and synced, not yet renamed into snapshots/",
    "snapshot.after_rename": "the snapshot is published",
    "manifest.write": "the run manifest is written, not yet renamed into runs/",
}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failpoint:
    name: str
    action: str = "kill"
    nth: int = 1


def parse(spec: str) -> Failpoint:
    """``name[:action][@n]`` → Failpoint; ValueError with a one-line reason when it is malformed."""
    rest, _, count = spec.strip().partition("@")
    name, _, action = rest.partition(":")
    action = action or "kill"
    if action not in ACTIONS:
        raise ValueError(f"{ENV}={spec!r}: the action must be one of {', '.join(ACTIONS)}")
    try:
        nth = int(count) if count else 1
    except ValueError:
        raise ValueError(f"{ENV}={spec!r}: @n must be a number") from None
    if nth < 1:
        raise ValueError(f"{ENV}={spec!r}: @n counts from 1")
    return Failpoint(name, action, nth)


_UNREAD = Failpoint("")  # the environment has not been read yet
_armed: Failpoint | None = _UNREAD
_hits = 0


def armed() -> Failpoint | None:
    """The point armed for this process, read from the environment at the first call."""
    global _armed
    if _armed is _UNREAD:
        spec = os.environ.get(ENV, "")
        _armed = parse(spec) if spec else None
        if _armed is not None and _armed.name not in POINTS:
            logger.warning("%s names no known failure point: %r", ENV, _armed.name)
    return _armed


def hit(name: str, path: str | os.PathLike[str] | None = None) -> None:
    """Fail here if ``name`` is the armed point and this is its n-th hit; ``path`` is what was being
    written, for the ENOSPC error's message."""
    point = _armed if _armed is not _UNREAD else armed()
    if point is None or point.name != name:
        return
    global _hits
    _hits += 1
    if _hits < point.nth:
        return
    if point.action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
        signal.pause()  # not reached: SIGKILL is delivered before kill() returns to its sender
    if point.action == "sigterm":
        os.kill(os.getpid(), signal.SIGTERM)  # its handler runs before kill() returns to the caller
        return
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(path) if path is not None else None)


def reset() -> None:
    """Read the environment again at the next hit (for tests that arm points in this process)."""
    global _armed, _hits
    _armed, _hits = _UNREAD, 0
