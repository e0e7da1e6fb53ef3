"""`kei-crawler snapshots`: each snapshot with counts versus the one before; a corrupt file is listed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kei_crawler.commands import main
from kei_crawler.monitor.survey import survey
from kei_crawler.storage.snapshot import store
from tests.support.snapshots import brief, edit, move, write_snapshot


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    first = [brief(f"b{n}") for n in range(5)]
    second = [*first, brief("b5"), brief("b6")]
    second[0] = edit(second[0], title="Edited")
    third = [*second[:3], move(second[3], "b3-new"), *second[5:]]  # b4 gone, b3 moved
    write_snapshot(out, "2026-01-01T000000Z", first)
    write_snapshot(out, "2026-01-02T000000Z", second)
    write_snapshot(out, "2026-01-04T000000Z", third)
    return out


def test_counts_versus_the_previous_snapshot(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = survey(archive)
    assert [r.crawl_id for r in rows] == ["2026-01-01T000000Z", "2026-01-02T000000Z", "2026-01-04T000000Z"]
    assert [r.rows for r in rows] == [5, 7, 6]
    assert rows[0].counts is None
    assert rows[1].counts == {"added": 2, "removed": 0, "changed": 1, "moved": 0}
    assert rows[2].counts == {"added": 0, "removed": 1, "changed": 0, "moved": 1}
    assert all(r.error is None and r.size > 0 for r in rows)
    assert main(["snapshots", "--output-dir", str(archive)]) == 0
    stdout = capsys.readouterr().out
    assert "2026-01-04T000000Z" in stdout and " ok" in stdout


def test_a_file_that_does_not_load_is_listed_with_its_error(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = store.snapshot_path(archive, "2026-01-03T000000Z")
    broken.parent.mkdir(parents=True)
    data = store.snapshot_path(archive, "2026-01-02T000000Z").read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    rows = survey(archive)
    assert [r.crawl_id for r in rows][2] == "2026-01-03T000000Z"
    assert rows[2].error and "not a readable Parquet file" in rows[2].error and rows[2].rows is None
    # The next one is compared with the last one that loaded.
    assert rows[3].counts == {"added": 0, "removed": 1, "changed": 0, "moved": 1}
    assert main(["snapshots", "--output-dir", str(archive)]) == 1
    captured = capsys.readouterr()
    assert "unreadable" in captured.out  # the reason is on stderr, whole
    assert captured.err.startswith("kei-crawler: snapshot 2026-01-03T000000Z does not load")


def test_empty_and_missing_directories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["snapshots", "--output-dir", str(tmp_path / "empty")]) == 0
    assert "No snapshots in" in capsys.readouterr().out
    assert main(["snapshots", "--output-dir", str(tmp_path / "absent")]) == 2
    assert "no such directory" in capsys.readouterr().err


def test_a_brief_marked_removed_counts_as_removed(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    a = brief("a")
    write_snapshot(tmp_path, "2026-01-01T000000Z", [a])
    write_snapshot(
        tmp_path, "2026-01-02T000000Z", [dataclasses.replace(a, removed_at=datetime(2026, 1, 2, tzinfo=UTC))]
    )
    assert survey(tmp_path)[1].counts == {"added": 0, "removed": 1, "changed": 0, "moved": 0}
