"""``kei-crawler snapshots``: every snapshot with its size and what changed since the one before.

Counts come from the same detection as ``kei-crawler diff`` (three columns per file, so listing many
large snapshots stays cheap). A file that does not load is listed with its error, and the next snapshot
is compared with the last one that did load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pyarrow as pa
from rich.table import Table

from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.diff import detect
from kei_crawler.storage.snapshot.reading import open_snapshot, read_keys
from kei_crawler.storage.snapshot.store import SnapshotError


@dataclass(frozen=True)
class SnapshotRow:
    crawl_id: str
    size: int
    rows: int | None = None
    live: int | None = None
    counts: dict[str, int] | None = None
    """added / changed / removed / moved versus the previous snapshot that loaded; None for the first."""
    error: str | None = None


def survey(output_dir: str | os.PathLike[str]) -> list[SnapshotRow]:
    out: list[SnapshotRow] = []
    previous: pa.Table | None = None
    for ref in store.list_snapshots(output_dir):
        size = ref.path.stat().st_size
        try:
            keys = read_keys(open_snapshot(ref.path))
        except SnapshotError as exc:
            out.append(SnapshotRow(ref.crawl_id, size, error=str(exc).removeprefix(f"{ref.path}: ")))
            continue
        live = keys["removed_at"].null_count  # removed_at is null while a brief is served
        counts = detect(previous, keys).counts if previous is not None else None
        out.append(SnapshotRow(ref.crawl_id, size, keys.num_rows, live, counts))
        previous = keys
    return out


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{size} B"


def list_table(rows: list[SnapshotRow], output_dir: str | os.PathLike[str]) -> Table:
    table = Table(
        title=f"Snapshots in {output_dir}",
        title_justify="left",
        box=None,
        pad_edge=False,
        header_style="bold",
    )
    table.add_column("snapshot", no_wrap=True)
    for name in ("briefs", "new", "changed", "removed", "moved", "size"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("status", min_width=10, no_wrap=True)
    for row in rows:
        if row.error:
            blank = [""] * 5  # briefs, new, changed, removed, moved
            table.add_row(row.crawl_id, *blank, human_size(row.size), "[red]unreadable[/]")
            continue
        counts = row.counts
        numbers = (
            [f"{counts[k]:,}" for k in ("added", "changed", "removed", "moved")]
            if counts is not None
            else ["—", "—", "—", "—"]  # the first snapshot: nothing to compare with
        )
        table.add_row(row.crawl_id, f"{row.rows:,}", *numbers, human_size(row.size), "ok")
    return table
