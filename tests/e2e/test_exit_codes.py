"""Exit codes that tell the truth: "nothing new" whatever the mode, and "published, with errors" when a brief
was lost. Real crawls of the replica."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.content import Site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.faulty_site import Archived, FaultySite, Rendered, archived_replica, status

FAST_FAIL = ("-s", "RETRY_TIMES=0")  # a 500 is final at once


@pytest.fixture
def archived(tmp_path: Path) -> Iterator[Archived]:
    with archived_replica(tmp_path / "out", 20) as archive:
        yield archive


def undated(site: Site) -> Callable[[str, str], Rendered]:
    """The brief with its date line gone: the pipelines drop it (MissingDate)."""

    def render(path: str, base: str) -> Rendered:
        code, headers, body = site.render(path, base)
        return code, headers, re.sub(rb"Published\s+\w+\s+\d{1,2},\s+\d{4}", b"", body)

    return render


def newest_manifest(out: Path) -> dict[str, Any]:
    ref = store.latest(out)
    assert ref is not None
    data: dict[str, Any] = json.loads((out / "runs" / f"{ref.crawl_id}.json").read_text())
    return data


@pytest.mark.parametrize("mode", ["--full", "--revalidate", "--incremental"])
def test_an_unchanged_site_exits_nothing_new_in_every_mode(archived: Archived, mode: str) -> None:
    flags = () if mode == "--incremental" else (mode,)
    done = run_crawl(archived.server.base_url, archived.out, *flags)
    assert done.returncode == ExitCode.NOTHING_NEW, done.stderr[-2000:]
    manifest = newest_manifest(archived.out)
    assert manifest["exit_code"] == ExitCode.NOTHING_NEW
    assert len(store.list_snapshots(archived.out)) == 2  # published all the same


def test_a_new_brief_lost_to_an_error_exits_with_errors(archived: Archived) -> None:
    (new,) = archived.site.publish(1)
    archived.faulty.faults[new.path] = status(500)
    done = run_crawl(archived.server.base_url, archived.out, *FAST_FAIL)
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-2000:]  # on main: 6, as if nothing happened
    assert "published with errors: 1 brief could not be captured" in done.stdout
    assert "kei-crawler: published with errors: 1 brief could not be captured" in done.stderr
    assert "Traceback" not in done.stderr
    manifest = newest_manifest(archived.out)
    assert manifest["published"] and manifest["exit_code"] == ExitCode.WITH_ERRORS
    assert [e["reason"] for e in manifest["counts"]["errors"]] == ["http_500"]
    # The snapshot's path is still the last line on stdout: it was published.
    ref = store.latest(archived.out)
    assert ref is not None and done.stdout.strip().splitlines()[-1] == str(ref.path)


def test_a_full_crawl_that_lost_an_archived_brief_exits_with_errors(archived: Archived) -> None:
    archived.faulty.faults[archived.site.briefs[3].path] = status(500)
    done = run_crawl(archived.server.base_url, archived.out, "--full", *FAST_FAIL)
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-2000:]  # on main: 0
    assert newest_manifest(archived.out)["counts"]["briefs_not_refreshed"] == 1


def test_a_first_crawl_that_lost_a_brief_exits_with_errors(tmp_path: Path) -> None:
    site = build_site(12, theme="flat")
    faulty = FaultySite(site, {site.briefs[5].path: status(500)})
    with ReplicaServer(faulty) as server:  # type: ignore[arg-type]
        done = run_crawl(server.base_url, tmp_path / "out", *FAST_FAIL)
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-2000:]  # on main: 0
    assert newest_manifest(tmp_path / "out")["exit_code"] == ExitCode.WITH_ERRORS


def test_a_reextraction_that_drops_a_brief_exits_with_errors(tmp_path: Path) -> None:
    site = build_site(10, theme="flat")
    faulty = FaultySite(site, {site.briefs[2].path: undated(site)})
    with ReplicaServer(faulty) as server:  # type: ignore[arg-type]
        crawled = run_crawl(server.base_url, tmp_path / "out")
    assert crawled.returncode == ExitCode.WITH_ERRORS, crawled.stderr[-2000:]
    warcs = sorted(str(p) for p in (tmp_path / "out" / "warc").glob("*.warc.gz"))
    command = [sys.executable, "-m", "kei_crawler", "reextract", *warcs, "--output-dir", str(tmp_path / "re")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-2000:]  # on main: 0
    assert "dropped 1 MissingDate" in done.stdout
