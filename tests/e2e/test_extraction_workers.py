"""KEI_EXTRACT_WORKERS: brief pages read in worker processes give the same snapshot, and workers never
outlive their crawl (finished, Ctrl-C to the whole process group, or kill -9)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pytest

from kei_crawler.pages.brief import read_brief
from kei_crawler.pages.workers import WorkerPool
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_command, run_crawl

WORKERS = ("-s", "KEI_EXTRACT_WORKERS=1")
# Columns that say when and where a capture happened, not what it holds.
WHEN = (
    "fetched_at",
    "first_seen",
    "last_seen",
    "warc_file",
    "warc_record_id",
    "warc_offset",
    "photo_warc_record_id",
)


def rows(out: Path) -> list[dict[str, object]]:
    ref = store.latest(out)
    assert ref is not None
    table: pa.Table = store.load(ref.path).drop_columns(list(WHEN)).sort_by("url")
    return table.to_pylist()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_worker_reads_as_this_process_does_and_its_death_loses_no_page() -> None:
    site = build_site(12, theme="classic")
    pages = []
    for brief in site.briefs:
        _status, _headers, body = site.render(brief.path, "https://keia.org")
        pages.append(("https://keia.org" + brief.path, body))

    async def read_all(reader: WorkerPool) -> list[object]:
        return list(await asyncio.gather(*(reader.read(url, body) for url, body in pages)))

    async def scenario() -> tuple[list[object], list[object], list[object]]:
        reader = WorkerPool(1)
        try:
            pooled = await read_all(reader)
            assert reader._pool, "no worker was started"
            reader._pool[0].process.kill()
            orphaned = await read_all(reader)  # sent to a dead worker: read here instead
            after = await read_all(reader)
            assert not reader.pooled  # the crawl carries on without workers
        finally:
            reader.close()
        return pooled, orphaned, after

    expected = [read_brief(url, body) for url, body in pages]
    assert asyncio.run(read_all(WorkerPool(0))) == expected
    assert asyncio.run(scenario()) == (expected, expected, expected)


@pytest.mark.parametrize("theme", ["modern", "drupal"])
def test_a_crawl_with_a_worker_writes_the_same_rows(tmp_path: Path, theme: str) -> None:
    with ReplicaServer(build_site(45, theme=theme)) as server:
        inline = run_crawl(server.base_url, tmp_path / "inline")
        pooled = run_crawl(server.base_url, tmp_path / "pooled", *WORKERS)
    assert inline.returncode == pooled.returncode == ExitCode.OK, pooled.stderr[-2000:]
    assert "worker process" not in inline.stderr
    assert "Reading brief pages in 1 worker process" in pooled.stderr
    assert rows(tmp_path / "pooled") == rows(tmp_path / "inline")
    assert len(rows(tmp_path / "pooled")) == 45
    for out in ("inline", "pooled"):  # the photos requested from a worker's read are linked as well
        table = store.load(store.latest(tmp_path / out).path)  # type: ignore[union-attr]
        linked = [a is not None for a in table["photo_warc_record_id"].to_pylist()]
        assert linked == [u is not None for u in table["photo_url"].to_pylist()] and any(linked), out


def start_slow_crawl(out: Path) -> tuple[ReplicaServer, subprocess.Popen[str], int]:
    """A crawl with a worker, slowed by the replica, once its worker process is running."""
    server = ReplicaServer(build_site(80), delay=0.2)
    base_url = server.start()
    cmd = crawl_command(base_url, out, *WORKERS, "-s", "CONCURRENT_REQUESTS=2")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the crawl never started its worker"
        found = [pid for pid in children(proc.pid) if b"kei_crawler.pages.workers" in cmdline(pid)]
        if found:
            return server, proc, found[0]
        time.sleep(0.1)


def test_ctrl_c_reaches_the_worker_too_and_the_crawl_still_ends_cleanly(tmp_path: Path) -> None:
    server, proc, worker = start_slow_crawl(tmp_path / "out")
    try:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        server.stop()
    assert proc.returncode == ExitCode.ABORTED, stderr[-2000:]
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    deadline = time.monotonic() + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker)


def test_a_worker_exits_when_its_crawl_is_killed(tmp_path: Path) -> None:
    server, proc, worker = start_slow_crawl(tmp_path / "out")
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        deadline = time.monotonic() + 10
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(worker), "the worker outlived its crawl"
    finally:
        server.stop()
        if alive(worker):
            os.kill(worker, signal.SIGKILL)


def test_closing_ends_a_worker_by_its_input_not_by_a_kill() -> None:
    """close() on the event loop must let the worker see EOF and exit by itself: it once waited out the
    whole timeout (the pipe's close was queued on the loop the wait was blocking) and then killed it."""
    site = build_site(2)
    brief = site.briefs[0]
    url = f"http://127.0.0.1:1/the-peninsula/{brief.slug}/"
    _status, _headers, body = site.render(f"/the-peninsula/{brief.slug}/", "http://127.0.0.1:1")

    async def read_then_close() -> tuple[object, list[int | None]]:
        reader = WorkerPool(1)
        read = await reader.read(url, body)
        workers = [worker.process for worker in reader._pool]
        reader.close()
        return read, [process.returncode for process in workers]

    read, codes = asyncio.run(read_then_close())
    assert read == read_brief(url, body)
    assert codes == [0]
