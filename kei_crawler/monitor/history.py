"""The archive's history: what each crawl found new, changed, moved or removed.

A snapshot holds the whole archive as one crawl left it, so the history is the diff of each snapshot
with the one before it. It is read backwards from the newest pair, and stops as soon as enough events are
found: an event of an older pair is never newer than one of a later pair (below), so the pairs further
back cannot change the answer. Each snapshot's detection columns (``brief_id``, ``content_hash``,
``removed_at``) are read once and shared by the two pairs it belongs to; whole rows are read only for a
pair that holds a change, from only the row groups that hold one (``diff.assemble``). A quiet crawl costs
the three columns alone.

When an event happened:

- a new brief: its ``first_seen``, when the crawler first saw it — or the crawl's own time when that is
  earlier (a brief that was taken down and came back keeps its old ``first_seen``);
- a changed, moved or removed brief: the time of the crawl whose snapshot first shows it (its crawl id).

So every event of the pair (before, after) falls between ``after``'s crawl time and the next crawl's.
The oldest snapshot's live briefs are the archive's beginning: new, all at that first crawl's time (one
moment, the archive's start; ordered among themselves by publication, newest first, as a reader expects
of a new feed — their ``first_seen`` would order them by the crawl's fetching instead).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.diff import Changes, assemble, detect
from kei_crawler.storage.snapshot.reading import SnapshotFile, open_snapshot, read_keys, rows_reader
from kei_crawler.storage.snapshot.store import SnapshotError, SnapshotRef

KIND_ORDER = ("added", "changed", "moved", "removed")
EVENT_COLUMNS = ["brief_id", "url", "title", "published", "updated", "authors", "categories", "series",
                 "body", "first_seen", "removed_at"]  # fmt: skip


@dataclass(frozen=True)
class Event:
    kind: str
    """added, changed, moved or removed."""
    crawl_id: str
    """The snapshot that first shows it."""
    at: datetime
    """When it happened (see the module's docstring)."""
    brief: dict[str, Any]
    """The brief's ``EVENT_COLUMNS`` as that snapshot holds them (the last row it had, for a removal)."""
    fields: tuple[str, ...] = ()
    """For a change: the fields that differ."""
    text_diff: str | None = None
    """For a change of title, body or caption: the readable diff (``textdiff``)."""
    old_url: str | None = None
    """For a move: where the brief was before."""


@dataclass(frozen=True)
class Snapshot:
    ref: SnapshotRef
    file: SnapshotFile
    keys: pa.Table


def recent_events(
    output_dir: str | os.PathLike[str], limit: int, warn: Callable[[str], None] = lambda line: None
) -> list[Event]:
    """The ``limit`` latest events of the archive in ``output_dir``, latest first. An older snapshot that
    does not read is passed over (``warn`` hears of it); the newest must read."""
    found: list[Event] = []
    for before, after in _pairs(output_dir, warn):
        found += pair_events(before, after) if before else first_events(after, limit - len(found))
        if len(found) >= limit:
            break
    found.sort(key=_latest_first, reverse=True)
    return found[:limit]


def every_event(
    output_dir: str | os.PathLike[str], warn: Callable[[str], None] = lambda line: None
) -> list[Event]:
    """Every event after the archive's beginning — what each crawl found new, changed, moved or removed
    compared with the snapshot before it — oldest first. The oldest snapshot's briefs are not events here:
    each brief's ``first_seen`` says when it was first seen."""
    found = [
        event for before, after in _pairs(output_dir, warn) if before for event in pair_events(before, after)
    ]
    return sorted(found, key=_latest_first)


def _pairs(
    output_dir: str | os.PathLike[str], warn: Callable[[str], None]
) -> Iterator[tuple[Snapshot | None, Snapshot]]:
    """Each readable snapshot with the one before it, newest first; the oldest last, with None before it."""
    readable = _readable(store.list_snapshots(output_dir), warn)
    after = next(readable, None)
    if after is None:
        raise SnapshotError(f"{output_dir} holds no snapshot")
    for before in readable:
        yield before, after
        after = before
    yield None, after


def _latest_first(event: Event) -> tuple[datetime, int, Any, str]:
    published = event.brief["published"] or date.min
    return (event.at, -KIND_ORDER.index(event.kind), published, event.brief["url"])


def _readable(refs: list[SnapshotRef], warn: Callable[[str], None]) -> Iterator[Snapshot]:
    """The snapshots newest first, each opened and its detection columns read. The newest must read (a
    feed that says what is new cannot skip what is newest: SnapshotError); an older one that does not is
    left out, and the one after it compared with the one before it."""
    for number, ref in enumerate(reversed(refs)):
        try:
            file = open_snapshot(ref.path)
            yield Snapshot(ref, file, read_keys(file))
        except SnapshotError as exc:
            if number == 0:
                raise
            warn(f"passing over snapshot {ref.crawl_id}: {exc}")


def pair_events(before: Snapshot, after: Snapshot) -> list[Event]:
    """What the crawl of ``after`` found, compared with ``before``."""
    positions = detect(before.keys, after.keys)
    if not any(positions.counts.values()):
        return []
    changes = assemble(positions, rows_reader(before.file), rows_reader(after.file))
    crawled = _crawl_time(after.ref.crawl_id)
    return [
        *_events(changes, "added", after.ref.crawl_id, crawled),
        *_events(changes, "changed", after.ref.crawl_id, crawled),
        *_events(changes, "moved", after.ref.crawl_id, crawled),
        *_events(changes, "removed", after.ref.crawl_id, crawled),
    ]


def _events(changes: Changes, kind: str, crawl_id: str, crawled: datetime) -> list[Event]:
    table: pa.Table = getattr(changes, kind)
    extra = {"changed": ["changed_fields", "text_diff"], "moved": ["old_url"]}.get(kind, [])
    out = []
    for row in table.select([*EVENT_COLUMNS, *extra]).to_pylist():
        first_seen = row["first_seen"]
        at = first_seen if kind == "added" and first_seen and first_seen > crawled else crawled
        out.append(
            Event(
                kind, crawl_id, at, row,
                fields=tuple(row.pop("changed_fields", None) or ()),
                text_diff=row.pop("text_diff", None),
                old_url=row.pop("old_url", None),
            )
        )  # fmt: skip
    return out


def first_events(oldest: Snapshot, limit: int) -> list[Event]:
    """The oldest snapshot's ``limit`` newest live briefs (by publication), new at its crawl's time."""
    if limit <= 0:
        return []
    try:
        table = oldest.file.parquet.read(columns=["published", "url"])
    except (pa.ArrowException, OSError) as exc:
        raise oldest.file.error(exc) from exc
    live = pc.is_null(oldest.keys["removed_at"])
    order = pc.sort_indices(
        table.append_column("live", live),
        sort_keys=[("live", "descending"), ("published", "descending"), ("url", "ascending")],
    )
    picked = order[: min(limit, pc.sum(live).as_py() or 0)]
    rows = rows_reader(oldest.file)(picked.cast(pa.uint64())).select(EVENT_COLUMNS).to_pylist()
    crawled = _crawl_time(oldest.ref.crawl_id)
    return [Event("added", oldest.ref.crawl_id, crawled, row) for row in rows]


def _crawl_time(crawl_id: str) -> datetime:
    when = store.crawl_time(crawl_id)
    assert when is not None  # a SnapshotRef's crawl id is one by construction (store.scan)
    return when
