"""Carrying the archive forward: the previous snapshot's rows that this crawl did not re-capture.

Computed batch by batch with pyarrow compute, never a Python loop over rows, so a snapshot of any size
is carried in constant memory. ``conform`` also lets a snapshot written under an older schema version
be carried into the current one (missing columns become null, or empty for list and map columns).

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

from kei_crawler.snapshot.schema import BRIEF_SCHEMA

_UTC = pa.timestamp("us", tz="UTC")


def conform(table: pa.Table) -> pa.Table:
    """``table`` in BRIEF_SCHEMA's column order and types, missing columns filled."""
    columns = []
    for field in BRIEF_SCHEMA:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        elif pa.types.is_list(field.type) or pa.types.is_map(field.type):
            columns.append(pa.array([[]] * table.num_rows, type=field.type))
        else:
            columns.append(pa.nulls(table.num_rows, type=field.type))
    return pa.Table.from_arrays(columns, schema=BRIEF_SCHEMA)


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
    captured = pa.array(sorted(facts.captured), type=pa.string())
    seen = pa.array(sorted(facts.seen), type=pa.string())
    gone_urls = pa.array(list(facts.gone), type=pa.string())
    gone_times = pa.array(list(facts.gone.values()), type=_UTC)
    failed_urls = pa.array(list(facts.failed), type=pa.string())
    failed_reasons = pa.array(list(facts.failed.values()), type=pa.string())
    seen_at = pa.scalar(facts.seen_at, type=_UTC)
    for batch in pq.ParquetFile(previous).iter_batches(batch_size=batch_rows):
        table = conform(pa.Table.from_batches([batch]))
        table = table.filter(pc.invert(pc.is_in(table["url"], value_set=captured)))
        if table.num_rows == 0:
            continue
        url = table["url"]
        last_seen = pc.if_else(pc.is_in(url, value_set=seen), seen_at, table["last_seen"])
        # The 404/410 time for each gone URL (null elsewhere); a removal already recorded is kept.
        newly_gone = pc.take(gone_times, pc.index_in(url, value_set=gone_urls))
        removed = int(pc.sum(pc.and_(pc.is_null(table["removed_at"]), pc.is_valid(newly_gone))).as_py() or 0)
        removed_at = pc.coalesce(table["removed_at"], newly_gone)
        # This crawl's failure for each URL, null elsewhere: the previous crawl's verdict is replaced.
        refresh_error = pc.take(failed_reasons, pc.index_in(url, value_set=failed_urls))
        for name, column in (
            ("last_seen", last_seen),
            ("removed_at", removed_at),
            ("refresh_error", refresh_error),
        ):
            table = table.set_column(BRIEF_SCHEMA.get_field_index(name), BRIEF_SCHEMA.field(name), column)
        yield Carried(table, removed, int(pc.count(refresh_error).as_py()))
