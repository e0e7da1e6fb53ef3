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

import os
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kei_crawler.items import EXTRACTED
from kei_crawler.storage.snapshot.carry import conform
from kei_crawler.storage.snapshot.keys import FALSE, arange, bool_array, flat, index_in, int32s
from kei_crawler.storage.snapshot.reading import (
    DETECT_COLUMNS,
    Fetch,
    check_columns,
    open_snapshot,
    read_both,
    rows_reader,
)
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA
from kei_crawler.storage.snapshot.similarity import body_change
from kei_crawler.storage.snapshot.textdiff import TEXT_FIELDS, text_diff

COMPARED_FIELDS = EXTRACTED
"""Fields reported as changed, in the snapshot's column order. ``content_hash`` covers title, published,
body and caption; the others are compared too."""

CHANGED_SCHEMA = BRIEF_SCHEMA.append(pa.field("changed_fields", pa.list_(pa.string()), nullable=False))
for _name, _type in (
    ("chars_added", pa.int64()),
    ("chars_removed", pa.int64()),
    ("similarity", pa.float64()),
    ("text_diff", pa.string()),
):
    CHANGED_SCHEMA = CHANGED_SCHEMA.append(pa.field(_name, _type))
MOVED_SCHEMA = BRIEF_SCHEMA.append(pa.field("old_brief_id", pa.string(), nullable=False)).append(
    pa.field("old_url", pa.string(), nullable=False)
)


@dataclass(frozen=True)
class Changes:
    """What changed from one snapshot to the next; each table sorted newest first (published, url)."""

    added: pa.Table
    """New rows (BRIEF_SCHEMA)."""
    removed: pa.Table
    """Old rows (BRIEF_SCHEMA); ``removed_at`` as the new snapshot marked it, null when it is absent."""
    changed: pa.Table
    """New rows (CHANGED_SCHEMA): plus ``changed_fields`` and, when the body changed, ``chars_added``,
    ``chars_removed`` and ``similarity`` (0–1, difflib's ratio over the words); ``text_diff``, a readable
    unified diff of title, body and caption (``textdiff``), null when none of them changed."""
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
    old_ids, new_ids = flat(old["brief_id"]), flat(new["brief_id"])
    old_hash, new_hash = flat(old["content_hash"]), flat(new["content_hash"])
    old_live, new_live = pc.is_null(flat(old["removed_at"])), pc.is_null(flat(new["removed_at"]))

    at_old = index_in(new_ids, old_ids)  # each new row's old position; null when new
    was_live = pc.fill_null(pc.array_take(old_live, at_old), FALSE)
    same_brief_differs = pc.fill_null(pc.not_equal(new_hash, pc.array_take(old_hash, at_old)), FALSE)
    changed = pc.and_(pc.and_(new_live, was_live), same_brief_differs)
    appeared = pc.indices_nonzero(pc.and_(new_live, pc.invert(was_live)))
    # Gone: live old rows no new row points at (marked in a mask, not a second look-up on strings), and
    # old rows whose brief the new snapshot newly marks removed_at.
    pointed_at = np.zeros(len(old_ids), dtype=bool)
    pointed_at[int32s(pc.drop_null(at_old))] = True
    absent = pc.indices_nonzero(pc.and_(old_live, bool_array(~pointed_at)))
    marked = pc.indices_nonzero(pc.and_(pc.invert(new_live), was_live))
    gone = pa.concat_arrays([absent, pc.array_take(at_old, marked).cast(pa.uint64())])
    new_removed_at = flat(new["removed_at"])
    gone_removed_at = pa.concat_arrays(
        [pa.nulls(len(absent), new_removed_at.type), pc.array_take(new_removed_at, marked)]
    )

    # Moved: an appeared brief whose content a gone brief had. One to one: the first appeared row per
    # hash takes the first gone row with that hash; any other duplicate stays added or removed.
    appeared_hash, gone_hash = pc.array_take(new_hash, appeared), pc.array_take(old_hash, gone)
    partner = pc.index_in(appeared_hash, value_set=gone_hash)
    first_of_hash = pc.equal(pc.index_in(appeared_hash, value_set=appeared_hash), arange(len(appeared)))
    is_move = pc.fill_null(pc.and_(pc.is_valid(partner), first_of_hash), FALSE)
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
    """For aligned rows of the same briefs: changed_fields, chars_added, chars_removed, similarity,
    text_diff."""
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
        pa.array(_text_diffs(before, after, fields), type=pa.string()),
    ]


def _text_diffs(before: pa.Table, after: pa.Table, fields: list[list[str]]) -> list[str | None]:
    """A readable diff for each brief whose title, body or caption changed (only those are read)."""
    rows = [i for i, names in enumerate(fields) if any(name in TEXT_FIELDS for name in names)]
    out: list[str | None] = [None] * len(fields)
    if not rows:
        return out
    picked = pa.array(rows, type=pa.int64())
    olds = before.select(list(TEXT_FIELDS)).take(picked).to_pylist()
    news = after.select(list(TEXT_FIELDS)).take(picked).to_pylist()
    for row, was, now in zip(rows, olds, news, strict=True):
        out[row] = text_diff(was, now) or None
    return out


def differs(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.Array:
    """True where the values differ, a null on one side only counting as a difference."""
    a, b = flat(a), flat(b)
    one_null = pc.xor(pc.is_null(a), pc.is_null(b))
    if pa.types.is_list(a.type):
        # Lists compare as their joined text plus their length ("\x1f" never occurs in a field).
        length_differs = pc.fill_null(pc.not_equal(pc.list_value_length(a), pc.list_value_length(b)), False)
        a, b = pc.binary_join(a, "\x1f"), pc.binary_join(b, "\x1f")
        return pc.or_(pc.or_(one_null, length_differs), pc.fill_null(pc.not_equal(a, b), False))
    return pc.or_(one_null, pc.fill_null(pc.not_equal(a, b), False))


def _newest_first(table: pa.Table) -> pa.Table:
    return table.sort_by([("published", "descending"), ("url", "ascending")])
