"""A crawl that does not finish publishes nothing, leaves earlier snapshots untouched, and the next run completes."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.interrupting import interrupted_slow_crawl, start_slow_crawl


def published(out: Path) -> dict[Path, bytes]:
    return {ref.path: ref.path.read_bytes() for ref in store.list_snapshots(out)}


@pytest.fixture
def site_with_one_snapshot(tmp_path: Path) -> tuple[object, Path, dict[Path, bytes]]:
    site = build_site(60)
    server = ReplicaServer(site)
    try:
        done = run_crawl(server.start(), tmp_path / "out")
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    before = published(tmp_path / "out")
    assert len(before) == 1
    return site, tmp_path / "out", before


def test_kill_9_mid_crawl_leaves_no_snapshot_and_the_next_run_completes(
    site_with_one_snapshot: tuple[object, Path, dict[Path, bytes]],
) -> None:
    site, out, before = site_with_one_snapshot
    server, proc = start_slow_crawl(out, site)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        server.stop()
    assert proc.returncode == -signal.SIGKILL
    # Nothing new where readers look, not even a partial file; the previous snapshot byte for byte.
    assert published(out) == before
    assert sorted(p.relative_to(out) for p in (out / "snapshots").rglob("*") if p.is_file()) == sorted(
        p.relative_to(out) for p in before
    )
    leftovers = list(OutputLayout.of(out).tmp.iterdir())
    assert len(leftovers) == 1  # what the killed run was writing, outside the snapshots folder

    fast = ReplicaServer(site)  # type: ignore[arg-type]
    try:
        done = run_crawl(fast.start(), out)
    finally:
        fast.stop()
    assert done.returncode == ExitCode.NOTHING_NEW, done.stderr[-2000:]  # the site did not change meanwhile
    after = published(out)
    assert len(after) == 2 and all(after[p] == before[p] for p in before)
    assert list(OutputLayout.of(out).tmp.iterdir()) == []  # the next run cleared the killed run's leftovers


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_crawl_exits_aborted_and_publishes_nothing(
    site_with_one_snapshot: tuple[object, Path, dict[Path, bytes]], sig: signal.Signals
) -> None:
    site, out, before = site_with_one_snapshot
    _, stderr = interrupted_slow_crawl(out, site, sig)  # exit 3 (ABORTED), checked there
    assert "no snapshot published" in stderr
    assert "Traceback" not in stderr
    assert published(out) == before
    assert list(OutputLayout.of(out).tmp.iterdir()) == []
