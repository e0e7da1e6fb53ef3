"""Exit codes, the run manifest and the template-change alert, from real crawls of the replica."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.faulty_site import FaultySite, Rendered


def manifest(out: Path, crawl_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "runs" / f"{crawl_id}.json").read_text())
    return data


def test_manifest_and_nothing_new(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(25)
    photos = sum(1 for brief in site.briefs if brief.photo_path)
    with ReplicaServer(site) as server:
        first = run_crawl(server.base_url, out)
        second = run_crawl(server.base_url, out)
    assert first.returncode == ExitCode.OK, first.stderr[-2000:]
    assert second.returncode == ExitCode.NOTHING_NEW, second.stderr[-2000:]
    refs = store.list_snapshots(out)
    assert len(refs) == 2
    one, two = manifest(out, refs[0].crawl_id), manifest(out, refs[1].crawl_id)
    assert one["mode"] == "full" and two["mode"] == "incremental"
    assert one["published"] and one["snapshot"] == str(refs[0].path)
    assert one["counts"]["briefs_new"] == 25 and one["counts"]["snapshot_rows"] == 25
    assert two["counts"]["briefs_written"] == 0 and two["counts"]["briefs_carried"] == 25
    assert two["counts"]["requests"] <= 3  # robots.txt and the first listing page (and its overlap)
    assert one["finish_reason"] == "finished" and one["alerts"] == []
    assert (
        one["counts"]["warc_bytes"] > 0 and one["counts"]["warc_records"]["response"] == 29 + photos
    )  # 25 briefs, 3 listing pages, robots.txt, the briefs' photos
    assert one["counts"]["requisites"] == photos and two["counts"]["requisites"] == 0
    # The manifest's counts are the snapshot metadata's counts.
    assert json.loads(store.metadata(refs[1].path)["counts"]) == two["counts"]


def test_a_redesign_that_loses_captions_raises_the_quality_alert(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(40, theme="modern")
    with ReplicaServer(site) as server:
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK

    def without_captions(path: str, base: str) -> Rendered:
        status, headers, body = site.render(path, base)
        return status, headers, re.sub(rb"<figcaption>.*?</figcaption>", b"", body, flags=re.S)

    briefs = {b.path: without_captions for b in site.briefs}
    with ReplicaServer(FaultySite(site, briefs)) as server:  # type: ignore[arg-type]
        done = run_crawl(server.base_url, out, "--full")
    assert done.returncode == ExitCode.QUALITY_ALERT, done.stderr[-2000:]
    assert "QUALITY ALERT" in done.stderr and "photo_caption filled on 0%" in done.stderr
    ref = store.latest(out)
    assert ref is not None and len(store.list_snapshots(out)) == 2  # still published
    alerts = manifest(out, ref.crawl_id)["alerts"]
    assert len(alerts) == 1 and alerts[0].startswith("photo_caption filled on 0% of 40 fetched briefs")
    assert json.loads(store.metadata(ref.path)["alerts"]) == alerts


def test_each_snapshot_stores_its_quality_baseline(tmp_path: Path) -> None:
    """The profile a crawl stores while writing equals the one read back from the file's columns."""
    from kei_crawler.run.quality import PROFILE_METADATA, ProfileCounts, profile_of_snapshot

    out = tmp_path / "out"
    site = build_site(30)
    with ReplicaServer(site) as server:
        run_crawl(server.base_url, out)
        site.publish(2)
        site.remove(site.briefs[10].slug)
        run_crawl(server.base_url, out, "--revalidate")  # fresh rows, carried rows, a removed one
    refs = store.list_snapshots(out)
    assert len(refs) == 2
    for ref in refs:
        stored = ProfileCounts.from_metadata(store.metadata(ref.path)[PROFILE_METADATA])
        assert stored is not None and stored.profile() == profile_of_snapshot(ref.path)
