"""The quality baseline: counted as rows are written, stored in the snapshot, read back without the rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kei_crawler.items import Brief
from kei_crawler.run.quality import PROFILE_METADATA, ProfileCounts, baseline_profile, profile_of_snapshot
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, SCHEMA_VERSION, encode_metadata, to_table

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def brief(n: int, **fields: object) -> Brief:
    base: dict[str, object] = dict(
        url=f"https://keia.org/the-peninsula/b-{n}/", brief_id=f"{n:016x}", slug=f"b-{n}", title=f"Brief {n}",
        published=date(2025, 1, 1), published_raw="January 1, 2025", body="é" * (n + 1), content_hash=str(n),
        fetched_at=T0, first_seen=T0, last_seen=T0,
    )  # fmt: skip
    base.update(fields)
    return Brief(**base)  # type: ignore[arg-type]


ROWS = [
    brief(0, photo_caption="A caption", authors=["Kim"]),
    brief(1, photo_caption="", categories=["Trade"]),
    brief(2, credits="Edited by", series="Korea View", updated=date(2025, 2, 1)),
    brief(3, photo_url="https://keia.org/p.jpg"),
]


def write(path: Path, tables: list[list[Brief]], stored: dict[str, object] | None) -> None:
    with pq.ParquetWriter(path, BRIEF_SCHEMA) as writer:
        for rows in tables:
            writer.write_table(to_table(rows))
        if stored is not None:  # as a crawl stores it: beside the schema version it was counted under
            writer.add_key_value_metadata(
                encode_metadata({PROFILE_METADATA: stored, "schema_version": SCHEMA_VERSION})
            )


@pytest.mark.parametrize("split", [[4], [1, 3], [2, 1, 1]])
def test_counts_added_table_by_table_equal_the_profile_read_back(tmp_path: Path, split: list[int]) -> None:
    tables, start = [], 0
    for size in split:
        tables.append(ROWS[start : start + size])
        start += size
    counts = ProfileCounts()
    for rows in tables:
        counts.add(to_table(rows))
    path = tmp_path / "s.parquet"
    write(path, tables, counts.to_metadata())
    assert counts.profile() == profile_of_snapshot(path) == baseline_profile(path)
    assert counts.profile().fill_rates["photo_caption"] == 0.25  # "" is not filled
    assert counts.body_chars == 1 + 2 + 3 + 4  # characters, not UTF-8 bytes


def test_the_stored_profile_is_used_without_reading_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    stored = {"rows": 10, "filled": {"title": 10, "body": 5}, "body_chars": 1000}
    write(path, [ROWS], stored)
    baseline = baseline_profile(path)
    assert (baseline.briefs, baseline.fill_rates["body"], baseline.mean_body_chars) == (10, 0.5, 100.0)


@pytest.mark.parametrize("stored", [None, "not json", {"rows": "x"}, {"filled": {}}, [1, 2]])
def test_a_snapshot_without_a_readable_stored_profile_is_read(tmp_path: Path, stored: object) -> None:
    path = tmp_path / "s.parquet"
    with pq.ParquetWriter(path, BRIEF_SCHEMA) as writer:
        writer.write_table(to_table(ROWS))
        if stored is not None:
            text = stored if isinstance(stored, str) else json.dumps(stored)
            writer.add_key_value_metadata(encode_metadata({PROFILE_METADATA: text}))
    assert baseline_profile(path) == profile_of_snapshot(path)
    assert baseline_profile(path).briefs == 4
