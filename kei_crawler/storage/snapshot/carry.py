"""Carrying the archive forward: the previous snapshot's rows that this crawl did not re-capture.

Computed batch by batch, so a snapshot of any size is carried with one batch of rows in memory (plus the
crawl's own sets of URLs). ``conform`` also lets a snapshot written under an older schema version
be carried into the current one (missing columns become null, or empty for list and map columns); a
file without a column no row may lack, or with a column of another type, is not one (``unusable_because``).

``refresh_error`` is this crawl's verdict, never an inherited one: set on the rows of briefs this crawl
tried to fetch and could not, null on every other carried row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kei_crawler.storage.snapshot.keys import flat
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA
from kei_crawler.storage.snapshot.store import SnapshotError
from kei_crawler.text.series import is_series_name

_UTC = pa.timestamp("us", tz="UTC")


def _fills_empty(kind: pa.DataType) -> bool:
    return bool(pa.types.is_list(kind) or pa.types.is_map(kind))


REQUIRED_COLUMNS = [f.name for f in BRIEF_SCHEMA if not f.nullable and not _fills_empty(f.type)]
"""The columns a snapshot must hold to be carried forward: never null, and nothing to fill them with."""


def conform(table: pa.Table) -> pa.Table:
    """``table`` in BRIEF_SCHEMA's column order and types, missing columns filled (a reader may read only
    the columns it needs), ``authors`` under the people-only rule (:func:`people_only`); SnapshotError when
    a column it holds that is never null holds nulls."""
    columns = []
    for field in BRIEF_SCHEMA:
        if field.name in table.column_names:
            column = table.column(field.name).cast(field.type)
            if not field.nullable and column.null_count:
                raise SnapshotError(f"column {field.name} is empty in {column.null_count} rows")
            if field.name == "authors":
                column = people_only(column)
        elif _fills_empty(field.type):
            column = pa.array([[]] * table.num_rows, type=field.type)
        else:
            column = pa.nulls(table.num_rows, type=field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=BRIEF_SCHEMA)


def people_only(authors: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """An ``authors`` column without the series byline, as ``text.names.people`` extracts it today.

    Snapshots written before schema version 5 kept "Korea View" among the authors of the briefs whose page
    was signed with it. Every reader takes rows through ``conform``, so rows carried forward from such a
    snapshot, and ``diff`` against one, agree with fresh rows. A column without it is returned as it is.
    """
    column = flat(authors)
    names = pc.list_flatten(column)
    # The rule is asked about each distinct name once: a snapshot holds far fewer names than rows.
    spellings = [name for name in pc.unique(names).to_pylist() if name is not None and is_series_name(name)]
    if not spellings:
        return authors
    keep = pc.invert(pc.is_in(names, value_set=pa.array(spellings, pa.string())))
    # Each list's new end: how many kept names come before its old end, over the names of this array.
    offsets = column.offsets
    ends = pc.subtract(offsets, offsets[0])
    kept_before = pa.concat_arrays([pa.array([0], pa.int32()), pc.cumulative_sum(keep.cast(pa.int32()))])
    return pa.ListArray.from_arrays(pc.take(kept_before, ends), pc.filter(names, keep), type=column.type)


def unusable_because(schema: pa.Schema) -> str | None:
    """Why a file of ``schema`` cannot be carried into BRIEF_SCHEMA (a column missing, or of another type);
    None when it can. Columns added by later schema versions may be missing: ``conform`` fills them."""
    missing = [name for name in REQUIRED_COLUMNS if name not in schema.names]
    if missing:
        return f"no {', '.join(missing)} column"
    for field in BRIEF_SCHEMA:
        if field.name in schema.names and not _fits(schema.field(field.name).type, field.type):
            return f"{field.name} is {schema.field(field.name).type}, not {field.type}"
    return None


def _fits(kind: pa.DataType, declared: pa.DataType) -> bool:
    """True when a column of type ``kind`` is read as ``declared`` without changing what it says."""
    if kind.equals(declared):
        return True
    if pa.types.is_string(declared):
        return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))
    if pa.types.is_integer(declared):
        return bool(pa.types.is_integer(kind))
    if pa.types.is_timestamp(declared):
        return pa.types.is_timestamp(kind) and kind.tz is not None  # an instant; a naive time is not one
    if pa.types.is_list(declared):
        is_list = pa.types.is_list(kind) or pa.types.is_large_list(kind)
        return is_list and _fits(kind.value_type, declared.value_type)
    if pa.types.is_map(declared):
        return (
            pa.types.is_map(kind)
            and _fits(kind.key_type, declared.key_type)
            and _fits(kind.item_type, declared.item_type)
        )
    return False


@dataclass(frozen=True)
class CrawlFacts:
    """What this crawl learned about briefs it did not re-capture."""

    captured: frozenset[str]
    """URLs this crawl wrote fresh rows for: their old rows are replaced, not carried."""
    seen: frozenset[str]
    """URLs listed on the listing or confirmed by a 304: their ``last_seen`` moves to ``seen_at``."""
    gone: dict[str, datetime]
    """URLs that answered 404/410, with when: ``removed_at`` is set unless it already was."""
    seen_at: datetime
    failed: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """URLs this crawl requested but could not refresh (a fetch error, or a page the pipelines dropped),
    with why: their row is kept as it was, with ``refresh_error`` saying so."""


class Carried(NamedTuple):
    table: pa.Table
    """Rows in BRIEF_SCHEMA."""
    removed: int
    """Of them, rows this crawl newly marked removed."""
    not_refreshed: int
    """Of them, rows this crawl tried and failed to refresh (``refresh_error`` set)."""


def carried_batches(previous: Path, facts: CrawlFacts, batch_rows: int = 4096) -> Iterator[Carried]:
    """The previous snapshot's rows to carry, updated with ``facts``, batch by batch."""
    seen_at = pa.scalar(facts.seen_at, type=_UTC)
    for batch in pq.ParquetFile(previous).iter_batches(batch_size=batch_rows):
        table = conform(pa.Table.from_batches([batch]))
        # Membership is looked up in the Python sets the crawl already holds, a batch's URLs at a time:
        # ``pc.is_in`` would hash the whole value set again for every batch, which grows as
        # (archive size)² — minutes for a million rows.
        urls = table["url"].to_pylist()
        kept = [url not in facts.captured for url in urls]
        if not all(kept):
            table = table.filter(pa.array(kept, type=pa.bool_()))
            urls = [url for url, keep in zip(urls, kept, strict=True) if keep]
        if table.num_rows == 0:
            continue
        seen = pa.array([url in facts.seen for url in urls], type=pa.bool_())
        last_seen = pc.if_else(seen, seen_at, table["last_seen"])
        # The 404/410 time for each gone URL (null elsewhere); a removal already recorded is kept.
        newly_gone = pa.array([facts.gone.get(url) for url in urls], type=_UTC)
        removed = int(pc.sum(pc.and_(pc.is_null(table["removed_at"]), pc.is_valid(newly_gone))).as_py() or 0)
        removed_at = pc.coalesce(table["removed_at"], newly_gone)
        # This crawl's failure for each URL, null elsewhere: the previous crawl's verdict is replaced.
        refresh_error = pa.array([facts.failed.get(url) for url in urls], type=pa.string())
        for name, column in (
            ("last_seen", last_seen),
            ("removed_at", removed_at),
            ("refresh_error", refresh_error),
        ):
            table = table.set_column(BRIEF_SCHEMA.get_field_index(name), BRIEF_SCHEMA.field(name), column)
        yield Carried(table, removed, int(pc.count(refresh_error).as_py()))
