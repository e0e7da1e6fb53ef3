"""Carrying the archive forward: the previous snapshot's rows that this crawl did not re-capture.

Computed batch by batch, so a snapshot of any size is carried with one batch of rows in memory (plus the
crawl's own sets of URLs). ``conform`` also lets a snapshot written under an older schema version
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

from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA

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
