"""carry.carried_batches and conform on small snapshots built here: what a carried row says about this crawl."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kei_crawler.run.counts import FailureLists
from kei_crawler.storage.snapshot.carry import CrawlFacts, carried_batches, conform
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, to_table
from tests.support.snapshots import brief

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 3, 1, tzinfo=UTC)
ORIGIN = "https://keia.org/the-peninsula"
MISSING_DATE = "MissingDate: no publication date (published_raw: tried text-layout, time-element)"


def url(slug: str) -> str:
    return f"{ORIGIN}/{slug}/"


def previous_snapshot(path: Path, *, drop: tuple[str, ...] = ()) -> Path:
    """Four archived briefs; b still says the crawl before the previous one could not refresh it."""
    rows = [brief("a"), dataclasses.replace(brief("b"), refresh_error="http_500"), brief("c"), brief("d")]
    pq.write_table(to_table(rows).drop_columns(list(drop)), path, row_group_size=2)
    return path


def carry(path: Path, **facts: Any) -> tuple[dict[str, dict[str, Any]], int, int]:
    given = {"captured": frozenset(), "seen": frozenset(), "gone": {}, "seen_at": NOW, **facts}
    rows: dict[str, dict[str, Any]] = {}
    removed = not_refreshed = 0
    for table, n_removed, n_not_refreshed in carried_batches(path, CrawlFacts(**given), batch_rows=2):
        assert table.schema == BRIEF_SCHEMA
        rows.update((row["url"], row) for row in table.to_pylist())
        removed += n_removed
        not_refreshed += n_not_refreshed
    return rows, removed, not_refreshed


# Each case: this crawl's facts → refresh_error of each carried row (absent: not carried).
CASES = [
    ("nothing tried: an old verdict does not linger", {}, {"a": None, "b": None, "c": None, "d": None}),
    ("a fetch error", {"failed": {url("a"): "http_503"}}, {"a": "http_503", "b": None, "c": None, "d": None}),
    ("a page dropped for a missing field", {"failed": {url("c"): MISSING_DATE}},
     {"a": None, "b": None, "c": MISSING_DATE, "d": None}),
    ("the old verdict replaced by this crawl's", {"failed": {url("b"): "TimeoutError"}},
     {"a": None, "b": "TimeoutError", "c": None, "d": None}),
    ("captured fresh: no carried row to mark", {"captured": frozenset({url("a")}), "failed": {url("a"): "http_500"}},
     {"b": None, "c": None, "d": None}),
    ("a failed brief the archive never held", {"failed": {url("new"): "http_500"}},
     {"a": None, "b": None, "c": None, "d": None}),
    ("listed, then failed", {"seen": frozenset({url("d")}), "failed": {url("d"): "http_502"}},
     {"a": None, "b": None, "c": None, "d": "http_502"}),
    ("gone and failed elsewhere", {"gone": {url("a"): NOW}, "failed": {url("b"): "http_500", url("c"): "http_500"}},
     {"a": None, "b": "http_500", "c": "http_500", "d": None}),
]  # fmt: skip


@pytest.mark.parametrize(("facts", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refresh_error_is_this_crawls_verdict(
    tmp_path: Path, facts: dict[str, Any], expected: dict[str, str | None]
) -> None:
    path = previous_snapshot(tmp_path / "briefs.parquet")
    before = {row["url"]: row for row in pq.read_table(path).to_pylist()}
    rows, _, not_refreshed = carry(path, **facts)
    assert {u: row["refresh_error"] for u, row in rows.items()} == {url(s): e for s, e in expected.items()}
    assert not_refreshed == sum(1 for e in expected.values() if e is not None)
    for u, row in rows.items():
        # The row is the previous one: only lineage and this crawl's verdicts move.
        unchanged = {k: v for k, v in row.items() if k not in ("last_seen", "removed_at", "refresh_error")}
        assert unchanged == {k: v for k, v in before[u].items() if k in unchanged}


def test_a_failed_brief_that_was_listed_keeps_its_capture_and_moves_last_seen(tmp_path: Path) -> None:
    path = previous_snapshot(tmp_path / "briefs.parquet")
    rows, removed, _ = carry(
        path, seen=frozenset({url("d")}), failed={url("d"): "http_500"}, gone={url("a"): NOW}
    )
    assert rows[url("d")]["last_seen"] == NOW and rows[url("d")]["fetched_at"] == T0
    assert rows[url("a")]["removed_at"] == NOW and removed == 1


def test_a_v2_snapshot_is_carried_into_v3(tmp_path: Path) -> None:
    path = previous_snapshot(tmp_path / "briefs.parquet", drop=("refresh_error",))
    assert "refresh_error" not in pq.read_schema(path).names
    rows, _, not_refreshed = carry(path, failed={url("c"): MISSING_DATE})
    assert {u: row["refresh_error"] for u, row in rows.items()} == {
        url("a"): None, url("b"): None, url("c"): MISSING_DATE, url("d"): None,
    }  # fmt: skip
    assert not_refreshed == 1


def test_conform_fills_refresh_error_for_a_v2_table() -> None:
    v3 = to_table([brief("a"), brief("b")])
    v2 = v3.drop_columns(["refresh_error"])
    conformed = conform(v2)
    assert conformed.schema == BRIEF_SCHEMA
    assert conformed["refresh_error"].null_count == 2
    assert conformed.equals(v3)
    # Columns in another order (a hand-made file) come back in the schema's order.
    shuffled = v2.select(list(reversed(v2.column_names)))
    assert conform(shuffled).equals(v3)
    assert conform(pa.Table.from_pylist([], schema=v2.schema)).num_rows == 0


REFRESH_CASES = [
    ("nothing failed", {}, {}),
    ("a brief's fetch error", {"errors": [{"kind": "brief", "url": url("a"), "reason": "http_503",
                                                   "fetched_url": "http://127.0.0.1:1/the-peninsula/a/"}]},
     {url("a"): "http_503"}),
    ("a listing page is no brief", {"errors": [{"kind": "listing", "url": f"{ORIGIN}/", "reason": "http_500"}]},
     {}),
    ("a drop, with its detail", {"drops": [{"kind": "brief", "url": url("b"), "reason": "MissingDate",
                                                    "detail": MISSING_DATE.removeprefix("MissingDate: ")}]},
     {url("b"): MISSING_DATE}),
    ("both lists", {"errors": [{"kind": "brief", "url": url("a"), "reason": "http_500"}],
                    "drops": [{"kind": "brief", "url": url("b"), "reason": "NotABrief",
                                       "detail": "section is 'News', not 'The Peninsula'"}]},
     {url("a"): "http_500", url("b"): "NotABrief: section is 'News', not 'The Peninsula'"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lists", "expected"), [c[1:] for c in REFRESH_CASES], ids=[c[0] for c in REFRESH_CASES]
)
def test_refresh_failures_from_the_error_and_drop_lists(
    lists: dict[str, Any], expected: dict[str, str]
) -> None:
    assert FailureLists(**lists).refresh_failures() == expected
