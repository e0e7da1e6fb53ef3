"""Ctrl-C and SIGTERM stop a crawl promptly, at any moment, and always leave --resume able to continue it.
Real signals to crawls of the replica in a child process."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.content import Site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage import failpoints
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_command, run_crawl
from tests.support.interrupting import STARTUP_POINTS, brief_requests

POLITE = ("-s", "DOWNLOAD_DELAY=1", "-s", "AUTOTHROTTLE_ENABLED=True", "-s", "CONCURRENT_REQUESTS=8",
          "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")  # fmt: skip


def start(server: ReplicaServer, out: Path, *flags: str) -> subprocess.Popen[str]:
    cmd = crawl_command(server.base_url, out, "--full", *flags)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while brief_requests(server) < 3:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the crawl never reached the briefs"
        time.sleep(0.05)
    return proc


def resume_completes(site: Site, port: int, out: Path) -> None:
    assert (out / ".job" / "kei-resume.json").is_file()
    with ReplicaServer(site, port=port) as fast:
        done = run_crawl(fast.base_url, out, "--resume")
    assert done.returncode == ExitCode.OK, done.stderr[-2000:]
    ref = store.latest(out)
    assert ref is not None
    urls = pq.read_table(ref.path, columns=["url"]).column("url").to_pylist()
    assert sorted(urls) == sorted(r["url"] for r in site.expected_records())  # every brief, once


def test_the_first_ctrl_c_stops_a_polite_crawl_promptly_and_says_how_to_resume(tmp_path: Path) -> None:
    out, site = tmp_path / "out", build_site(40)
    server = ReplicaServer(site)
    server.start()
    try:
        proc = start(server, out, *POLITE)
        asked = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
        took = time.monotonic() - asked
    finally:
        server.stop()
    assert proc.returncode == ExitCode.ABORTED, stderr[-2000:]
    assert took < 5, f"took {took:.1f}s to stop"  # on main: 8-12 s, one download delay per queued request
    last = stderr.strip().splitlines()[-1]
    assert "kei-crawler crawl --resume" in last and f"--output-dir {out}" in last, last
    assert "Traceback" not in stderr
    resume_completes(site, server.port, out)  # the requests put back are not lost


def test_a_second_ctrl_c_keeps_the_crawl_resumable(tmp_path: Path) -> None:
    out, site = tmp_path / "out", build_site(40)
    server = ReplicaServer(site, delay=1.0)  # requests stay in flight a second: the stop waits for them
    server.start()
    try:
        proc = start(server, out, "-s", "CONCURRENT_REQUESTS=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        server.stop()
    assert proc.returncode == ExitCode.ABORTED, stderr[-2000:]
    assert "already stopping" in stderr and "unclean" not in stderr  # on main: "forcing unclean shutdown"
    resume_completes(site, server.port, out)


@pytest.mark.parametrize("point", STARTUP_POINTS)
def test_sigterm_while_the_crawl_starts_exits_aborted(tmp_path: Path, point: str) -> None:
    out, site = tmp_path / "out", build_site(12)
    with ReplicaServer(site) as server:
        env = {**os.environ, failpoints.ENV: f"{point}:sigterm"}
        cmd = crawl_command(server.base_url, out)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == ExitCode.ABORTED, done.stderr[-2000:]  # on main: -15 (143 from a shell)
        assert "Traceback" not in done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert (
            last.startswith("kei-crawler: interrupted before the crawl started")
            and "nothing to resume" in last
        )
        assert store.list_snapshots(out) == []
        again = run_crawl(server.base_url, out)  # the lock was let go
    assert again.returncode == ExitCode.OK, again.stderr[-2000:]


@pytest.mark.parametrize("point", STARTUP_POINTS)
def test_sigterm_while_a_resume_starts_keeps_it_resumable(tmp_path: Path, point: str) -> None:
    out, site = tmp_path / "out", build_site(40)
    server = ReplicaServer(site, delay=0.2)
    server.start()
    try:
        proc = start(server, out, "-s", "CONCURRENT_REQUESTS=2")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)
        assert proc.returncode == ExitCode.ABORTED
        env = {**os.environ, failpoints.ENV: f"{point}:sigterm"}
        cmd = crawl_command(server.base_url, out, "--resume")
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    finally:
        server.stop()
    assert done.returncode == ExitCode.ABORTED, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "`kei-crawler crawl --resume" in done.stderr.strip().splitlines()[-1]
    resume_completes(site, server.port, out)
