"""Template-change alert: this crawl's extraction compared with the archive it extends.

When the site is redesigned, extraction rarely fails loudly: captions silently go missing, or bodies
swallow the page's chrome and double in length. Comparing the fields filled on freshly fetched briefs
with the same shares over the previous snapshot catches that on the first run after the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kei_crawler.items import EXTRACTED
from kei_crawler.storage.snapshot.carry import people_only
from kei_crawler.storage.snapshot.schema import PEOPLE_ONLY_AUTHORS
from kei_crawler.storage.snapshot.store import metadata

PROFILE_METADATA = "quality_profile"  # the snapshot metadata key holding ProfileCounts.to_metadata()


@dataclass(frozen=True)
class Profile:
    """How often each extracted field is filled, and how long bodies are, over some briefs."""

    briefs: int
    fill_rates: dict[str, float]
    mean_body_chars: float


@dataclass(frozen=True)
class Thresholds:
    min_briefs: int = 5
    """Fewer fresh briefs than this say too little to compare (a quiet incremental run)."""
    min_baseline_rate: float = 0.2
    """Fields rarer than this in the archive are too rare for a fall to mean anything."""
    rate_drop: float = 0.5
    """Alert when a field's fill rate falls below this share of the archive's."""
    body_ratio: float = 2.0
    """Alert when the mean body length grows or shrinks by this factor."""


@dataclass
class ProfileCounts:
    """The exact counts a :class:`Profile` is made of, added up table by table as rows are written."""

    rows: int = 0
    filled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXTRACTED, 0))
    body_chars: int = 0

    def add(self, table: pa.Table | pa.RecordBatch) -> None:
        self.rows += table.num_rows
        for name in EXTRACTED:
            if name not in table.column_names:
                continue  # a snapshot from before the field existed: never filled
            column = table.column(name)
            if name == "body":
                self.body_chars += int(pc.sum(pc.utf8_length(column)).as_py() or 0)
            self.filled[name] += int(pc.sum(_is_filled(column)).as_py() or 0)

    def profile(self) -> Profile:
        rows = self.rows
        rates = {name: round(self.filled[name] / rows, 4) if rows else 0.0 for name in EXTRACTED}
        return Profile(rows, rates, self.body_chars / rows if rows else 0.0)

    def to_metadata(self) -> dict[str, Any]:
        return {"rows": self.rows, "filled": dict(self.filled), "body_chars": self.body_chars}

    @classmethod
    def from_metadata(cls, text: str) -> ProfileCounts | None:
        """The counts a snapshot's ``quality_profile`` metadata holds; None when absent or unreadable."""
        try:
            value = json.loads(text)
            filled = {name: int(value["filled"].get(name, 0)) for name in EXTRACTED}
            return cls(int(value["rows"]), filled, int(value["body_chars"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def profile_of_snapshot(path: Path) -> Profile:
    """The profile of a published snapshot, read column-wise in batches (bodies never all in memory), its
    authors as today's rule reads them (``carry.people_only``)."""
    parquet = pq.ParquetFile(path)
    names = [name for name in EXTRACTED if name in parquet.schema_arrow.names]
    counts = ProfileCounts()
    for batch in parquet.iter_batches(columns=names, batch_size=4096):
        table = pa.Table.from_batches([batch])
        if "authors" in table.column_names:
            authors = table.schema.get_field_index("authors")
            table = table.set_column(authors, "authors", people_only(table["authors"]))
        counts.add(table)
    return counts.profile()


def baseline_profile(path: Path) -> Profile:
    """The profile of the snapshot a crawl extends: from its metadata, where the crawl that published it
    stored the counts as it wrote the rows (``quality_profile``), else read from its columns (snapshots
    from before that, or from ``reextract``) — one read of every body fewer per crawl. Counts stored before
    ``authors`` held people only count the series byline as an author: compared with them, the first crawl
    under the rule would see the authors' fill rate fall and raise a false alert, so they are recounted."""
    found = metadata(path)
    stored = found.get(PROFILE_METADATA)
    counts = ProfileCounts.from_metadata(stored) if stored and _people_only(found) else None
    return counts.profile() if counts is not None else profile_of_snapshot(path)


def _people_only(found: dict[str, str]) -> bool:
    """True when the snapshot's metadata says it was written under the people-only ``authors`` rule."""
    try:
        return int(found.get("schema_version", "")) >= PEOPLE_ONLY_AUTHORS
    except ValueError:
        return False


def _is_filled(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if pa.types.is_string(column.type):
        return pc.fill_null(pc.greater(pc.utf8_length(column), 0), False)
    if pa.types.is_list(column.type):
        return pc.fill_null(pc.greater(pc.list_value_length(column), 0), False)
    return pc.is_valid(column)


def alerts(fresh: Profile, baseline: Profile, limits: Thresholds | None = None) -> list[str]:
    """One sentence per field that looks broken in ``fresh`` compared with ``baseline``; [] if none."""
    limits = limits or Thresholds()
    if fresh.briefs < limits.min_briefs or baseline.briefs == 0:
        return []
    found = []
    for name in EXTRACTED:
        before, now = baseline.fill_rates.get(name, 0.0), fresh.fill_rates.get(name, 0.0)
        if before >= limits.min_baseline_rate and now < before * limits.rate_drop:
            found.append(
                f"{name} filled on {now:.0%} of {fresh.briefs} fetched briefs, {before:.0%} in the archive"
            )
    if baseline.mean_body_chars and fresh.mean_body_chars:
        ratio = fresh.mean_body_chars / baseline.mean_body_chars
        if ratio >= limits.body_ratio or ratio <= 1 / limits.body_ratio:
            found.append(
                f"bodies average {fresh.mean_body_chars:,.0f} characters, "
                f"{baseline.mean_body_chars:,.0f} in the archive ({ratio:.1f}×)"
            )
    return found
