"""One run at a time per output directory: an advisory ``flock`` on ``<output>/.lock``.

A scheduled crawl that overruns its interval must not race the next one to publish. The kernel drops
an flock when its process dies, however it dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

LOCK_FILE = ".lock"


class OutputLock:
    def __init__(self, output_dir: str | os.PathLike[str]) -> None:
        self.path = Path(output_dir) / LOCK_FILE
        self._file: IO[str] | None = None

    def acquire(self, crawl_id: str = "") -> bool:
        """Take the lock without waiting; False when another process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(json.dumps({"pid": os.getpid(), "crawl_id": crawl_id, "since": started}))
        handle.flush()
        self._file = handle
        return True

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
