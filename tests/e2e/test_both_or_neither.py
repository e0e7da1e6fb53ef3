"""A crawl publishes its snapshot and its WARC both, or neither (issue 14, 22): a snapshot that cannot be
published for a reason of its own (a full disk, an unwritable folder) takes its WARC back out of warc/,
and the WARCs published before stay as they were."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kei_crawler.extensions.manifest import latest_manifest
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import PUBLISHED, ExitCode
from kei_crawler.storage import failpoints
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_command


def crawl(base_url: str, out: Path, *flags: str, failpoint: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", failpoints.ENV: failpoint}
    return subprocess.run(
        crawl_command(base_url, out, *flags), capture_output=True, text=True, timeout=180, env=env
    )


def warc_files(out: Path) -> dict[str, bytes]:
    warc = OutputLayout.of(out).warc
    return {p.name: p.read_bytes() for p in sorted(warc.iterdir())} if warc.is_dir() else {}


@pytest.mark.parametrize(
    "failpoint",
    ["snapshot.row_group:enospc", "snapshot.before_rename:enospc"],
    ids=["while the snapshot is written", "as it is renamed into snapshots/"],
)
def test_a_snapshot_not_published_takes_its_warc_back(tmp_path: Path, failpoint: str) -> None:
    out = tmp_path / "out"
    with ReplicaServer(build_site(12)) as server:
        first = crawl(server.base_url, out)
        assert first.returncode == ExitCode.OK, first.stderr[-2000:]
        kept = warc_files(out)
        assert len(kept) == 2  # the first crawl's WARC and its index

        failed = crawl(server.base_url, out, "--full", failpoint=failpoint)
        assert failed.returncode == ExitCode.NOT_PUBLISHED, failed.stderr[-2000:]
        assert "Traceback" not in failed.stderr
        assert "kei-crawler: no snapshot published: could not write the snapshot" in failed.stderr
        assert warc_files(out) == kept  # neither: no WARC that no snapshot names, the earlier one intact
        manifest = latest_manifest(out)
        assert manifest["published"] is False and manifest["warc_files"] == []
        assert "Withdrew WARC" in failed.stderr

        following = crawl(server.base_url, out, "--full")
    assert following.returncode in PUBLISHED, following.stderr[-2000:]
    assert len(store.list_snapshots(out)) == 2 and len(warc_files(out)) == 4  # both, this time
    assert sorted(latest_manifest(out)["warc_files"]) == sorted(set(warc_files(out)) - set(kept))
