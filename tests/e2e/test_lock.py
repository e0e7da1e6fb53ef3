"""Two overlapping runs cannot both publish: the second exits at once with its own code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.lock import OutputLock
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support import ROOT
from tests.support.crawling import crawl_command, run_crawl, speed_args


def test_a_second_run_exits_locked_without_a_request(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = OutputLock(OutputLayout.of(out).lock_file)
    assert holder.acquire("2026-11-29T000000Z")
    with ReplicaServer(build_site(12)) as server:
        try:
            done = run_crawl(server.base_url, out)
        finally:
            holder.release()
        assert done.returncode == ExitCode.LOCKED, done.stderr[-2000:]
        assert f"another run is using {out}" in done.stderr
        assert "crawl 2026-11-29T000000Z" in done.stderr
        assert server.requests == []  # it did nothing at all
        assert store.list_snapshots(out) == [] and not (out / "runs").exists()
        again = run_crawl(server.base_url, out)
    assert again.returncode == ExitCode.OK, again.stderr[-2000:]


def test_plain_scrapy_crawl_respects_the_lock_too(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = OutputLock(OutputLayout.of(out).lock_file)
    assert holder.acquire("2026-11-29T000000Z")
    settings = speed_args()
    with ReplicaServer(build_site(12)) as server:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "scrapy", "crawl", "peninsula", "-s", f"KEI_BASE_URL={server.base_url}",
                 "-s", f"KEI_OUTPUT_DIR={out}", *settings],
                capture_output=True, text=True, timeout=120, cwd=ROOT,
            )  # fmt: skip
        finally:
            holder.release()
        assert server.requests == []
    assert "Another run holds" in done.stderr and "crawl 2026-11-29T000000Z" in done.stderr
    assert store.list_snapshots(out) == []


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    lock = OutputLayout.of(out).lock_file
    code = f"from kei_crawler.run.lock import OutputLock; import os; OutputLock({str(lock)!r}).acquire(); os._exit(0)"
    subprocess.run([*crawl_command("http://127.0.0.1:9", out)[:1], "-c", code], check=True)
    assert lock.exists()
    assert OutputLock(lock).acquire()
