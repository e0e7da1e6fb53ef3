"""Two snapshots → what changed between them: briefs added, removed, changed (and how), moved.

Keyed on ``brief_id``. Detection reads three columns only (``brief_id``, ``content_hash``, ``removed_at``)
and is done with whole-array operations and masks — never a Python loop over rows. A ``brief_id`` is 16
lowercase hex digits, exactly 64 bits, so when every one has that form each is parsed into a ``uint64``
(:func:`hex_keys`, exact) and the two snapshots are matched by sorting those integers; any other id (older
data, a hand edit) and the match falls back to Arrow's hash look-up on the strings, with the same answer.
Whole rows are then taken for the changed briefs alone, and only those are compared field by field.
``diff`` works on two tables in memory; ``diff_files`` reads the detection columns of two Parquet files
first and then only the row groups that hold a change, so two snapshots of a million briefs diff in a
fraction of the memory either would take loaded whole.

A brief counts as *live* while its ``removed_at`` is null. Then:

- **added**: live in the new snapshot, absent (or removed) in the old one;
- **removed**: live in the old one, absent from the new one or newly marked ``removed_at``;
- **changed**: live in both with a different ``content_hash``, with the fields that differ and, when the
  body differs, characters added and removed and a similarity ratio;
- **moved**: a removed brief and an added one with the same ``content_hash`` — one brief republished
  under a new URL (its ``brief_id`` follows the URL), reported once, old URL → new URL.

Both sides are carried into the current schema first (``carry.conform``), so a snapshot written under an
older schema version diffs against a newer one.
"""

from __future__ import annotations

import bisect
import difflib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kei_crawler.snapshot.carry import conform
from kei_crawler.snapshot.schema import BRIEF_SCHEMA
from kei_crawler.snapshot.store import FILENAME, SnapshotError

REQUIRED = ("brief_id", "content_hash")
"""Without these a file is not a snapshot this module can diff."""
DETECT_COLUMNS = ("brief_id", "content_hash", "removed_at")
COMPARED_FIELDS = (
    "title", "published", "updated", "body", "photo_caption", "photo_url",
    "authors", "categories", "series", "credits",
)  # fmt: skip
"""Fields reported as changed, in this order. ``content_hash`` covers title, published, body and caption."""

CHANGED_SCHEMA = BRIEF_SCHEMA.append(pa.field("changed_fields", pa.list_(pa.string()), nullable=False))
for _name, _type in (
    ("chars_added", pa.int64()),
    ("chars_removed", pa.int64()),
    ("similarity", pa.float64()),
):
    CHANGED_SCHEMA = CHANGED_SCHEMA.append(pa.field(_name, _type))
MOVED_SCHEMA = BRIEF_SCHEMA.append(pa.field("old_brief_id", pa.string(), nullable=False)).append(
    pa.field("old_url", pa.string(), nullable=False)
)

GROUPS_PER_READ = 16
"""Row groups read at once when fetching changed rows: 16 of the crawler's 1,000-row groups of 2 KB bodies
is about 30 MB decoded."""

READERS = 2
"""Chunks of row groups read at once, each on its own thread."""

Fetch = Callable[[pa.Array], pa.Table]
"""Rows at the given positions, in that order, in BRIEF_SCHEMA."""


@dataclass(frozen=True)
class Changes:
    """What changed from one snapshot to the next; each table sorted newest first (published, url)."""

    added: pa.Table
    """New rows (BRIEF_SCHEMA)."""
    removed: pa.Table
    """Old rows (BRIEF_SCHEMA); ``removed_at`` as the new snapshot marked it, null when it is absent."""
    changed: pa.Table
    """New rows (CHANGED_SCHEMA): plus ``changed_fields`` and, when the body changed, ``chars_added``,
    ``chars_removed`` and ``similarity`` (0–1, difflib's ratio over the words)."""
    moved: pa.Table
    """New rows (MOVED_SCHEMA): plus ``old_brief_id`` and ``old_url``."""

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": self.added.num_rows,
            "removed": self.removed.num_rows,
            "changed": self.changed.num_rows,
            "moved": self.moved.num_rows,
        }

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())


@dataclass(frozen=True)
class Positions:
    """Row positions of each kind of change: the result of detection, before any row is fetched."""

    added: pa.Array  # in new
    removed: pa.Array  # in old
    removed_at: pa.Array  # for each removed row, the new snapshot's removed_at (null when absent there)
    changed_old: pa.Array  # aligned pairs
    changed_new: pa.Array
    moved_old: pa.Array  # aligned pairs
    moved_new: pa.Array

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed),
                "changed": len(self.changed_new), "moved": len(self.moved_new)}  # fmt: skip


def diff(old: pa.Table, new: pa.Table) -> Changes:
    """The changes from snapshot table ``old`` to snapshot table ``new``."""
    for table in (old, new):
        check_columns(table.schema, "table")
    old, new = conform(old), conform(new)
    found = detect(old.select(DETECT_COLUMNS), new.select(DETECT_COLUMNS))
    return assemble(found, old.take, new.take)


def diff_files(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> Changes:
    """The changes between two snapshot files, reading whole rows only for the briefs that changed.

    SnapshotError (one line) when a file is missing, not Parquet, truncated or not a snapshot."""
    old_file, new_file = open_snapshot(old), open_snapshot(new)
    found = detect(*read_both(old_file, new_file))
    return assemble(found, rows_reader(old_file), rows_reader(new_file))


def detect_files(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> Positions:
    """Detection alone on two snapshot files (``diff_files`` without fetching any row)."""
    return detect(*read_both(open_snapshot(old), open_snapshot(new)))


def detect(old: pa.Table, new: pa.Table) -> Positions:
    """Which rows were added, removed, changed or moved, from ``DETECT_COLUMNS`` alone."""
    old_ids, new_ids = _flat(old["brief_id"]), _flat(new["brief_id"])
    old_hash, new_hash = _flat(old["content_hash"]), _flat(new["content_hash"])
    old_live, new_live = pc.is_null(_flat(old["removed_at"])), pc.is_null(_flat(new["removed_at"]))

    at_old = index_in(new_ids, old_ids)  # each new row's old position; null when new
    was_live = pc.fill_null(pc.array_take(old_live, at_old), _FALSE)
    same_brief_differs = pc.fill_null(pc.not_equal(new_hash, pc.array_take(old_hash, at_old)), _FALSE)
    changed = pc.and_(pc.and_(new_live, was_live), same_brief_differs)
    appeared = pc.indices_nonzero(pc.and_(new_live, pc.invert(was_live)))
    # Gone: live old rows no new row points at (marked in a mask, not a second look-up on strings), and
    # old rows whose brief the new snapshot newly marks removed_at.
    pointed_at = np.zeros(len(old_ids), dtype=bool)
    pointed_at[_int32s(pc.drop_null(at_old))] = True
    absent = pc.indices_nonzero(pc.and_(old_live, _bool_array(~pointed_at)))
    marked = pc.indices_nonzero(pc.and_(pc.invert(new_live), was_live))
    gone = pa.concat_arrays([absent, pc.array_take(at_old, marked).cast(pa.uint64())])
    new_removed_at = _flat(new["removed_at"])
    gone_removed_at = pa.concat_arrays(
        [pa.nulls(len(absent), new_removed_at.type), pc.array_take(new_removed_at, marked)]
    )

    # Moved: an appeared brief whose content a gone brief had. One to one: the first appeared row per
    # hash takes the first gone row with that hash; any other duplicate stays added or removed.
    appeared_hash, gone_hash = pc.array_take(new_hash, appeared), pc.array_take(old_hash, gone)
    partner = pc.index_in(appeared_hash, value_set=gone_hash)
    first_of_hash = pc.equal(pc.index_in(appeared_hash, value_set=appeared_hash), _arange(len(appeared)))
    is_move = pc.fill_null(pc.and_(pc.is_valid(partner), first_of_hash), _FALSE)
    moved_new = pc.filter(appeared, is_move)
    moved_old = pc.array_take(gone, pc.filter(partner, is_move))
    changed_new = pc.indices_nonzero(changed)
    not_moved = pc.invert(pc.is_in(gone, value_set=moved_old))
    return Positions(
        added=pc.filter(appeared, pc.invert(is_move)),
        removed=pc.filter(gone, not_moved),
        removed_at=pc.filter(gone_removed_at, not_moved),
        changed_old=pc.array_take(at_old, changed_new).cast(pa.uint64()),
        changed_new=changed_new,
        moved_old=moved_old,
        moved_new=moved_new,
    )


# Arrays and scalars are built from buffers here, not with pa.array or pa.scalar: given Python or numpy
# values those import pandas (when installed) to inspect them, which costs detection a third of a second.
_FALSE = pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(bytes(1))])[0]
HEX_KEY_LENGTH = 16
_LOW_NIBBLES = np.uint64(0x0F0F0F0F0F0F0F0F)
_ONES = np.uint64(0x0101010101010101)


def hex_keys(ids: pa.Array) -> np.ndarray | None:
    """Each id as the ``uint64`` its 16 lowercase hex digits spell (``int(id, 16)``, exactly), or None
    unless every id is exactly 16 lowercase hex digits (and none is null).

    Eight characters at a time as one 64-bit word: each byte's digit value is its low nibble, plus 9 for
    the letters (bit 6 set). Those values are spelt back into lowercase hex and compared with the words
    read: only a valid digit spells itself again, so one comparison checks every character."""
    if pa.types.is_string(ids.type):
        offset_type: np.dtype[np.signedinteger] = np.dtype(np.int32)
    elif pa.types.is_large_string(ids.type):
        offset_type = np.dtype(np.int64)
    else:
        return None
    n = len(ids)
    if ids.null_count:
        return None
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    _, offsets_buffer, data_buffer = ids.buffers()
    offsets = np.frombuffer(
        offsets_buffer, dtype=offset_type, count=n + 1, offset=ids.offset * offset_type.itemsize
    )
    if np.any(np.diff(offsets) != HEX_KEY_LENGTH):
        return None
    text = np.frombuffer(data_buffer, dtype=np.uint8, count=HEX_KEY_LENGTH * n, offset=int(offsets[0]))
    words = text.view(np.uint64)  # two words per id; numpy copes with any alignment
    # In place, two scratch arrays: each byte stays below 128, so no carry crosses into its neighbour.
    nibbles = words >> np.uint64(6)
    nibbles &= _ONES
    nibbles *= np.uint64(9)
    nibbles += words & _LOW_NIBBLES
    nibbles &= _LOW_NIBBLES  # each byte: its digit's value, if it was a digit
    spelt = nibbles + np.uint64(0x0606060606060606)
    spelt >>= np.uint64(4)
    spelt &= _ONES  # each byte: 1 where the value is 10 or more (a letter)
    spelt *= np.uint64(ord("a") - ord("0") - 10)
    spelt += np.uint64(0x3030303030303030)
    spelt += nibbles
    if not np.array_equal(spelt, words):
        return None
    digits = nibbles.view(np.uint8).reshape(n, HEX_KEY_LENGTH)  # one digit per byte, first digit first
    octets = (digits[:, 0::2] << np.uint8(4)) | digits[:, 1::2]
    return octets.view(">u8").ravel().astype(np.uint64)


def index_in(ids: pa.Array, value_set: pa.Array) -> pa.Array:
    """Each id's position in ``value_set`` (int32, null where absent): ``pc.index_in``'s answer.

    With hex ids (:func:`hex_keys`) and no duplicate in ``value_set``, both sides are sorted as integers
    and matched with a binary search of the sorted ids in the sorted set, several times faster than hashing
    strings; otherwise ``pc.index_in`` itself."""
    with ThreadPoolExecutor(max_workers=2) as pool:  # numpy lets go of the GIL on whole arrays
        both = list(pool.map(_sorted_hex_keys, (ids, value_set)))
    if both[0] is None or both[1] is None:
        return pc.index_in(ids, value_set=value_set)
    (order, sorted_keys), (set_order, set_sorted) = both[0], both[1]
    if np.any(set_sorted[1:] == set_sorted[:-1]):  # duplicates: leave "first occurrence" to Arrow
        return pc.index_in(ids, value_set=value_set)
    if len(set_sorted) == 0:
        return pa.nulls(len(ids), pa.int32())
    at = np.minimum(np.searchsorted(set_sorted, sorted_keys), len(set_sorted) - 1)
    positions = np.empty(len(ids), dtype=np.int32)
    positions[order] = set_order[at]
    found = np.empty(len(ids), dtype=bool)
    found[order] = set_sorted[at] == sorted_keys
    missing = len(found) - int(np.count_nonzero(found))
    return pa.Array.from_buffers(
        pa.int32(), len(positions), [_bits(found), pa.py_buffer(positions)], null_count=missing
    )


def _sorted_hex_keys(ids: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    keys = hex_keys(ids)
    return None if keys is None else _sort(keys)


def _sort(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts ``keys`` (stably) and the keys in that order.

    ``np.sort`` is several times faster than ``np.argsort``, so each key's top bits and its position are
    packed into one word and those sorted; the positions then order the keys by their top bits. Keys that
    share their top bits end up in position order: checked, and if that is not sorted order, argsort."""
    bits = max(1, (len(keys) - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    packed = keys & ~low
    packed |= np.arange(len(keys), dtype=np.uint64)
    packed.sort()
    packed &= low
    order = packed.astype(np.intp)
    in_order = keys[order]
    if np.any(in_order[1:] < in_order[:-1]):
        order = np.argsort(keys, kind="stable")
        in_order = keys[order]
    return order, in_order


def assemble(found: Positions, old_rows: Fetch, new_rows: Fetch) -> Changes:
    """Whole rows for each change, the changed ones compared field by field."""
    # One fetch per side, so a row group holding several kinds of change is read once.
    old_wanted = [found.removed, found.changed_old, found.moved_old]
    new_wanted = [found.added, found.changed_new, found.moved_new]
    removed, before, moved_from = _split(old_rows(_concat(old_wanted)), old_wanted)
    added, after, moved_to = _split(new_rows(_concat(new_wanted)), new_wanted)
    removed = removed.set_column(
        BRIEF_SCHEMA.get_field_index("removed_at"), BRIEF_SCHEMA.field("removed_at"), found.removed_at
    )
    changed = pa.Table.from_arrays([*after.columns, *compare(before, after)], schema=CHANGED_SCHEMA)
    moved = pa.Table.from_arrays(
        [*moved_to.columns, moved_from["brief_id"], moved_from["url"]], schema=MOVED_SCHEMA
    )
    return Changes(
        added=_newest_first(added),
        removed=_newest_first(removed),
        changed=_newest_first(changed),
        moved=_newest_first(moved),
    )


def _concat(positions: list[pa.Array]) -> pa.Array:
    return pa.concat_arrays([p.cast(pa.uint64()) for p in positions])


def _split(rows: pa.Table, parts: list[pa.Array]) -> list[pa.Table]:
    out, start = [], 0
    for part in parts:
        out.append(rows.slice(start, len(part)))
        start += len(part)
    return out


def compare(before: pa.Table, after: pa.Table) -> list[pa.Array]:
    """For aligned rows of the same briefs: changed_fields, chars_added, chars_removed, similarity."""
    masks = [differs(before[name], after[name]).to_pylist() for name in COMPARED_FIELDS]
    # Loops below run over the changed briefs only, never over the snapshot.
    fields = [
        [name for name, mask in zip(COMPARED_FIELDS, row, strict=True) if mask]
        for row in zip(*masks, strict=True)
    ]
    body_masks = masks[COMPARED_FIELDS.index("body")]
    old_bodies = before["body"].to_pylist()
    new_bodies = after["body"].to_pylist()
    added: list[int | None] = []
    removed: list[int | None] = []
    ratios: list[float | None] = []
    for was, now, body_changed in zip(old_bodies, new_bodies, body_masks, strict=True):
        if body_changed:
            summary = body_change(was or "", now or "")
            added.append(summary.chars_added)
            removed.append(summary.chars_removed)
            ratios.append(summary.similarity)
        else:
            added.append(None)
            removed.append(None)
            ratios.append(None)
    return [
        pa.array(fields, type=pa.list_(pa.string())),
        pa.array(added, type=pa.int64()),
        pa.array(removed, type=pa.int64()),
        pa.array(ratios, type=pa.float64()),
    ]


def differs(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.Array:
    """True where the values differ, a null on one side only counting as a difference."""
    a, b = _flat(a), _flat(b)
    one_null = pc.xor(pc.is_null(a), pc.is_null(b))
    if pa.types.is_list(a.type):
        # Lists compare as their joined text plus their length ("\x1f" never occurs in a field).
        length_differs = pc.fill_null(pc.not_equal(pc.list_value_length(a), pc.list_value_length(b)), False)
        a, b = pc.binary_join(a, "\x1f"), pc.binary_join(b, "\x1f")
        return pc.or_(pc.or_(one_null, length_differs), pc.fill_null(pc.not_equal(a, b), False))
    return pc.or_(one_null, pc.fill_null(pc.not_equal(a, b), False))


@dataclass(frozen=True)
class BodyChange:
    chars_added: int
    chars_removed: int
    similarity: float


def body_change(old: str, new: str) -> BodyChange:
    """Characters added and removed, and a similarity ratio (2 × matched / total characters).

    The common head and tail are matched at C speed first; only the middle that differs is diffed, word
    by word with difflib (on characters its matcher would mark common letters as junk). An edited sentence
    costs microseconds; a rewritten body a few milliseconds."""
    head = _common_prefix(old, new)
    tail = _common_prefix(old[head:][::-1], new[head:][::-1])
    a, b = old[head : len(old) - tail].split(" "), new[head : len(new) - tail].split(" ")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    added = removed = matched = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            matched += sum(len(word) + 1 for word in a[i1:i2])
        if tag in ("replace", "delete"):
            removed += sum(len(word) + 1 for word in a[i1:i2])
        if tag in ("replace", "insert"):
            added += sum(len(word) + 1 for word in b[j1:j2])
    # Words were counted with one separator each; the middle's last word has none.
    added, removed = min(added, len(new) - head - tail), min(removed, len(old) - head - tail)
    total = len(old) + len(new)
    similarity = 1.0 if total == 0 else 2 * (head + tail + min(matched, len(old) - head - tail)) / total
    return BodyChange(added, removed, round(min(similarity, 1.0), 4))


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by bisection on slice comparisons (memcmp, not a Python loop)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


# --- files -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotFile:
    path: Path
    parquet: pq.ParquetFile

    @property
    def num_rows(self) -> int:
        return int(self.parquet.metadata.num_rows)

    def error(self, exc: BaseException) -> SnapshotError:
        return SnapshotError(f"{self.path}: cannot read ({_first_line(exc)})")


def open_snapshot(path: str | os.PathLike[str]) -> SnapshotFile:
    """A snapshot file opened for reading: its footer read and its schema checked."""
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
        raise SnapshotError(f"{p}: not a readable Parquet file ({_first_line(exc)})") from exc
    check_columns(parquet.schema_arrow, str(p))
    return SnapshotFile(p, parquet)


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
        table = conform(pa.concat_tables(pieces))
        order = pc.index_in(positions.cast(pa.int64()), value_set=pa.array(wanted, type=pa.int64()))
        return table.take(order)

    return fetch


def _flat(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if not isinstance(column, pa.ChunkedArray):
        return column
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()  # one chunk: no copy


def _int32s(array: pa.Array) -> np.ndarray:
    """An int32 Arrow array without nulls as a numpy view (``to_numpy`` would import pandas)."""
    assert array.type == pa.int32() and array.null_count == 0
    return np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array), offset=array.offset * 4)


def _bits(mask: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.packbits(mask, bitorder="little"))


def _bool_array(mask: np.ndarray) -> pa.Array:
    """A numpy bool array as an Arrow one (``pa.array`` would import pandas to inspect it)."""
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, _bits(mask)])


def _arange(n: int) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(np.arange(n, dtype=np.int64))])


def _newest_first(table: pa.Table) -> pa.Table:
    return table.sort_by([("published", "descending"), ("url", "ascending")])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
