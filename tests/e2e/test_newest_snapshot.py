"""Crawls and re-extractions find the same newest snapshot as every reader, publish after it, and carry
the archive forward past a damaged one (issue 14, points 6, 7 and 18; the readers: tests/unit/
test_newest_snapshot.py and test_damaged_snapshots.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.archived_crawl import Crawled
from tests.support.crawling import run_crawl


def counts_of(ref: store.SnapshotRef | None) -> dict[str, int]:
    assert ref is not None
    counts: dict[str, int] = json.loads(store.metadata(ref.path)["counts"])
    return counts


def test_a_snapshot_symlink_is_never_the_newest(tmp_path: Path) -> None:
    site = build_site(24, theme="flat")
    out = tmp_path / "out"
    with ReplicaServer(site) as server:
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK
        first = store.latest(out)
        assert first is not None
        site.publish(3)
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK
        (out / store.SNAPSHOTS / "snapshot=latest").symlink_to(first.path.parent, target_is_directory=True)
        done = run_crawl(server.base_url, out)
    # The three new briefs are in the newest real snapshot: nothing is new, and nothing is fetched again.
    assert done.returncode == ExitCode.NOTHING_NEW, done.stderr[-3000:]
    assert counts_of(store.latest(out))["briefs_new"] == 0
    assert "snapshot=latest: a symlink" in done.stderr
    assert [ref.crawl_id for ref in store.list_snapshots(out)] == sorted(
        r.crawl_id for r in store.list_snapshots(out)
    )
    assert len(store.list_snapshots(out)) == 3


def test_a_crawl_past_a_damaged_newest_snapshot_carries_the_last_good_one(tmp_path: Path) -> None:
    site = build_site(24, theme="flat")
    out = tmp_path / "out"
    with ReplicaServer(site) as server:
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK
        good = store.latest(out)
        assert run_crawl(server.base_url, out).returncode == ExitCode.NOTHING_NEW
        damaged = store.latest(out)
        assert good is not None and damaged is not None and damaged != good
        table = pq.read_table(damaged.path).drop_columns(["body", "photo_caption"])
        pq.write_table(table, damaged.path)  # as a hand edit would leave it
        done = run_crawl(server.base_url, out)
    assert done.returncode == ExitCode.NOTHING_NEW, done.stderr[
        -3000:
    ]  # published, nothing new since the good one
    named = [line for line in done.stderr.splitlines() if str(damaged.path) in line]
    assert len(named) == 1 and "no body column" in named[0] and "Traceback" not in done.stderr
    newest = store.latest(out)
    assert newest is not None and newest.crawl_id > damaged.crawl_id
    assert store.metadata(newest.path)["previous_snapshot"] == good.crawl_id
    rows = pq.read_table(newest.path).to_pylist()
    assert len(rows) == 24 and all(row["body"] for row in rows)


def test_a_crawl_id_given_twice_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    crawl_id = "2026-06-01T120000Z"
    with ReplicaServer(build_site(6, theme="flat")) as server:
        assert run_crawl(server.base_url, out, "-s", f"KEI_CRAWL_ID={crawl_id}").returncode == ExitCode.OK
        published = store.snapshot_path(out, crawl_id).read_bytes()
        manifest = OutputLayout.of(out).manifest(crawl_id).read_bytes()
        again = run_crawl(server.base_url, out, "-s", f"KEI_CRAWL_ID={crawl_id}")
    assert again.returncode == ExitCode.USAGE
    assert again.stderr == f"kei-crawler: crawl id {crawl_id} is already used in {out}\n"
    assert [ref.crawl_id for ref in store.list_snapshots(out)] == [crawl_id]
    assert store.snapshot_path(out, crawl_id).read_bytes() == published
    assert OutputLayout.of(out).manifest(crawl_id).read_bytes() == manifest


def future_archive(crawled: Crawled, out: Path) -> str:
    """``out`` holding a copy of the crawl's snapshot under a crawl id far after any clock's time."""
    future = "2099-01-01T000000Z"
    shutil.copytree(crawled.snapshot.parent, store.snapshot_dir(out, future))
    return future


def test_reextract_publishes_after_the_newest_snapshot(
    crawled: Crawled, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again"
    future = future_archive(crawled, out)
    (out / store.SNAPSHOTS / "snapshot=zzzz").symlink_to(crawled.snapshot.parent, target_is_directory=True)
    assert main(["reextract", str(crawled.warc), "--output-dir", str(out)]) == ExitCode.OK
    capsys.readouterr()
    assert [ref.crawl_id for ref in store.list_snapshots(out)] == [future, "2099-01-01T000001Z"]
    newest = store.latest(out)
    assert newest is not None and store.metadata(newest.path)["source"] == "reextract"


@pytest.mark.parametrize(("crawl_id", "message"), [
    ("2099-01-01T000000Z", "crawl id 2099-01-01T000000Z is already used in"),
    ("2098-01-01T000000Z", "KEI_CRAWL_ID 2098-01-01T000000Z sorts before the newest snapshot 2099-01-01T000000Z"),
    ("reextracted", "KEI_CRAWL_ID must be a crawl id like 2026-11-29T043512Z"),
])  # fmt: skip
def test_reextract_refuses_a_crawl_id_it_cannot_publish(
    crawled: Crawled, tmp_path: Path, capsys: pytest.CaptureFixture[str], crawl_id: str, message: str
) -> None:
    out = tmp_path / "again"
    future_archive(crawled, out)
    argv = ["reextract", str(crawled.warc), "--output-dir", str(out), "-s", f"KEI_CRAWL_ID={crawl_id}"]
    assert main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kei-crawler: ") and message in err
    assert len(store.list_snapshots(out)) == 1 and not OutputLayout.of(out).runs.exists()
