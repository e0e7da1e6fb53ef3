"""Two overlapping runs cannot both publish: the second exits at once with its own code."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kei_crawler.cli import EXIT_LOCKED, EXIT_OK
from kei_crawler.lock import OutputLock
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.snapshot import store
from tests.conftest import crawl_command, run_crawl


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = OutputLock(tmp_path), OutputLock(tmp_path)
    assert first.acquire("2026-11-29T000000Z")
    assert not second.acquire()
    assert "crawl 2026-11-29T000000Z" in second.holder()
    first.release()
    assert second.acquire()
    second.release()


def test_a_second_run_exits_locked_without_a_request(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = OutputLock(out)
    assert holder.acquire("2026-11-29T000000Z")
    with ReplicaServer(build_site(12)) as server:
        try:
            done = run_crawl(server.base_url, out)
        finally:
            holder.release()
        assert done.returncode == EXIT_LOCKED, done.stderr[-2000:]
        assert "another run is using this output directory" in done.stderr
        assert "crawl 2026-11-29T000000Z" in done.stderr
        assert server.requests == []  # it did nothing at all
        assert store.list_snapshots(out) == [] and not (out / "runs").exists()
        again = run_crawl(server.base_url, out)
    assert again.returncode == EXIT_OK, again.stderr[-2000:]


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = (
        f"from kei_crawler.lock import OutputLock; import os; OutputLock({str(out)!r}).acquire(); os._exit(0)"
    )
    subprocess.run([*crawl_command("http://127.0.0.1:9", out)[:1], "-c", code], check=True)
    assert (out / ".lock").exists()
    assert OutputLock(out).acquire()
