"""A brief that cannot be fetched this run keeps its previous row, marked not refreshed; every brief the
site lists ends up in the snapshot or in the run manifest's errors and drops. Real crawls of the replica."""

from __future__ import annotations

import json
import re
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
from tests.support.interrupting import interrupted_slow_crawl
from tests.support.snapshots import snapshot_rows

ORIGIN = "https://keia.org"
FAST_FAIL = ("-s", "RETRY_TIMES=0")  # a 500 is final at once: these tests are about what follows


def canonical(path: str) -> str:
    return f"{ORIGIN}{path}"


def news_page(site: Site) -> Callable[[str, str], Rendered]:
    """A 200 that is not a brief: another section's page."""
    return lambda _path, base: site.render("/news/kei-announces-new-fellows/", base)


def undated(site: Site) -> Callable[[str, str], Rendered]:
    """The brief with its date line gone (and without validators, so no 304 can hide the change)."""

    def render(path: str, base: str) -> Rendered:
        code, headers, body = site.render(path, base)
        headers = {k: v for k, v in headers.items() if k not in ("ETag", "Last-Modified")}
        return code, headers, re.sub(rb"Published\s+\w+\s+\d{1,2},\s+\d{4}", b"", body)

    return render


def manifest_of(out: Path) -> dict[str, Any]:
    ref = store.latest(out)
    assert ref is not None
    data: dict[str, Any] = json.loads((out / "runs" / f"{ref.crawl_id}.json").read_text())
    assert json.loads(store.metadata(ref.path)["counts"]) == data["counts"]  # the same in both places
    return data


@pytest.fixture
def archived(tmp_path: Path) -> Iterator[Archived]:
    with archived_replica(tmp_path / "out", 24) as archive:
        yield archive


@pytest.mark.parametrize("mode", ["--full", "--revalidate"])
def test_a_brief_that_cannot_be_refreshed_keeps_its_row_marked_not_refreshed(
    archived: Archived, mode: str
) -> None:
    site, out = archived.site, archived.out
    before = snapshot_rows(out)
    victims = [b.path for b in site.briefs[2:7]]
    failing, not_a_brief, lost_date = victims[:3], victims[3], victims[4]
    archived.faulty.faults.update({path: status(500) for path in failing})
    archived.faulty.faults[not_a_brief] = news_page(site)
    archived.faulty.faults[lost_date] = undated(site)

    second = run_crawl(archived.server.base_url, out, mode, *FAST_FAIL)
    assert second.returncode == ExitCode.WITH_ERRORS, second.stderr[-2000:]  # published; briefs failed
    rows = snapshot_rows(out)
    assert rows.keys() == before.keys() == {canonical(b.path) for b in site.briefs}  # every brief
    expected = {canonical(path): "http_500" for path in failing}
    expected[canonical(not_a_brief)] = "NotABrief: section is "
    expected[canonical(lost_date)] = "MissingDate: no publication date (published_raw: tried "
    for url, row in rows.items():
        if url not in expected:
            assert row["refresh_error"] is None, url
            continue
        assert row["refresh_error"].startswith(expected[url]), row["refresh_error"]
        # The previous capture, as it was: the archive lost nothing.
        for column in ("fetched_at", "body", "content_hash", "first_seen", "warc_record_id", "removed_at"):
            assert row[column] == before[url][column], (url, column)

    manifest = manifest_of(out)
    counts = manifest["counts"]
    assert counts["briefs_not_refreshed"] == 5
    assert counts["brief_errors"] == {"http_500": 3}
    errors = {e["url"]: e for e in counts["errors"]}
    assert errors.keys() == {canonical(path) for path in failing}
    for path in failing:
        assert errors[canonical(path)] == {"kind": "brief", "url": canonical(path), "reason": "http_500",
                                           "fetched_url": f"{archived.server.base_url}{path}"}  # fmt: skip
    drops = {d["url"]: d for d in counts["drops"]}
    assert drops.keys() == {canonical(not_a_brief), canonical(lost_date)}
    assert drops[canonical(not_a_brief)]["reason"] == "NotABrief"
    assert drops[canonical(not_a_brief)]["detail"].startswith("section is ")
    assert drops[canonical(lost_date)]["reason"] == "MissingDate"
    assert "published_raw: tried text-layout" in drops[canonical(lost_date)]["detail"]
    assert drops[canonical(lost_date)]["fetched_url"] == f"{archived.server.base_url}{lost_date}"
    assert "not refreshed: 5 (kept from the previous snapshot)" in second.stdout
    assert "Traceback" not in second.stderr

    # The site answers again: this crawl's verdict replaces the last one, nothing lingers.
    archived.faulty.faults.clear()
    third = run_crawl(archived.server.base_url, out, "--revalidate", *FAST_FAIL)
    assert third.returncode == ExitCode.NOTHING_NEW, third.stderr[-2000:]
    rows = snapshot_rows(out)
    assert len(rows) == 24 and all(row["refresh_error"] is None for row in rows.values())
    counts = manifest_of(out)["counts"]
    assert counts["briefs_not_refreshed"] == 0 and counts["errors"] == [] and counts["drops"] == []
    assert counts["briefs_not_modified"] == 24
    assert "not refreshed" not in third.stdout


def test_every_listed_brief_is_in_the_snapshot_or_reported(archived: Archived) -> None:
    site, faulty, out = archived.site, archived.faulty, archived.out
    new = [b.path for b in site.publish(8)]
    faulty.faults.update({new[0]: status(500), new[2]: status(503), new[3]: status(404)})
    faulty.faults.update({new[5]: news_page(site), new[7]: undated(site)})
    done = run_crawl(archived.server.base_url, out, *FAST_FAIL)  # incremental: only the new briefs
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-2000:]
    rows = snapshot_rows(out)
    counts = manifest_of(out)["counts"]
    errors = {e["url"]: e["reason"] for e in counts["errors"]}
    drops = {d["url"]: d["reason"] for d in counts["drops"]}
    listed = {canonical(b.path) for b in site.briefs}
    assert len(listed) == 32
    assert listed == rows.keys() | errors.keys() | drops.keys()  # none lost, none invented
    assert errors == {canonical(new[0]): "http_500", canonical(new[2]): "http_503",
                      canonical(new[3]): "http_404"}  # fmt: skip
    assert drops == {canonical(new[5]): "NotABrief", canonical(new[7]): "MissingDate"}
    assert not rows.keys() & (errors.keys() | drops.keys())
    assert counts["briefs_new"] == 3 and counts["briefs_not_refreshed"] == 0  # new briefs have no old row


def test_the_error_and_drop_lists_survive_resume(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(40, theme="flat")
    gone = {b.path for b in site.briefs[0::4]}
    not_briefs = {b.path for b in site.briefs[2::4]}
    faults = {path: status(404) for path in gone} | {path: news_page(site) for path in not_briefs}
    server, _ = interrupted_slow_crawl(out, FaultySite(site, faults))
    first_part = {r.path for r in server.requests}
    with ReplicaServer(FaultySite(site, faults), port=server.port) as fast:  # type: ignore[arg-type]
        done = run_crawl(fast.base_url, out, "--resume")
        second_part = {r.path for r in fast.requests}
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-2000:]
    # Failures met only before the interruption: the resumed part never asked for these again.
    only_before = (gone | not_briefs) & (first_part - second_part)
    assert only_before, "the interrupted part met no failing brief"
    counts = manifest_of(out)["counts"]
    assert {e["url"] for e in counts["errors"]} == {canonical(path) for path in gone}
    assert {d["url"] for d in counts["drops"]} == {canonical(path) for path in not_briefs}
    assert len(snapshot_rows(out)) == 40 - len(gone) - len(not_briefs)
