"""--resume continues a crawl interrupted with Ctrl-C or SIGTERM; a killed crawl cannot be resumed."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.interrupting import brief_requests, interrupted_slow_crawl, start_slow_crawl


def test_resume_after_ctrl_c_fetches_only_what_is_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(60)
    server, stderr = interrupted_slow_crawl(out, site)
    assert "--resume" in stderr
    first_part = brief_requests(server)
    assert 0 < first_part < 60
    assert store.list_snapshots(out) == []
    interrupted = json.loads((out / ".job" / "kei-resume.json").read_text())
    assert interrupted["base_url"] == server.base_url

    elsewhere = run_crawl("http://127.0.0.1:9", out, "--resume")
    assert elsewhere.returncode == ExitCode.USAGE
    assert f"the interrupted crawl fetched from {server.base_url}, not http://127.0.0.1:9" in elsewhere.stderr

    # The same site again (same address): its queued requests are still good.
    with ReplicaServer(site, port=server.port) as fast:
        done = run_crawl(fast.base_url, out, "--resume")
        second_part = brief_requests(fast)
    assert done.returncode == ExitCode.OK, done.stderr[-2000:]
    assert first_part + second_part <= 60 + 2  # at most what was in flight at the interruption twice
    assert second_part < 60
    ref = store.latest(out)
    assert ref is not None and ref.crawl_id == interrupted["crawl_id"]  # one crawl, resumed
    urls = pq.read_table(ref.path, columns=["url"]).column("url").to_pylist()
    assert sorted(urls) == sorted(r["url"] for r in site.expected_records())  # every brief, once
    counts = json.loads(store.metadata(ref.path)["counts"])
    assert counts["briefs_new"] == 60 and counts["briefs_written"] == 60
    assert not (out / ".job").exists()  # a finished crawl leaves nothing to resume


def test_a_killed_crawl_cannot_be_resumed_but_a_fresh_one_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(30)
    server, proc = start_slow_crawl(out, site)
    try:
        proc.kill()
        proc.communicate(timeout=30)
    finally:
        server.stop()
    assert (out / ".job").is_dir()
    with ReplicaServer(site) as fast:
        refused = run_crawl(fast.base_url, out, "--resume")
        assert refused.returncode == ExitCode.USAGE
        assert "did not stop cleanly" in refused.stderr and "Traceback" not in refused.stderr
        assert fast.requests == []
        fresh = run_crawl(fast.base_url, out)
    assert fresh.returncode == ExitCode.OK, fresh.stderr[-2000:]
    assert pq.read_metadata(store.latest(out).path).num_rows == 30  # type: ignore[union-attr]


def test_nothing_to_resume(tmp_path: Path) -> None:
    done = run_crawl("http://127.0.0.1:9", tmp_path / "out", "--resume")
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.strip().endswith(
        "nothing to resume: no interrupted crawl in " + str(tmp_path / "out" / ".job")
    )


def test_a_jobdir_that_is_not_a_crawls_is_never_cleared(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    done = run_crawl("http://127.0.0.1:9", tmp_path / "out", "-s", f"JOBDIR={precious}")
    assert done.returncode == ExitCode.USAGE
    assert "is not a crawl's job directory" in done.stderr
    assert (precious / "thesis.txt").read_text() == "years of work"
