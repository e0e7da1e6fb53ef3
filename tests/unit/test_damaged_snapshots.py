"""A newest snapshot that cannot be carried forward (issue 14, point 18): named in one line and skipped as
the crawl's state; ``feed``, ``diff`` and ``snapshots`` say so in one line, never with a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kei_crawler.commands import main
from kei_crawler.run.archive import ArchiveState
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.diff import diff_files
from kei_crawler.storage.snapshot.reading import open_snapshot
from kei_crawler.storage.snapshot.schema import to_table
from kei_crawler.storage.snapshot.store import SnapshotError
from tests.support.snapshots import brief, edit, write_snapshot

GOOD, DAMAGED, LATER = "2026-01-01T000000Z", "2026-02-01T000000Z", "2026-03-01T000000Z"
ROWS = [brief("a"), brief("b")]


def without_body_and_caption(table: pa.Table) -> pa.Table:
    return table.drop_columns(["body", "photo_caption"])


def published_as_text(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("published")
    return table.set_column(index, "published", table["published"].cast(pa.string()))


def brief_id_as_number(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("brief_id")
    return table.set_column(index, "brief_id", pa.array(range(table.num_rows), pa.int64()))


def null_bodies(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("body")
    return table.set_column(index, pa.field("body", pa.string()), pa.nulls(table.num_rows, pa.string()))


def listing_as_text(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("authors")
    return table.set_column(index, "authors", pa.array(["Kim"] * table.num_rows))


TABLE_DAMAGE: dict[str, Callable[[pa.Table], pa.Table]] = {
    "no body or photo_caption column": without_body_and_caption,
    "published as text": published_as_text,
    "brief_id a number": brief_id_as_number,
    "null bodies": null_bodies,
    "authors as text": listing_as_text,
}
FILE_DAMAGE: dict[str, bytes] = {"not Parquet": b"PAR1 not really\n", "zero bytes": b""}
DAMAGE = [*TABLE_DAMAGE, *FILE_DAMAGE]


def damage(out: Path, crawl_id: str, how: str) -> Path:
    path = store.snapshot_path(out, crawl_id)
    path.parent.mkdir(parents=True)
    if how in FILE_DAMAGE:
        path.write_bytes(FILE_DAMAGE[how])
    else:
        pq.write_table(TABLE_DAMAGE[how](to_table(ROWS)), path)
    return path


@pytest.fixture(params=DAMAGE)
def damaged(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Path]:
    """A good snapshot, then a damaged one after it: the output directory and the damaged file."""
    out = tmp_path / "out"
    write_snapshot(out, GOOD, ROWS)
    return out, damage(out, DAMAGED, request.param)


def test_the_crawl_skips_a_damaged_newest_and_names_it(
    damaged: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    out, path = damaged
    with caplog.at_level(logging.WARNING):
        state = ArchiveState.load(out)
    assert state.snapshot is not None and state.snapshot.crawl_id == GOOD
    named = [r.getMessage() for r in caplog.records if str(path) in r.getMessage()]
    assert len(named) == 1 and "\n" not in named[0]


def test_open_snapshot_refuses_it_in_one_line(damaged: tuple[Path, Path]) -> None:
    _, path = damaged
    with pytest.raises(SnapshotError) as refused:
        open_snapshot(path)
    assert "\n" not in str(refused.value) and str(path) in str(refused.value)


def test_feed_of_a_damaged_newest_is_one_line(
    damaged: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, path = damaged
    assert main(["feed", "--output", str(tmp_path / "f.xml"), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kei-crawler: ") and str(path) in err
    assert not (tmp_path / "f.xml").exists()


def test_diff_of_a_damaged_newest_is_one_line(
    damaged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out, path = damaged
    assert main(["diff", "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kei-crawler: ") and str(path) in err


def test_diff_compares_the_newest_with_the_last_readable_one_before_it(
    damaged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """As ``snapshots`` counts the changes of a snapshot against the last one that loaded."""
    out, _ = damaged
    write_snapshot(out, LATER, [edit(ROWS[0], title="Edited"), ROWS[1], brief("c")])
    assert main(["diff", "--output-dir", str(out), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert f'"snapshot": "{GOOD}"' in captured.out and f'"snapshot": "{LATER}"' in captured.out
    assert captured.err.count("\n") == 1 and "warning" in captured.err and DAMAGED in captured.err
    assert '"added": 1' in captured.out and '"changed": 1' in captured.out


def test_snapshots_lists_it_as_unreadable(
    damaged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = damaged
    assert main(["snapshots", "--output-dir", str(out)]) == 1
    captured = capsys.readouterr()
    assert "unreadable" in captured.out
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"kei-crawler: snapshot {DAMAGED} does not load")


def test_diff_of_damaged_files_given_by_path_is_refused(damaged: tuple[Path, Path]) -> None:
    out, path = damaged
    with pytest.raises(SnapshotError, match=str(path)):
        diff_files(store.snapshot_path(out, GOOD), path)


def test_an_older_schema_version_is_not_damage(tmp_path: Path) -> None:
    """Columns added since (provenance, updated, removed_at, the WARC links, refresh_error) may be missing."""
    out = tmp_path / "out"
    newer = ["provenance", "updated", "updated_raw", "removed_at", "warc_file", "warc_record_id", "warc_offset",
             "refresh_error"]  # fmt: skip
    path = store.snapshot_path(out, GOOD)
    path.parent.mkdir(parents=True)
    pq.write_table(to_table(ROWS).drop_columns(newer), path)
    assert ArchiveState.load(out).snapshot is not None
    assert open_snapshot(path).num_rows == 2


def test_equivalent_types_are_not_damage(tmp_path: Path) -> None:
    """A file another tool rewrote with wider strings, a narrower integer or nanosecond times still reads."""
    out = tmp_path / "out"
    table = to_table(ROWS)
    for name, kind in (("body", pa.large_string()), ("warc_offset", pa.int32()),
                       ("first_seen", pa.timestamp("ns", tz="UTC"))):  # fmt: skip
        index = table.schema.get_field_index(name)
        table = table.set_column(index, table.schema.field(name).with_type(kind), table[name].cast(kind))
    path = store.snapshot_path(out, GOOD)
    path.parent.mkdir(parents=True)
    pq.write_table(table, path)
    state = ArchiveState.load(out)
    assert state.snapshot is not None and state.known[ROWS[0].url].first_seen == ROWS[0].first_seen
    assert open_snapshot(path).num_rows == 2
