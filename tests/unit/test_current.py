"""``<output>/latest`` and ``<output>/kei.duckdb`` (run/current.py): moved on after a publish, swapped
whole, never over something kei-crawler did not make; the views' rows and the ``changes`` they derive."""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

import duckdb
import pytest

from kei_crawler.run import current
from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import store, views
from tests.support.snapshots import T1, brief, edit, write_snapshot

IDS = ("2026-01-01T000000Z", "2026-02-01T000000Z", "2026-03-01T000000Z")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """Three snapshots: a, b, c; then d added, b edited, c removed; then c back, a removed."""
    a, b, c, d = (brief(slug) for slug in "abcd")
    write_snapshot(tmp_path, IDS[0], [a, b, c])
    gone = dataclasses.replace(c, removed_at=T1)
    write_snapshot(tmp_path, IDS[1], [a, edit(b, body="b, edited."), gone, d])
    write_snapshot(
        tmp_path, IDS[2], [dataclasses.replace(a, removed_at=T1), edit(b, body="b, edited."), c, d]
    )
    return tmp_path


def query(out: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(out / "kei.duckdb"), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_latest_is_a_relative_link_to_the_newest_snapshot_and_moves_on(out: Path) -> None:
    layout = OutputLayout.of(out)
    current.update(layout, views_database=False)
    assert os.readlink(out / "latest") == f"snapshots/snapshot={IDS[2]}"
    assert (out / "latest" / store.FILENAME).samefile(store.snapshot_path(out, IDS[2]))
    write_snapshot(out, "2026-04-01T000000Z", [brief("a")])
    current.update(layout, views_database=False)
    assert os.readlink(out / "latest") == "snapshots/snapshot=2026-04-01T000000Z"
    assert not (out / "kei.duckdb").exists()
    # Outside snapshots/: the snapshots are what they were, and the layout has nothing to say about it.
    assert [ref.crawl_id for ref in store.list_snapshots(out)] == [*IDS, "2026-04-01T000000Z"]
    assert store.scan(out).ignored == [] and layout.misplaced() is None
    assert sorted(p.name for p in out.iterdir()) == ["latest", "snapshots"]  # no temporary link left


def test_a_dangling_latest_of_ours_is_replaced(out: Path) -> None:
    os.symlink("snapshots/snapshot=2025-01-01T000000Z", out / "latest")
    current.update(OutputLayout.of(out), views_database=False)
    assert os.readlink(out / "latest") == f"snapshots/snapshot={IDS[2]}"


@pytest.mark.parametrize("kind", ["file", "folder", "link elsewhere", "link into snapshots"])
def test_what_the_crawler_did_not_make_at_latest_is_left_alone(
    out: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    latest = out / "latest"
    if kind == "file":
        latest.write_text("my notes")
    elif kind == "folder":
        latest.mkdir()
        (latest / "mine.txt").write_text("mine")
    elif kind == "link elsewhere":
        os.symlink("/etc", latest)
    else:
        os.symlink(str(store.snapshot_dir(out, IDS[0])), latest)  # absolute: not the form the crawler makes
    before = os.readlink(latest) if latest.is_symlink() else None
    with caplog.at_level(logging.WARNING):
        current.update(OutputLayout.of(out), views_database=False)
    assert f"Not updating latest: {latest} is a" in caplog.text and "did not make" in caplog.text
    if before is not None:
        assert os.readlink(latest) == before
    elif kind == "file":
        assert latest.read_text() == "my notes"
    else:
        assert (latest / "mine.txt").read_text() == "mine"


def test_views(out: Path) -> None:
    current.update(OutputLayout.of(out), views_database=True)
    con = duckdb.connect(str(out / "kei.duckdb"), read_only=True)
    con.sql("SET TimeZone = 'UTC'")
    times = [store.crawl_time(crawl_id) for crawl_id in IDS]
    assert sorted(con.sql("SELECT slug FROM briefs").fetchall()) == [("b",), ("c",), ("d",)]
    assert con.sql("SELECT count(*), min(snapshot), max(snapshot) FROM briefs_all").fetchall() == [
        (4, times[2], times[2])
    ]
    assert con.sql("SELECT snapshot, count(*) FROM history GROUP BY ALL ORDER BY 1").fetchall() == [
        (times[0], 3),
        (times[1], 4),
        (times[2], 4),
    ]
    changes = con.sql(
        "SELECT snapshot, change, url, previous_snapshot FROM changes ORDER BY snapshot, url"
    ).fetchall()
    url = "https://keia.org/the-peninsula/{}/".format
    assert [(when, change, link) for when, change, link, _ in changes] == [
        (times[0], "added", url("a")),
        (times[0], "added", url("b")),
        (times[0], "added", url("c")),
        (times[1], "changed", url("b")),
        (times[1], "removed", url("c")),
        (times[1], "added", url("d")),
        (times[2], "removed", url("a")),
        (times[2], "added", url("c")),  # back after its removal
    ]
    assert changes[3][3] == times[0] and changes[0][3] is None
    assert con.sql("SELECT crawl_id, output_dir FROM kei_crawler").fetchall() == [(IDS[2], str(out))]
    con.close()


def test_views_follow_the_newest_snapshot_and_are_swapped_whole(out: Path) -> None:
    layout = OutputLayout.of(out)
    current.update(layout, views_database=True)
    reader = duckdb.connect(str(out / "kei.duckdb"), read_only=True)  # a reader holding the old one open
    write_snapshot(out, "2026-04-01T000000Z", [brief("z")])
    current.update(layout, views_database=True)
    assert reader.sql("SELECT count(*) FROM briefs").fetchall() == [(3,)]  # the old database, whole
    reader.close()  # (DuckDB shares one open database per path within a process)
    assert query(out, "SELECT slug FROM briefs") == [("z",)]
    assert sorted(p.name for p in out.iterdir()) == ["kei.duckdb", "latest", "snapshots"]


def test_views_database_is_optional(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "available", lambda: False)
    current.update(OutputLayout.of(out), views_database=True)
    assert not (out / "kei.duckdb").exists() and (out / "latest").is_symlink()


@pytest.mark.parametrize("kind", ["text file", "another database", "folder"])
def test_a_kei_duckdb_the_crawler_did_not_make_is_left_alone(
    out: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = out / "kei.duckdb"
    if kind == "text file":
        database.write_text("not a database")
    elif kind == "folder":
        database.mkdir()
    else:
        con = duckdb.connect(str(database))
        con.execute("CREATE TABLE mine AS SELECT 42 AS answer")
        con.close()
    before = database.read_bytes() if database.is_file() else None
    with caplog.at_level(logging.WARNING):
        current.update(OutputLayout.of(out), views_database=True)
    assert f"Not updating views: {database} is" in caplog.text
    assert (database.read_bytes() if database.is_file() else None) == before
    assert (out / "latest").is_symlink()  # the pointer is moved on all the same


def test_a_failure_is_a_warning_never_a_failed_publish(out: Path, caplog: pytest.LogCaptureFixture) -> None:
    store.snapshot_path(out, IDS[2]).write_bytes(b"not parquet")
    with caplog.at_level(logging.WARNING):
        current.update(OutputLayout.of(out), views_database=True)
    assert "Not updating views:" in caplog.text
    assert not any(p.name.startswith(".kei.duckdb") for p in out.iterdir())  # no temporary database left


def test_a_moved_output_directory_has_views_that_find_nothing_until_the_next_publish(
    out: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    current.update(OutputLayout.of(out), views_database=True)
    moved = tmp_path_factory.mktemp("moved") / "out"
    out.rename(moved)
    with pytest.raises(duckdb.Error, match="No files found"):
        query(moved, "SELECT count(*) FROM briefs")
    assert query(moved, "SELECT output_dir FROM kei_crawler") == [(str(out),)]  # says where it looks
    assert (moved / "latest" / store.FILENAME).is_file()  # the relative link moved with it
    current.update(OutputLayout.of(moved), views_database=True)
    assert query(moved, "SELECT count(*) FROM briefs") == [(3,)]
