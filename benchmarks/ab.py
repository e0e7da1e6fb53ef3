"""This checkout's crawl against another checkout's, side by side: ``python -m benchmarks.ab OTHER [ROUNDS]``.

For a change that should not cost speed (a refactoring): both crawl the same 6,384-brief replica, served
pre-rendered from its own process (``benchmarks/replica_proc.py``), as ``make bench``'s crawl section
runs ours, each run a fresh process into a fresh output directory, the two sides alternating (A B, B A,
…) so that the machine's drift lands on both. OTHER is a folder holding another version of the project
(``git worktree add /tmp/before <commit>``); its crawl runs with that folder first on ``PYTHONPATH``, in
this checkout's virtualenv. Prints each run's wall and CPU time (the process and its extraction worker)
and the ratios this / other, pair by pair, with their median.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.replica_proc import ReplicaProcess
from benchmarks.session import BRIEFS, OUR_FLAGS
from kei_crawler.commands.demo import LOCAL_SPEED

HERE = Path(__file__).resolve().parent.parent


def crawl(tree: Path, base_url: str, output: Path) -> tuple[float, float]:
    """One crawl by the checkout in ``tree``: its wall and CPU seconds."""
    shutil.rmtree(output, ignore_errors=True)
    settings = {**LOCAL_SPEED, "LOG_LEVEL": "WARNING"}  # the same log on both sides, whatever their defaults
    speed = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    argv = [sys.executable, "-m", "kei_crawler", "crawl", "--base-url", base_url, "--output-dir", str(output),
            *speed, *OUR_FLAGS]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    assert process.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the crawl of {tree} failed: {process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0], "kei_crawler").is_dir():
        print("usage: python -m benchmarks.ab OTHER_CHECKOUT [ROUNDS]", file=sys.stderr)
        return 2
    trees = {"this": HERE, "other": Path(argv[0]).resolve()}
    rounds = int(argv[1]) if len(argv) > 1 else 5
    runs: dict[str, list[tuple[float, float]]] = {"this": [], "other": []}
    with tempfile.TemporaryDirectory() as scratch, ReplicaProcess(BRIEFS) as replica:
        crawl(HERE, replica.base_url, Path(scratch, "warm-up"))
        for number in range(rounds):
            order = ("this", "other") if number % 2 == 0 else ("other", "this")
            for side in order:
                runs[side].append(crawl(trees[side], replica.base_url, Path(scratch, f"{side}-{number}")))
                print(f"{side} {number + 1}: wall {runs[side][-1][0]:.1f} s, CPU {runs[side][-1][1]:.1f} s")
    for index, what in ((0, "wall"), (1, "CPU")):
        ratios = [a[index] / b[index] for a, b in zip(runs["this"], runs["other"], strict=True)]
        print(f"this / other, {what}: median {statistics.median(ratios):.3f} (pairs "
              + ", ".join(f"{r:.3f}" for r in ratios) + ")")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
