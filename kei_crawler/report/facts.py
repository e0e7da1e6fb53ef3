"""What a report shows of the snapshots: the newest one's briefs, each snapshot's counts and provenance mix,
every brief's captures and its history.

The newest snapshot holds every brief the archive has known (removed ones too, with ``removed_at``), so
the briefs' table and pages come from it alone. The other snapshots give what only they hold: the captures
each brief had (a row's WARC record changes when its page is fetched again), what each crawl found (the
events of ``monitor.history``, with their text diffs) and which strategy read each field of the pages a
crawl fetched. Only the columns needed are read from each snapshot; bodies only from the newest and from
the rows an event names.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from kei_crawler.monitor.history import Event, every_event
from kei_crawler.report.runs import parse_time
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.reading import open_snapshot
from kei_crawler.storage.snapshot.store import SnapshotError, SnapshotRef
from kei_crawler.urls import brief_id

BRIEF_COLUMNS = ["brief_id", "url", "slug", "title", "published", "published_raw", "updated", "authors",
                 "categories", "series", "body", "credits", "photo_caption", "photo_url", "fetched_at",
                 "first_seen", "last_seen", "removed_at", "refresh_error", "provenance"]  # fmt: skip
_CAPTURE_COLUMNS = ["brief_id", "fetched_at", "warc_file", "warc_record_id", "warc_offset"]
CAPTURE_SCHEMA = pa.schema(
    [("brief_id", pa.string()), ("fetched_at", pa.timestamp("us", tz="UTC")), ("warc_file", pa.string()),
     ("warc_record_id", pa.string()), ("warc_offset", pa.int64()), ("base_url", pa.string())]
)  # fmt: skip
"""A capture as every snapshot's rows give it, whatever columns its schema version had: then ``Capture``'s fields."""
_BRIEF_ID = "^[0-9a-f]{16}$"
_FACT_COLUMNS = ["brief_id", "fetched_at", "removed_at", "provenance"]


@dataclass(frozen=True)
class Capture:
    """One download of a brief's page, as the rows that point at it record it."""

    fetched_at: datetime
    warc_file: str | None
    warc_record_id: str | None
    warc_offset: int | None
    base_url: str | None = None
    """Where the crawl that made it sent its requests (the site, or a mirror): what the WARC record names."""


@dataclass(frozen=True)
class SnapshotFacts:
    crawl_id: str
    started_at: datetime | None
    live: int
    removed: int
    fetched: int
    """Rows whose page this crawl downloaded (``fetched_at`` from its start on)."""
    provenance: dict[str, dict[str, int]]
    """Over those rows: field → strategy → how many rows it read the field for."""


@dataclass
class Archive:
    newest: SnapshotRef
    briefs: list[dict[str, Any]]
    """The newest snapshot's rows (``BRIEF_COLUMNS``), newest publication first."""
    snapshots: list[SnapshotFacts]
    """Oldest first; a snapshot that does not read is left out (with a warning)."""
    events: dict[str, list[Event]] = field(default_factory=dict)
    """brief_id → what the crawls found of it after its first, oldest first."""
    captures: dict[str, list[Capture]] = field(default_factory=dict)
    """brief_id → its distinct captures, oldest first."""
    provenance: dict[str, dict[str, int]] = field(default_factory=dict)
    """Field → strategy → live briefs it read the field of, each as its page was last downloaded."""

    @property
    def live(self) -> int:
        return sum(1 for brief in self.briefs if is_live(brief))

    @property
    def removed(self) -> int:
        return len(self.briefs) - self.live


def is_live(brief: dict[str, Any]) -> bool:
    """On the site as of the snapshot: never answered 404 or 410 since it was last seen."""
    return brief["removed_at"] is None


def read_archive(output_dir: str | os.PathLike[str], warn: Callable[[str], None]) -> Archive:
    """Everything the report needs from the snapshots in ``output_dir``; SnapshotError (one line) when
    there is none or the newest does not read."""
    refs = store.list_snapshots(output_dir)
    if not refs:
        raise SnapshotError(f"{output_dir} holds no snapshot to report on")
    newest = refs[-1]
    table = _read(newest, BRIEF_COLUMNS)
    # A brief's id names its page: anything but the 16 hex digits the crawler writes is not ours to trust.
    trusted = pc.fill_null(pc.match_substring_regex(table["brief_id"], _BRIEF_ID), False)
    for unsafe in table.filter(pc.invert(trusted))["brief_id"].to_pylist():
        warn(f"passing over a row of snapshot {newest.crawl_id} with brief_id {unsafe!r}")
    table = table.filter(trusted)
    archive = Archive(newest, table.take(_newest_first(table)).to_pylist(), [])
    archive.provenance = _provenance(table.filter(pc.is_null(table["removed_at"]))["provenance"])
    captures = []
    for ref in refs:
        try:
            snapshot = _read(ref, sorted({*_FACT_COLUMNS, *_CAPTURE_COLUMNS}))
            found = store.metadata(ref.path)
        except SnapshotError as exc:
            warn(f"passing over snapshot {ref.crawl_id}: {exc}")
            continue
        archive.snapshots.append(_facts(ref.crawl_id, parse_time(found.get("started_at")), snapshot))
        captures.append(_capture_rows(snapshot, found.get("base_url")))
    archive.captures = _captures(pa.concat_tables(captures))
    for event in every_event(output_dir):  # a snapshot passed over was named above, once
        archive.events.setdefault(event.brief["brief_id"], []).append(event)
        if event.kind == "moved" and event.old_url:  # the page left behind says where it went
            archive.events.setdefault(brief_id(event.old_url), []).append(event)
    return archive


def _newest_first(table: pa.Table) -> pa.Array:
    """Newest publication first, then by URL."""
    return pc.sort_indices(table, sort_keys=[("published", "descending"), ("url", "ascending")])


def _read(ref: SnapshotRef, columns: list[str]) -> pa.Table:
    file = open_snapshot(ref.path)
    present = [name for name in columns if name in file.parquet.schema_arrow.names]
    try:
        table = file.parquet.read(columns=present)
    except (pa.ArrowException, OSError) as exc:
        raise file.error(exc) from exc
    for name in columns:  # a column an older schema lacked reads as empty
        if name not in present:
            table = table.append_column(name, pa.nulls(table.num_rows))
    return table


def _facts(crawl_id: str, started: datetime | None, table: pa.Table) -> SnapshotFacts:
    removed = int(pc.sum(pc.is_valid(table["removed_at"])).as_py() or 0)
    fetched = (
        table.filter(pc.greater_equal(table["fetched_at"], pa.scalar(started, table["fetched_at"].type)))
        if started is not None and pa.types.is_timestamp(table["fetched_at"].type)
        else table.slice(0, 0)
    )
    return SnapshotFacts(
        crawl_id,
        started,
        table.num_rows - removed,
        removed,
        fetched.num_rows,
        _provenance(fetched["provenance"]),
    )


def _provenance(column: pa.ChunkedArray) -> dict[str, dict[str, int]]:
    """Field → strategy → rows, from a ``provenance`` map column."""
    mix: dict[str, Counter[str]] = defaultdict(Counter)
    for chunk in column.chunks:
        if not pa.types.is_map(chunk.type):
            continue
        pairs = pc.binary_join_element_wise(chunk.keys, chunk.items, "\x1f")
        for pair in pc.value_counts(pairs).to_pylist():
            name, _, strategy = str(pair["values"]).partition("\x1f")
            mix[name][strategy] += int(pair["counts"])
    return {name: dict(counts.most_common()) for name, counts in mix.items()}


def _capture_rows(snapshot: pa.Table, base_url: str | None) -> pa.Table:
    """A snapshot's capture columns in :data:`CAPTURE_SCHEMA`, so that old and new snapshots concatenate."""
    columns = [snapshot[name].cast(CAPTURE_SCHEMA.field(name).type) for name in _CAPTURE_COLUMNS]
    return pa.Table.from_arrays(
        [*columns, pa.array([base_url] * snapshot.num_rows, pa.string())], schema=CAPTURE_SCHEMA
    )


def _captures(table: pa.Table) -> dict[str, list[Capture]]:
    """brief_id → distinct captures: one per WARC record (or per download time, for rows without one)."""
    key = pc.coalesce(table["warc_record_id"], pc.cast(table["fetched_at"], pa.string()))
    # The snapshots' rows come oldest first, and an unthreaded group_by keeps that order: each capture as
    # the snapshot that first held it records it (a later one carries it, perhaps from another base URL).
    grouped = (
        table.append_column("capture", key)
        .group_by(["brief_id", "capture"], use_threads=False)
        .aggregate([(name, "first") for name in CAPTURE_SCHEMA.names[1:]])
    )
    found: dict[str, list[Capture]] = defaultdict(list)
    for row in grouped.to_pylist():
        if row["fetched_at_first"] is not None:
            found[row["brief_id"]].append(
                Capture(*(row[f"{name}_first"] for name in CAPTURE_SCHEMA.names[1:]))
            )
    for listed in found.values():
        listed.sort(key=lambda capture: capture.fetched_at)
    return dict(found)
