"""One child process, measured: wall time, CPU time, peak RSS, and the peak of its whole process tree.

``os.wait4`` gives the child's CPU time including the descendants it waited for (a crawl's extraction
worker) and the largest peak RSS among them — not their sum, so the tree's resident memory (the crawl
and its worker side by side) is also sampled from /proc every 0.1 s.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    returncode: int
    wall: float
    """Seconds from start to exit, interpreter start-up included."""
    cpu: float
    """User + system seconds of the child and the descendants it waited for."""
    peak_mb: float
    """Peak resident set size of the largest single process, MiB (the kernel's own figure)."""
    tree_peak_mb: float
    """Peak of the summed RSS of the child and its descendants, MiB (sampled)."""
    stderr: str
    rss_samples: tuple[tuple[float, float], ...] = ()
    """(seconds since start, RSS of the child itself in MiB), every 0.1 s: how its memory grew."""


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (OSError, ValueError):
            kids = []
        found += kids
        todo += kids
    return found


def tree_rss_kb(pid: int) -> int:
    return sum(_rss_kb(p) for p in (pid, *_descendants(pid)))


def run(argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Measured:
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd, env=env)
        peak = [0]
        samples: list[tuple[float, float]] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], tree_rss_kb(child.pid))
                samples.append((time.perf_counter() - started, _rss_kb(child.pid) / 1024))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    return Measured(
        returncode=child.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        tree_peak_mb=max(peak[0], usage.ru_maxrss) / 1024,
        stderr=stderr,
        rss_samples=tuple(samples),
    )
