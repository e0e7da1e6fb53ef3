"""A crawl caught mid-way: a slow replica, a crawl in a child process, and a count of the briefs it asked for."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from kei_crawler.replica import ReplicaServer
from kei_crawler.run.outcome import ExitCode
from tests.support.crawling import crawl_command


def brief_requests(server: ReplicaServer) -> int:
    return sum(1 for r in server.requests if r.path.startswith("/the-peninsula/") and r.path.count("/") == 3
               and "?" not in r.path)  # fmt: skip


def start_slow_crawl(out: Path, site: object) -> tuple[ReplicaServer, subprocess.Popen[str]]:
    server = ReplicaServer(site, delay=0.2)  # type: ignore[arg-type]
    base_url = server.start()
    cmd = crawl_command(
        base_url, out, "--full", "-s", "CONCURRENT_REQUESTS=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"
    )
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while brief_requests(server) < 8:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the crawl never reached the briefs"
        time.sleep(0.05)
    return server, proc


def interrupted_slow_crawl(
    out: Path, site: object, how: signal.Signals = signal.SIGINT
) -> tuple[ReplicaServer, str]:
    """A slow crawl stopped with Ctrl-C (or ``how``, e.g. a scheduler's SIGTERM) once it is among the
    briefs: the (stopped) server, which kept its request log and port for a ``--resume`` against the same
    site, and the crawl's stderr."""
    server, proc = start_slow_crawl(out, site)
    try:
        proc.send_signal(how)
        _, stderr = proc.communicate(timeout=60)
    finally:
        server.stop()
    assert proc.returncode == ExitCode.ABORTED, stderr[-2000:]
    return server, stderr


STARTUP_POINTS = ("run.locked", "run.archive_loaded", "crawl.starting")
"""The failure points a crawl passes while it starts, where a test sends it SIGTERM (``:sigterm``)."""
