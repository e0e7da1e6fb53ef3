"""The demo and plain `scrapy crawl peninsula`, each run as a user would run them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from tests.support import ROOT
from tests.support.crawling import speed_args


def test_demo_crawls_the_replica_and_shows_the_newest_briefs(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "160"}
    done = subprocess.run(
        [sys.executable, "-m", "kei_crawler", "demo", "--output-dir", str(tmp_path), "--briefs", "25"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    snapshot = store.latest(tmp_path)
    assert snapshot is not None
    lines = done.stdout.strip().splitlines()
    # It ends with the report of what it archived: its index.html, the last line (tests/e2e/test_report.py
    # opens such a report in a browser).
    assert lines[-1] == str(tmp_path / "report" / "index.html")
    assert (tmp_path / "report" / "briefs").is_dir()
    assert "Serving a replica of keia.org (25 briefs" in done.stdout
    assert "newest of 25 briefs" in done.stdout
    assert f"The current archive: {tmp_path / 'latest' / 'briefs.parquet'}" in done.stdout
    # The DuckDB line it prints runs as printed, over the views database the publishes built.
    printed = done.stdout.split("Every snapshot in DuckDB:\n", 1)[1].split("\n\n", 1)[0]
    assert [row[1] for row in eval(printed, {"duckdb": duckdb}).fetchall()] == [25, 28, 28]
    assert "briefs fetched" in done.stdout
    # The archivist's story: a full crawl, then 3 new briefs in a handful of requests, then the edit.
    assert "The replica publishes 3 new briefs" in done.stdout
    found = re.search(
        r"sent the replica ([0-9]+) requests \(0 answered 304 Not Modified, ([0-3]) for photos\) to pick up the new",
        done.stdout,
    )
    # robots.txt, the listing's first pages and the new briefs: the full crawl found no sitemap and no
    # feed, so the incremental crawl does not ask again.
    assert found and 3 <= int(found[1]) - int(found[2]) <= 6
    assert "The replica takes down its oldest brief" in done.stdout
    assert "(26 answered 304 Not Modified, 0 for photos) to pick up the edit and the removal" in done.stdout
    assert len(store.list_snapshots(tmp_path)) == 3
    assert pq.read_metadata(snapshot.path).num_rows == 28
    # The monitor's view: the diff of the two newest snapshots (the edit) and an Atom feed.
    assert "0 added, 1 changed, 0 moved, 1 removed." in done.stdout
    assert f"{tmp_path / 'feed.xml'}\n\nThe newest snapshot: {snapshot.path}" in done.stdout
    assert (tmp_path / "feed.xml").read_text().count("<entry>") == 20
    assert "Traceback" not in done.stderr

    again = subprocess.run(
        [sys.executable, "-m", "kei_crawler", "demo", "--output-dir", str(tmp_path), "--briefs", "25"],
        capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(store.list_snapshots(tmp_path)) == 3  # each demo starts from an empty archive of its own


def test_demo_never_clears_an_archive_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "snapshots" / "snapshot=2026-01-01T000000Z").mkdir(parents=True)
    (tmp_path / "snapshots" / "snapshot=2026-01-01T000000Z" / "briefs.parquet").write_bytes(b"data")
    done = subprocess.run(
        [sys.executable, "-m", "kei_crawler", "demo", "--output-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "holds files the demo did not make" in done.stderr
    assert (tmp_path / "snapshots" / "snapshot=2026-01-01T000000Z" / "briefs.parquet").read_bytes() == b"data"


def test_plain_scrapy_crawl_works_from_the_project_folder(tmp_path: Path) -> None:
    server = ReplicaServer(build_site(12, theme="classic", pagination="path"))
    base_url = server.start()
    settings = speed_args()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "peninsula", "-s", f"KEI_BASE_URL={base_url}",
             "-s", f"KEI_OUTPUT_DIR={tmp_path}", *settings],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    snapshot = store.latest(tmp_path)
    assert snapshot is not None
    assert pq.read_metadata(snapshot.path).num_rows == 12
