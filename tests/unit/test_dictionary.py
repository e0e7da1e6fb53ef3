"""The data dictionary: each column's meaning in the Parquet field metadata, the schema's version history,
``datapackage.json`` and docs/schema.md's generated tables, all made from ``items.FIELDS``; and files
written before the descriptions existed read, carry forward and diff as before."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kei_crawler.items import FIELDS
from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import dictionary, schema_docs, store
from kei_crawler.storage.snapshot.carry import CrawlFacts, carried_batches
from kei_crawler.storage.snapshot.diff import diff_files
from kei_crawler.storage.snapshot.schema import (
    BRIEF_SCHEMA,
    DESCRIPTION,
    PEOPLE_ONLY_AUTHORS,
    SCHEMA_HISTORY,
    SCHEMA_VERSION,
    encode_metadata,
    to_table,
)
from tests.support.snapshots import brief, edit

WITHOUT_DESCRIPTIONS = pa.schema([column.remove_metadata() for column in BRIEF_SCHEMA])
"""The schema as snapshots were written before the descriptions were added."""


def rows() -> pa.Table:
    return to_table([
        brief("a", authors=["Kim Min-ji", "Korea View"], provenance={"title": "heading"}, warc_offset=12),
        brief("b", updated=date(2025, 6, 2), updated_raw="Updated June 2, 2025"),
    ])  # fmt: skip


def write(path: Path, table: pa.Table, metadata: dict[str, object] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.replace_schema_metadata(encode_metadata(metadata or {})), path)
    return path


def test_every_column_is_added_by_exactly_one_version_in_order() -> None:
    added = [name for version in SCHEMA_HISTORY for name in version.added]
    assert added == [column.name for column in FIELDS]
    assert [v.version for v in SCHEMA_HISTORY] == list(range(1, SCHEMA_VERSION + 1))
    changed = {name for version in SCHEMA_HISTORY for name in version.changed}
    assert changed <= set(added)
    assert SCHEMA_HISTORY[PEOPLE_ONLY_AUTHORS - 1].changed == ("authors",)


def test_each_field_carries_its_meaning() -> None:
    for column in FIELDS:
        metadata = BRIEF_SCHEMA.field(column.name).metadata
        assert metadata == {DESCRIPTION: column.doc.encode()}, column.name


def test_descriptions_do_not_make_schemas_differ() -> None:
    assert BRIEF_SCHEMA == WITHOUT_DESCRIPTIONS and BRIEF_SCHEMA.equals(WITHOUT_DESCRIPTIONS)
    assert not BRIEF_SCHEMA.equals(WITHOUT_DESCRIPTIONS, check_metadata=True)  # they are there
    assert rows().cast(WITHOUT_DESCRIPTIONS).equals(rows())


def test_a_spool_part_written_without_descriptions_joins_a_snapshot_with_them(tmp_path: Path) -> None:
    """A crawl interrupted before the descriptions existed and resumed after: its spooled parts are
    written into the new snapshot's file as they are."""
    part = write(tmp_path / "part-000000.parquet", rows().cast(WITHOUT_DESCRIPTIONS))
    with pq.ParquetWriter(tmp_path / "briefs.parquet", BRIEF_SCHEMA) as writer:
        writer.write_table(pq.read_table(part))
        writer.write_table(rows())
    written = pq.read_table(tmp_path / "briefs.parquet")
    assert written.num_rows == 4
    assert written.schema.field("title").metadata == BRIEF_SCHEMA.field("title").metadata


def test_descriptions_are_read_back_and_readers_see_the_same_table(tmp_path: Path) -> None:
    new = write(tmp_path / "new.parquet", rows())
    old = write(tmp_path / "old.parquet", rows().cast(WITHOUT_DESCRIPTIONS))
    read = pq.read_schema(new)
    assert (
        read.field("body").metadata[DESCRIPTION].decode()
        == BRIEF_SCHEMA.field("body").metadata[DESCRIPTION].decode()
    )
    assert pq.read_schema(old).field("body").metadata is None
    assert pq.read_table(new).equals(pq.read_table(old))

    def described(path: Path) -> list[tuple[object, ...]]:
        return duckdb.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()

    assert described(new) == described(old)
    assert (
        duckdb.execute(f"SELECT * FROM '{new}'").fetchall()
        == duckdb.execute(f"SELECT * FROM '{old}'").fetchall()
    )
    assert pl.read_parquet(new).equals(pl.read_parquet(old))
    assert pl.read_parquet(new).schema == pl.read_parquet(old).schema
    assert pl.read_parquet(new)["authors"][0].to_list() == ["Kim Min-ji", "Korea View"]
    frames = [pd.read_parquet(path, dtype_backend="pyarrow") for path in (new, old)]
    assert frames[0].equals(frames[1]) and frames[0].dtypes.equals(frames[1].dtypes)


def test_a_snapshot_without_descriptions_carries_forward_and_diffs(tmp_path: Path) -> None:
    old = write(tmp_path / "old.parquet", rows().cast(WITHOUT_DESCRIPTIONS))
    now = datetime(2026, 12, 4, tzinfo=UTC)
    facts = CrawlFacts(captured=frozenset(), seen=frozenset(), gone={}, seen_at=now, failed={})
    (carried,) = list(carried_batches(old, facts))
    assert carried.table.schema == BRIEF_SCHEMA and carried.table.num_rows == 2
    new_rows = [brief("a", authors=["Kim Min-ji", "Korea View"]), edit(brief("b"), body="Changed.")]
    new = write(tmp_path / "new.parquet", to_table(new_rows))
    changes = diff_files(old, new)
    assert changes.counts == {"added": 0, "removed": 0, "changed": 1, "moved": 0}


def test_table_types() -> None:
    fields = {f["name"]: f for f in dictionary.table_schema()["fields"]}
    assert [name for name in fields] == [column.name for column in FIELDS]
    assert {name: f["type"] for name, f in fields.items() if f["type"] != "string"} == {
        "published": "date",
        "updated": "date",
        "authors": "array",
        "categories": "array",
        "fetched_at": "datetime",
        "first_seen": "datetime",
        "last_seen": "datetime",
        "removed_at": "datetime",
        "provenance": "object",
        "warc_offset": "integer",
    }
    assert fields["authors"]["arrayItem"] == {"type": "string"}
    assert fields["provenance"]["arrowType"] == "map<string, string>"
    assert fields["url"]["format"] == "uri" and fields["title"]["format"] == "default"
    for column in FIELDS:
        assert fields[column.name]["description"] == column.doc
        assert fields[column.name]["constraints"] == {"required": not column.nullable}
    with pytest.raises(ValueError, match="no Table Schema type for the Arrow type double"):
        dictionary.table_type(pa.float64())


def test_the_package_names_the_newest_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(store.snapshot_path(out, "2026-01-01T000000Z"), rows())
    finished = "2026-01-02T00:01:00+00:00"
    meta = {
        "finished_at": finished,
        "base_url": "http://127.0.0.1:1",
        "version": "0.1.0",
        "schema_version": 4,
    }
    write(store.snapshot_path(out, "2026-01-02T000000Z"), rows(), meta)
    newest = store.latest(out)
    assert newest is not None
    path = dictionary.write_datapackage(out, newest)
    assert path == OutputLayout.of(out).datapackage
    package = json.loads(path.read_text("utf-8"))
    (resource,) = package["resources"]
    assert resource["path"] == "snapshots/snapshot=2026-01-02T000000Z/briefs.parquet"
    assert (out / resource["path"]).is_file()
    assert resource["schema"]["primaryKey"] == ["brief_id"]
    assert package["created"] == finished
    assert package["kei_crawler"]["crawl_id"] == "2026-01-02T000000Z"
    history = package["kei_crawler"]["schema_history"]
    assert [v["version"] for v in history] == list(range(1, SCHEMA_VERSION + 1))
    assert history[3]["added"] == ["photo_warc_record_id"] and history[4]["changed"] == ["authors"]
    assert not list(out.glob(".*"))  # no temporary file left
    assert [ref.crawl_id for ref in store.scan(out).refs] == ["2026-01-01T000000Z", "2026-01-02T000000Z"]
    assert store.scan(out).ignored == []


def test_a_package_that_cannot_be_written_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After a publish: the snapshot is out, so the run goes on, and says what it could not write."""
    out = tmp_path / "out"
    write(store.snapshot_path(out, "2026-01-01T000000Z"), rows())
    (out / dictionary.FILENAME).mkdir()
    dictionary.describe_newest(out)
    assert "Could not write the data package: [Errno 21] Is a directory" in caplog.text
    dictionary.describe_newest(tmp_path / "empty")  # no snapshot: nothing to describe, nothing written
    assert not (tmp_path / "empty").exists()


def test_something_else_where_the_package_goes_stops_a_run(tmp_path: Path) -> None:
    layout = OutputLayout.of(tmp_path)
    layout.datapackage.mkdir()
    assert (
        layout.misplaced()
        == f"{layout.datapackage} is a folder, where kei-crawler keeps a file; move it out of the way"
    )


def test_stale_generated_blocks_are_rewritten_and_the_prose_kept(tmp_path: Path) -> None:
    current = Path(schema_docs.__file__).resolve().parents[3] / "docs" / "schema.md"
    text = current.read_text("utf-8")
    stale = text.replace("| `slug` | `string` | no |", "| `slug` | `string` | yes |").replace(
        "| 4 | `photo_warc_record_id` |", "| 4 | `photo` |"
    )
    assert stale != text
    page = tmp_path / "schema.md"
    page.write_text(stale + "\nHand-written words.\n", "utf-8")
    assert schema_docs.main([str(page), "--check"]) == 1
    assert page.read_text("utf-8") == stale + "\nHand-written words.\n"  # --check changes nothing
    assert schema_docs.main([str(page)]) == 0
    assert page.read_text("utf-8") == text + "\nHand-written words.\n"
    assert schema_docs.main([str(page), "--check"]) == 0


def test_a_page_without_the_markers_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "schema.md"
    page.write_text("# No markers\n", "utf-8")
    assert schema_docs.main([str(page)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kei-crawler: ") and "no generated block 'columns'" in err
    assert schema_docs.main([str(tmp_path / "missing.md")]) == 2
    assert capsys.readouterr().err.startswith("kei-crawler: ")
