"""What the report reads: run manifests (whole, partial or broken) and the snapshots' briefs, counts,
provenance mix, captures and history."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kei_crawler.report.facts import read_archive
from kei_crawler.report.runs import read_runs, run_record
from kei_crawler.storage.snapshot.store import SnapshotError
from tests.support.snapshots import T0, T1, brief, edit, write_snapshot

MANIFEST: dict[str, Any] = {
    "crawl_id": "2026-02-01T000000Z",
    "mode": "incremental",
    "started_at": "2026-02-01T00:00:00+00:00",
    "finished_at": "2026-02-01T00:01:30+00:00",
    "finish_reason": "finished",
    "published": True,
    "exit_code": 7,
    "alerts": ["photo_caption: 90% of briefs before, 5% now"],
    "counts": {
        "briefs_written": 4, "briefs_new": 3, "briefs_changed": 1, "requests": 12,
        "fill_rates": {"title": 1.0, "photo_caption": 0.25},
        "errors": [{"kind": "brief", "url": "https://keia.org/the-peninsula/a/", "reason": "timeout", "detail": ""},
                   {"kind": "brief", "url": "https://keia.org/the-peninsula/b/", "reason": "http_500", "detail": ""},
                   {"kind": "brief", "url": "https://keia.org/the-peninsula/c/", "reason": "timeout", "detail": ""}],
        "drops": [{"kind": "brief", "url": "https://keia.org/the-peninsula/d/", "reason": "MissingDate",
                   "detail": "no publication date"}],
    },
}  # fmt: skip


def test_a_manifest_reads_as_its_run() -> None:
    run = run_record(MANIFEST)
    assert (run.crawl_id, run.mode, run.exit_code, run.published) == (
        "2026-02-01T000000Z",
        "incremental",
        7,
        True,
    )
    assert run.duration == 90.0
    assert (run.count("briefs_new"), run.count("requests"), run.count("briefs_removed")) == (3, 12, 0)
    assert (run.errors, run.drops) == (3, 1)
    assert run.reasons("error") == {"timeout": 2, "http_500": 1}  # most frequent first
    assert run.reasons("drop") == {"MissingDate": 1}
    assert run.fill_rates == {"title": 1.0, "photo_caption": 0.25}
    assert run.alerts == ["photo_caption: 90% of briefs before, 5% now"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"finished_at": None}, {"duration": None}),
        ({"started_at": "not a time"}, {"duration": None}),
        ({"exit_code": "0"}, {"exit_code": None}),
        ({"counts": "broken"}, {"errors": 0, "fill_rates": {}}),
        (
            {"counts": {"briefs_written": 0, "fill_rates": {"title": 0.0}}},
            {"fill_rates": {}},
        ),  # rates over none
        ({"counts": {"errors": [None, 3, {"url": "u"}]}}, {"errors": 1}),
        ({"alerts": None}, {"alerts": []}),
        ({"alerts": "oops"}, {"alerts": []}),  # not a list: not four alerts "o", "o", "p", "s"
        # a time naming no zone is UTC, as the crawler writes them (not a naive-aware TypeError)
        (
            {"started_at": "2026-02-01T00:00:00", "finished_at": "2026-02-01T00:00:10+00:00"},
            {"duration": 10.0},
        ),
        # a listing page's failure is an error; a duplicate is no lost brief (outcome.lost_briefs), as exit 7 says
        (
            {
                "counts": {
                    "errors": [{"kind": "listing", "url": "l", "reason": "timeout"}],
                    "drops": [{"url": "d", "reason": "DuplicateBrief", "kept_as": "k"}],
                }
            },
            {"errors": 1, "drops": 0},
        ),
    ],
)
def test_a_manifest_missing_or_mangling_a_field_reads_as_nothing_happened(
    change: dict[str, Any], expected: dict[str, Any]
) -> None:
    run = run_record({**MANIFEST, **change})
    assert {name: getattr(run, name) for name in expected} == expected


def test_unreadable_manifests_are_passed_over_with_a_warning(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "2026-02-01T000000Z.json").write_text(json.dumps(MANIFEST))
    (runs / "2026-01-01T000000Z.json").write_text("{not json")
    (runs / "2026-03-01T000000Z.json").write_text(json.dumps({"crawl_id": "nonsense"}))
    (runs / "2026-04-01T000000Z.json").write_bytes(b"\xff\xfe")
    (runs / "notes.json").write_text("{}")  # not a manifest's name: not one
    (runs / "2026-05-01T000000Z.json").symlink_to(runs / "2026-02-01T000000Z.json")
    (runs / "2026-06-01T000000Z.json").write_text(json.dumps(MANIFEST))  # a copy under another run's name
    warned: list[str] = []
    assert [run.crawl_id for run in read_runs(tmp_path, warned.append)] == ["2026-02-01T000000Z"]
    assert len(warned) == 4 and all(line.startswith("passing over run manifest") for line in warned)
    assert all("\n" not in line for line in warned)
    assert read_runs(tmp_path / "nowhere", warned.append) == []


def _archive(out: Path) -> None:
    """Three crawls: a, b, c, d; then b edited and e new; then c removed, and d removed then back."""
    a, b, c, d = (brief(s, provenance={"title": "json-ld", "body": "density"}) for s in "abcd")
    a = brief(
        "a", provenance={"title": "heading", "body": "density"}, warc_file="x.warc.gz", warc_record_id="<r1>"
    )
    write_snapshot(out, "2026-01-01T000000Z", [a, b, c, d])
    b2 = edit(b, body=b.body + "\n\nA late correction.", provenance={"title": "meta", "body": "density"})
    e = brief("e", first_seen=T1, fetched_at=T1, published=date(2025, 5, 4))
    a2 = edit(a, warc_record_id="<r2>", warc_file="y.warc.gz")
    write_snapshot(out, "2026-02-01T000000Z", [e, a2, b2, c, edit(d, removed_at=T1)])
    t2 = T1 + timedelta(days=1)
    write_snapshot(
        out,
        "2026-02-02T000000Z",
        [e, a2, b2, edit(c, removed_at=t2), dataclasses.replace(d, fetched_at=t2, last_seen=t2)],
    )


def test_the_archive_holds_the_newest_briefs_each_snapshot_and_each_history(tmp_path: Path) -> None:
    _archive(tmp_path)
    warned: list[str] = []
    archive = read_archive(tmp_path, warned.append)
    assert not warned
    assert archive.newest.crawl_id == "2026-02-02T000000Z"
    assert next(b["slug"] for b in archive.briefs) == "e"  # newest publication first
    assert (archive.live, archive.removed) == (4, 1)
    assert [(s.crawl_id, s.live, s.removed) for s in archive.snapshots] == [
        ("2026-01-01T000000Z", 4, 0), ("2026-02-01T000000Z", 4, 1), ("2026-02-02T000000Z", 4, 1)
    ]  # fmt: skip
    by_slug = {b["slug"]: b["brief_id"] for b in archive.briefs}
    kinds = {
        slug: [(e.kind, e.crawl_id[:10]) for e in archive.events.get(i, [])] for slug, i in by_slug.items()
    }
    assert kinds["b"] == [("changed", "2026-02-01")]
    assert kinds["c"] == [("removed", "2026-02-02")]
    assert kinds["d"] == [("removed", "2026-02-01"), ("added", "2026-02-02")]
    assert kinds["e"] == [("added", "2026-02-01")]
    assert "A late correction." in (archive.events[by_slug["b"]][0].text_diff or "")
    # a's page was downloaded twice: two WARC records, oldest first
    assert [c.warc_record_id for c in archive.captures[by_slug["a"]]] == ["<r1>", "<r2>"]
    assert [c.warc_file for c in archive.captures[by_slug["a"]]] == ["x.warc.gz", "y.warc.gz"]


def test_the_provenance_mix_counts_the_pages_each_crawl_fetched(tmp_path: Path) -> None:
    _archive(tmp_path)
    for crawl_id, started in (("2026-01-01T000000Z", T0), ("2026-02-01T000000Z", T1)):
        path = tmp_path / "snapshots" / f"snapshot={crawl_id}" / "briefs.parquet"
        _set_started(path, started)
    snapshots = {s.crawl_id: s for s in read_archive(tmp_path, print).snapshots}
    first, second = snapshots["2026-01-01T000000Z"], snapshots["2026-02-01T000000Z"]
    assert first.fetched == 4
    assert first.provenance == {"title": {"json-ld": 3, "heading": 1}, "body": {"density": 4}}
    # the second crawl fetched a, b, d and e (fetched_at from its start on), not c
    assert second.fetched == 4
    assert second.provenance["title"] == {"json-ld": 1, "meta": 1, "heading": 1}
    assert snapshots["2026-02-02T000000Z"].fetched == 0  # no started_at recorded: no claim


def _set_started(path: Path, started: datetime) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = {
        **(table.schema.metadata or {}),
        b"kei_crawler.started_at": started.astimezone(UTC).isoformat().encode(),
    }
    pq.write_table(table.replace_schema_metadata(meta), path)


def test_no_snapshot_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="holds no snapshot to report on"):
        read_archive(tmp_path, print)


def test_an_older_snapshot_that_does_not_read_is_passed_over(tmp_path: Path) -> None:
    _archive(tmp_path)
    (tmp_path / "snapshots" / "snapshot=2026-01-01T000000Z" / "briefs.parquet").write_bytes(b"PAR1 torn")
    warned: list[str] = []
    archive = read_archive(tmp_path, warned.append)
    assert [s.crawl_id for s in archive.snapshots] == ["2026-02-01T000000Z", "2026-02-02T000000Z"]
    assert warned and all("2026-01-01T000000Z" in line for line in warned)


def test_an_old_schema_snapshot_reads_beside_new_ones(tmp_path: Path) -> None:
    """A snapshot from before the WARC, provenance and refresh columns: its captures and counts still read."""
    import pyarrow.parquet as pq

    _archive(tmp_path)
    oldest = tmp_path / "snapshots" / "snapshot=2026-01-01T000000Z" / "briefs.parquet"
    table = pq.read_table(oldest)
    gone = [
        "warc_file",
        "warc_record_id",
        "warc_offset",
        "provenance",
        "refresh_error",
        "photo_warc_record_id",
    ]
    pq.write_table(table.drop_columns(gone), oldest)
    warned: list[str] = []
    archive = read_archive(tmp_path, warned.append)
    assert not warned and [s.live for s in archive.snapshots] == [4, 4, 4]
    assert all(archive.captures.values())


def test_a_capture_keeps_the_base_url_of_the_crawl_that_made_it(tmp_path: Path) -> None:
    """Carried into a later crawl of a mirror, a capture of the site is still the site's (the replay link)."""
    import pyarrow.parquet as pq

    a = brief("a", warc_file="x.warc.gz", warc_record_id="<r1>")
    for crawl_id, base_url in (
        ("2026-01-01T000000Z", "https://keia.org"),
        ("2026-02-01T000000Z", "http://127.0.0.1:8000"),
    ):
        path = write_snapshot(tmp_path, crawl_id, [a])
        table = pq.read_table(path)
        meta = {**(table.schema.metadata or {}), b"kei_crawler.base_url": base_url.encode()}
        pq.write_table(table.replace_schema_metadata(meta), path)
    [capture] = read_archive(tmp_path, print).captures[a.brief_id]
    assert capture.base_url == "https://keia.org"


def test_a_tampered_brief_id_is_passed_over(tmp_path: Path) -> None:
    """A brief's id names its page: one that is not 16 hex digits could name a path outside the report."""
    write_snapshot(
        tmp_path, "2026-01-01T000000Z", [dataclasses.replace(brief("a"), brief_id="../../escaped")]
    )
    warned: list[str] = []
    assert read_archive(tmp_path, warned.append).briefs == []
    assert warned == ["passing over a row of snapshot 2026-01-01T000000Z with brief_id '../../escaped'"]
