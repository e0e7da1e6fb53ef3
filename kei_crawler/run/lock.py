"""One run at a time per output directory: an advisory ``flock`` on ``<output>/.lock``.

A scheduled crawl that overruns its interval must not race the next one to publish. The kernel drops
an flock when its process dies, however it dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


class OutputLock:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None
        self._since = ""

    def acquire(self, crawl_id: str = "") -> bool:
        """Take the lock without waiting; False when another process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Never through a symbolic link (a planted one would have a file outside truncated and
        # rewritten), nor a hard link (the same, by another name), nor anything but a plain file.
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        fd = os.open(self.path, flags, 0o644)
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_nlink != 1:
            os.close(fd)
            raise OSError(errno.EINVAL, "not a plain file of its own, so not a lock file", str(self.path))
        handle = os.fdopen(fd, "r+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        self._since = datetime.now(UTC).isoformat(timespec="seconds")
        self.note(crawl_id)
        return True

    def note(self, crawl_id: str) -> None:
        """Say in the lock file who holds it, for another run's message: the crawl id is chosen under the
        lock, so it is written once known."""
        assert self._file is not None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(json.dumps({"pid": os.getpid(), "crawl_id": crawl_id, "since": self._since}))
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def holder(self) -> str:
        """Who holds the lock, as the holder wrote it ("pid 123, crawl …, since …"), for the message."""
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return "another process"
        return (
            f"pid {info.get('pid', '?')}, crawl {info.get('crawl_id') or '?'}, since {info.get('since', '?')}"
        )
