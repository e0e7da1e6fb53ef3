"""What several benchmarks of one ``make bench`` share, made once: the 6,384-brief replica's process, a
first crawl of it (its snapshot and WARC), and a scratch directory — so that no section pays for a
full crawl another one already made. A section run alone (``--only``) makes what it needs itself.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.child import Measured, run
from benchmarks.replica_proc import ReplicaProcess
from kei_crawler.run.outcome import PUBLISHED as PUBLISHED_CODES
from tests.support.crawling import crawl_argv

# The Peninsula's size when the replica was modelled on it (docs/site.md). KEI_BENCH_SCALE=0.1 tries the
# harness quickly at a tenth of every size; BENCHMARKS.md's figures are at full scale.
SCALE = float(os.environ.get("KEI_BENCH_SCALE", "1"))
BRIEFS = round(6384 * SCALE)
# Politeness off (demo.LOCAL_SPEED) and brief pages read in one worker process: how one crawls a mirror.
OUR_FLAGS = ("-s", "KEI_EXTRACT_WORKERS=1")


class Session:
    def __init__(self) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._replica: ReplicaProcess | None = None
        self.full_crawl: Path | None = None
        """An output directory holding one finished first crawl of :meth:`replica`, unchanged since."""
        self.results: dict[str, Any] = {}
        """Figures one section measured that another reports (the crawl's peak memory, …)."""

    @property
    def scratch(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kei-bench-")
        return Path(self._tmp.name)

    def new_dir(self, name: str) -> Path:
        path = self.scratch / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def replica(self) -> ReplicaProcess:
        """The 6,384-brief replica (theme ``modern``), pre-rendered, in its own process."""
        if self._replica is None:
            self._replica = ReplicaProcess(BRIEFS).__enter__()
        return self._replica

    def crawl(self, output: Path, *flags: str) -> Measured:
        """One ``kei-crawler crawl`` of the replica into ``output``, as the benchmarks run it."""
        done = run(crawl_argv(self.replica().base_url, output, *OUR_FLAGS, *flags))
        if done.returncode not in PUBLISHED_CODES:
            raise RuntimeError(f"crawl exited {done.returncode}: {done.stderr[-2000:]}")
        return done

    def first_crawl(self) -> Path:
        if self.full_crawl is None:
            output = self.new_dir("first-crawl")
            self.crawl(output)
            self.full_crawl = output
        return self.full_crawl

    def take_replica(self) -> ReplicaProcess:
        """The replica, now the caller's to change and close: later sections get a fresh one, and the
        first crawl (about to be extended by the caller) is no longer this replica's."""
        replica = self.replica()
        self._replica = None
        self.full_crawl = None
        return replica

    def close_replica(self) -> None:
        replica, self._replica = self._replica, None
        if replica is not None:
            replica.close()

    def close(self) -> None:
        self.close_replica()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


SESSION = Session()
