"""Snapshot files opened for diffing: the footer checked, the detection columns read, rows fetched by
position from only the row groups that hold them."""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kei_crawler.storage.snapshot.carry import REQUIRED_COLUMNS, conform, unusable_because
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA
from kei_crawler.storage.snapshot.store import FILENAME, SnapshotError, first_line

REQUIRED = ("brief_id", "content_hash")
"""Without these a file is not a snapshot that can be diffed."""
DETECT_COLUMNS = ("brief_id", "content_hash", "removed_at")

GROUPS_PER_READ = 16
"""Row groups read at once when fetching changed rows: 16 of the crawler's 1,000-row groups of 2 KB bodies
is about 30 MB decoded."""

READERS = 2
"""Chunks of row groups read at once, each on its own thread."""

Fetch = Callable[[pa.Array], pa.Table]
"""Rows at the given positions, in that order, in BRIEF_SCHEMA."""


@dataclass(frozen=True)
class SnapshotFile:
    path: Path
    parquet: pq.ParquetFile

    @property
    def num_rows(self) -> int:
        return int(self.parquet.metadata.num_rows)

    def error(self, exc: BaseException) -> SnapshotError:
        return SnapshotError(f"{self.path}: cannot read ({first_line(exc)})")


def open_snapshot(path: str | os.PathLike[str]) -> SnapshotFile:
    """A snapshot file opened for reading: its footer read, and its schema checked to be one every reader
    can use (the crawl carrying it forward, ``diff``, ``feed``, ``snapshots``); SnapshotError, one line,
    when it is not."""
    p = Path(path)
    if p.is_dir():
        p = p / FILENAME
    if not p.exists():
        raise SnapshotError(f"{p}: no such file")
    if not p.is_file():
        raise SnapshotError(f"{p}: not a file")
    try:
        parquet = pq.ParquetFile(p)
    except (pa.ArrowException, OSError) as exc:
        raise SnapshotError(f"{p}: not a readable Parquet file ({first_line(exc)})") from exc
    check_columns(parquet.schema_arrow, str(p))
    why = unusable_because(parquet.schema_arrow) or _nulls_recorded(parquet.metadata)
    if why:
        raise SnapshotError(f"{p}: not a usable kei-crawler snapshot ({why})")
    return SnapshotFile(p, parquet)


def _nulls_recorded(meta: pq.FileMetaData) -> str | None:
    """A column no row may lack that the file's own statistics say holds nulls (read from the footer
    alone: a reader learns it before decoding a single body)."""
    positions = {meta.schema.column(i).path: i for i in range(meta.num_columns)}
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            continue
        nulls = 0
        for group in range(meta.num_row_groups):
            stats = meta.row_group(group).column(positions[name]).statistics
            nulls += stats.null_count if stats is not None and stats.has_null_count else 0
        if nulls:
            return f"column {name} is empty in {nulls} rows"
    return None


def check_columns(schema: pa.Schema, where: str) -> None:
    missing = [name for name in REQUIRED if name not in schema.names]
    if missing:
        raise SnapshotError(f"{where}: not a kei-crawler snapshot (no {', '.join(missing)} column)")
    for name in REQUIRED:
        kind = schema.field(name).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            raise SnapshotError(f"{where}: not a kei-crawler snapshot ({name} is {kind}, not a string)")


def read_keys(snapshot: SnapshotFile) -> pa.Table:
    """The detection columns of a snapshot file (``removed_at`` null when its schema predates it)."""
    present = [name for name in DETECT_COLUMNS if name in snapshot.parquet.schema_arrow.names]
    try:
        table = snapshot.parquet.read(columns=present)
    except (pa.ArrowException, OSError) as exc:
        raise snapshot.error(exc) from exc
    columns = [
        table[name].cast(BRIEF_SCHEMA.field(name).type) if name in present
        else pa.nulls(table.num_rows, BRIEF_SCHEMA.field(name).type)
        for name in DETECT_COLUMNS
    ]  # fmt: skip
    return pa.Table.from_arrays(columns, names=list(DETECT_COLUMNS))


def read_both(old: SnapshotFile, new: SnapshotFile) -> tuple[pa.Table, pa.Table]:
    """The detection columns of two snapshot files, read side by side (Arrow releases the GIL)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        old_keys, new_keys = pool.submit(read_keys, old), pool.submit(read_keys, new)
        return old_keys.result(), new_keys.result()


def rows_reader(snapshot: SnapshotFile) -> Fetch:
    """Fetch rows of a snapshot file by position, reading only the row groups that hold them."""
    meta = snapshot.parquet.metadata
    starts = [0]
    for i in range(meta.num_row_groups):
        starts.append(starts[-1] + meta.row_group(i).num_rows)

    def fetch(positions: pa.Array) -> pa.Table:
        if len(positions) == 0:
            return BRIEF_SCHEMA.empty_table()
        wanted = sorted(set(positions.to_pylist()))  # as many as there are changes, not rows
        groups: dict[int, list[int]] = {}
        for position in wanted:
            groups.setdefault(bisect.bisect_right(starts, position) - 1, []).append(position)
        readers = threading.local()

        def read(chunk: list[int]) -> pa.Table:
            try:
                if not hasattr(readers, "file"):  # a reader per thread, the footer parsed once
                    readers.file = pq.ParquetFile(snapshot.path, metadata=meta)
                rows = readers.file.read_row_groups(chunk)
            except (pa.ArrowException, OSError) as exc:
                raise snapshot.error(exc) from exc
            local, offset = [], 0
            for number in chunk:
                local += [p - starts[number] + offset for p in groups[number]]
                offset += starts[number + 1] - starts[number]
            return rows.take(pa.array(local, type=pa.int64()))

        numbers = sorted(groups)
        chunks = [
            numbers[first : first + GROUPS_PER_READ] for first in range(0, len(numbers), GROUPS_PER_READ)
        ]
        # Bounded memory (a chunk of row groups per thread at a time); Arrow spreads a chunk's columns
        # over threads, but the body column is most of the work and one column decodes on one thread.
        with ThreadPoolExecutor(max_workers=READERS) as pool:
            pieces = list(pool.map(read, chunks))
        try:
            table = conform(pa.concat_tables(pieces))
        except (SnapshotError, pa.ArrowException) as exc:  # nulls the footer did not count, a failed cast
            raise snapshot.error(exc) from exc
        order = pc.index_in(positions.cast(pa.int64()), value_set=pa.array(wanted, type=pa.int64()))
        return table.take(order)

    return fetch
