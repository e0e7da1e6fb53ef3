"""Briefs listed but never captured are asked for again by every crawl until captured or gone: crawls of
the replica with failing briefs (the records alone: tests/unit/test_outstanding.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run import outstanding
from kei_crawler.run.outcome import ExitCode
from kei_crawler.run.outstanding import Outstanding
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.faulty_site import FaultySite, status


def pending(out: Path) -> dict[str, Outstanding]:
    ref = store.latest(out)
    assert ref is not None
    return outstanding.decode(store.metadata(ref.path).get(outstanding.METADATA_KEY))


def test_a_new_brief_that_failed_is_retried_by_later_incremental_crawls(tmp_path: Path) -> None:
    site = build_site(30, theme="flat")
    # On the listing's second page: an incremental crawl stops after the first, all known.
    failing, vanishing = site.briefs[14], site.briefs[16]
    faulty = FaultySite(site, {failing.path: status(500), vanishing.path: status(503)})
    out = tmp_path / "out"
    url = f"https://keia.org{failing.path}"
    with ReplicaServer(faulty) as server:  # type: ignore[arg-type]
        first = run_crawl(server.base_url, out, "-s", "RETRY_TIMES=0")
        assert first.returncode == ExitCode.WITH_ERRORS, first.stderr[-2000:]
        recorded = pending(out)
        assert set(recorded) == {url, f"https://keia.org{vanishing.path}"}
        assert recorded[url].reason == "http_500" and recorded[url].attempts == 1
        assert "outstanding: 2 listed but never captured" in first.stdout

        site.remove(vanishing.slug)
        del faulty.faults[vanishing.path]
        server.clear_log()
        second = run_crawl(server.base_url, out, "-s", "RETRY_TIMES=0")
        asked = [r.path for r in server.requests]
        assert failing.path in asked and vanishing.path in asked
        assert asked.count("/the-peninsula/") == 1 and len(asked) <= 5  # still incremental
        assert second.returncode == ExitCode.WITH_ERRORS, second.stderr[-2000:]
        assert pending(out) == {url: Outstanding(url, "http_500", recorded[url].first_failed, 2)}

        del faulty.faults[failing.path]
        third = run_crawl(server.base_url, out)
        assert third.returncode == ExitCode.OK, third.stderr[-2000:]
    assert pending(out) == {}
    ref = store.latest(out)
    assert ref is not None
    urls = pq.read_table(ref.path, columns=["url"]).column("url").to_pylist()
    assert url in urls and len(urls) == 30 - 1
    assert json.loads(store.metadata(ref.path)["counts"])["briefs_outstanding"] == 0
