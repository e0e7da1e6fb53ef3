"""snapshot.diff on small tables built here: every kind of change, moves, and an older schema."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kei_crawler.items import Brief
from kei_crawler.storage.snapshot.diff import diff, diff_files
from kei_crawler.storage.snapshot.schema import to_table
from kei_crawler.storage.snapshot.similarity import body_change
from kei_crawler.storage.snapshot.store import SnapshotError
from tests.support.snapshots import T0, T1, brief, edit, move


def ids(table: pa.Table) -> list[str]:
    return sorted(table["slug"].to_pylist())


@pytest.fixture
def briefs() -> dict[str, Brief]:
    return {slug: brief(slug) for slug in ("a", "b", "c", "d", "e", "f")}


def test_identical_snapshots_have_no_changes(briefs: dict[str, Brief]) -> None:
    table = to_table(briefs.values())
    changes = diff(table, table)
    assert changes.empty
    assert changes.counts == {"added": 0, "removed": 0, "changed": 0, "moved": 0}


def test_every_kind_of_change(briefs: dict[str, Brief]) -> None:
    old = to_table(briefs.values())
    new_rows = [
        briefs["a"],  # unchanged
        edit(briefs["b"], body=briefs["b"].body + "\n\nA new closing paragraph."),
        edit(briefs["c"], title="A corrected title", authors=["Kim Min-ji", "Lee Jae-won"]),
        # d: absent from the new snapshot
        dataclasses.replace(briefs["e"], removed_at=T1),  # e: the site answered 404
        move(briefs["f"], "f-republished"),
        brief("g", published=date(2025, 6, 1)),
    ]
    changes = diff(old, to_table(new_rows))
    assert changes.counts == {"added": 1, "removed": 2, "changed": 2, "moved": 1}
    assert not changes.empty
    assert ids(changes.added) == ["g"]
    assert ids(changes.removed) == ["d", "e"]
    marks = dict(
        zip(changes.removed["slug"].to_pylist(), changes.removed["removed_at"].to_pylist(), strict=True)
    )
    assert marks == {"d": None, "e": T1}  # absent vs marked removed by the new crawl
    changed = {row["slug"]: row for row in changes.changed.to_pylist()}
    assert changed["b"]["changed_fields"] == ["body"]
    assert changed["b"]["chars_added"] == len("\n\nA new closing paragraph.")
    assert changed["b"]["chars_removed"] == 0
    assert 0.9 < changed["b"]["similarity"] < 1
    assert changed["c"]["changed_fields"] == ["title", "authors"]
    assert changed["c"]["title"] == "A corrected title"  # the new row
    assert changed["c"]["chars_added"] is None and changed["c"]["similarity"] is None
    moved = changes.moved.to_pylist()
    assert [(m["old_url"], m["url"]) for m in moved] == [
        ("https://keia.org/the-peninsula/f/", "https://keia.org/the-peninsula/f-republished/")
    ]
    assert moved[0]["old_brief_id"] == briefs["f"].brief_id


def test_fields_outside_the_content_hash_are_reported_beside_a_hash_change(briefs: dict[str, Brief]) -> None:
    b = briefs["b"]
    new = edit(
        b, published=date(2025, 5, 2), updated=date(2025, 7, 1), photo_caption=None,
        photo_url="https://keia.org/p.jpg", categories=[], series="Korea View", credits="Edited by X.",
    )  # fmt: skip
    changes = diff(to_table([b]), to_table([new]))
    assert changes.changed["changed_fields"].to_pylist() == [
        ["published", "updated", "categories", "series", "credits", "photo_caption", "photo_url"]
    ]


def test_a_removed_brief_that_stays_removed_is_not_reported_again(briefs: dict[str, Brief]) -> None:
    gone = dataclasses.replace(briefs["a"], removed_at=T0)
    assert diff(to_table([gone]), to_table([dataclasses.replace(gone, last_seen=T1)])).empty
    assert diff(to_table([gone]), to_table([])).empty
    back = diff(to_table([gone]), to_table([briefs["a"]]))  # the site serves it again
    assert ids(back.added) == ["a"]


def test_moves_pair_one_to_one_and_a_live_duplicate_is_no_move(briefs: dict[str, Brief]) -> None:
    a = briefs["a"]
    # Two new URLs carry a's content: one is the move, the other an added brief.
    changes = diff(to_table([a]), to_table([move(a, "a-2"), move(a, "a-3")]))
    assert changes.counts == {"added": 1, "removed": 0, "changed": 0, "moved": 1}
    # a still served: a second URL with the same content is added, not moved.
    changes = diff(to_table([a]), to_table([a, move(a, "a-copy")]))
    assert changes.counts == {"added": 1, "removed": 0, "changed": 0, "moved": 0}
    # Moved and edited at once: a removal and an addition.
    changes = diff(to_table([a]), to_table([edit(move(a, "a-new"), title="Other")]))
    assert changes.counts == {"added": 1, "removed": 1, "changed": 0, "moved": 0}


def test_an_older_schema_without_newer_columns_still_diffs(briefs: dict[str, Brief]) -> None:
    current = to_table(briefs.values())
    # As a snapshot from before provenance, updated and removed_at were columns.
    older = current.drop_columns(["provenance", "updated", "updated_raw", "removed_at"])
    new = to_table([edit(briefs["a"], title="New title"), *list(briefs.values())[1:], brief("z")])
    changes = diff(older, new)
    assert changes.counts == {"added": 1, "removed": 0, "changed": 1, "moved": 0}
    assert changes.changed["changed_fields"].to_pylist() == [["title"]]
    back = diff(new, older)
    assert back.counts == {"added": 0, "removed": 1, "changed": 1, "moved": 0}


def test_a_brief_that_could_not_be_refreshed_is_not_a_change(briefs: dict[str, Brief]) -> None:
    before = to_table(briefs.values())
    # The next crawl failed to fetch a and b and carried their rows; then one where they answered again.
    failed = {"a": "http_503", "b": "MissingDate: no publication date (published_raw: tried text-layout)"}
    not_refreshed = to_table(
        dataclasses.replace(b, last_seen=T1, refresh_error=failed.get(slug)) for slug, b in briefs.items()
    )
    assert diff(before, not_refreshed).empty
    assert diff(not_refreshed, before).empty
    older = before.drop_columns(["refresh_error"])  # a schema v2 snapshot
    assert diff(older, not_refreshed).empty


def test_a_table_without_the_key_columns_is_refused(briefs: dict[str, Brief]) -> None:
    table = to_table(briefs.values())
    with pytest.raises(SnapshotError, match="no brief_id column"):
        diff(table.drop_columns(["brief_id"]), table)
    with pytest.raises(SnapshotError, match="no content_hash column"):
        diff(table, table.drop_columns(["content_hash"]))


def test_diff_files_reads_only_the_row_groups_it_needs_and_agrees_with_diff(
    tmp_path: Path, briefs: dict[str, Brief]
) -> None:
    many = [brief(f"s{n:03d}", published=date(2024, 1, 1 + n % 28)) for n in range(300)]
    old = to_table(many)
    changed = [
        edit(b, body=b.body.replace("economy", "trade")) if n % 50 == 7 else b for n, b in enumerate(many)
    ]
    new_rows = [brief("new-one"), *changed[:100], move(changed[100], "moved-here"), *changed[102:]]
    new = to_table(new_rows)
    pq.write_table(old, tmp_path / "old.parquet", row_group_size=32)
    pq.write_table(new, tmp_path / "new.parquet", row_group_size=32)
    from_files = diff_files(tmp_path / "old.parquet", tmp_path / "new.parquet")
    in_memory = diff(old, new)
    assert from_files.counts == in_memory.counts == {"added": 1, "removed": 1, "changed": 6, "moved": 1}
    for kind in ("added", "removed", "changed", "moved"):
        assert getattr(from_files, kind).equals(getattr(in_memory, kind)), kind
    assert from_files.changed["changed_fields"].to_pylist() == [["body"]] * 6


def test_body_change_counts_words_added_and_removed() -> None:
    summary = body_change("one two three four", "one two 3 four five")
    assert (summary.chars_added, summary.chars_removed) == (len("3 five "), len("three "))
    # Characters in common: the head "one two " and "four " — 2 × 13 of 37.
    assert summary.similarity == pytest.approx(2 * 13 / 37, abs=1e-4)
    assert body_change("same", "same").similarity == 1.0
