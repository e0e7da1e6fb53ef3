"""Which two snapshots a ``diff`` compares: crawl ids, snapshot folders or files, the two newest, or from
one snapshot (or where this reader last looked) to the newest."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kei_crawler.run import cursors
from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.reading import open_snapshot
from kei_crawler.storage.snapshot.store import SnapshotError

CURSOR = "diff"
"""The cursor ``diff --since-last`` keeps in ``<output>/cursors/`` (``run/cursors.py``)."""


@dataclass(frozen=True)
class Source:
    label: str
    """The crawl id when the file sits in a snapshot folder, else the path as given."""
    path: Path


def resolve(token: str, output_dir: str | os.PathLike[str]) -> Source:
    """A crawl id (``2026-11-29T043512Z`` or ``snapshot=…``) in ``output_dir``, or a path to a snapshot
    folder or file."""
    path = Path(token)
    crawl_id = token.removeprefix(store.PREFIX).rstrip("/")
    if not path.exists() and store.is_crawl_id(crawl_id):
        # Found as every reader finds snapshots: a symlink or an empty folder of that name is none.
        ref = next((ref for ref in store.list_snapshots(output_dir) if ref.crawl_id == crawl_id), None)
        if ref is None:
            raise SnapshotError(f"no snapshot {crawl_id} in {Path(output_dir) / store.SNAPSHOTS}")
        return Source(crawl_id, ref.path)
    if path.is_dir():
        path = path / store.FILENAME
    if not path.exists():
        raise SnapshotError(f"{token}: no such file, and not a crawl id")
    return Source(label_of(path), path)


def label_of(path: Path) -> str:
    folder = path.resolve().parent.name
    return folder.removeprefix("snapshot=") if folder.startswith("snapshot=") else str(path)


def pair(
    tokens: list[str], output_dir: str | os.PathLike[str], warn: Callable[[str], None] = lambda line: None
) -> tuple[Source, Source]:
    """OLD and NEW: as given, or the newest snapshot in ``output_dir`` and the last one before it that
    reads (as ``snapshots`` counts changes); ``warn`` hears of every entry or snapshot passed over."""
    if len(tokens) == 2:
        old, new = resolve(tokens[0], output_dir), resolve(tokens[1], output_dir)
    elif not tokens:
        old, new = _newest_two(output_dir, warn)
    else:
        raise SnapshotError("give both OLD and NEW, or neither for the two newest snapshots")
    if old.path.resolve() == new.path.resolve():
        raise SnapshotError(f"OLD and NEW are the same snapshot ({old.path})")
    return old, new


def _newest_two(output_dir: str | os.PathLike[str], warn: Callable[[str], None]) -> tuple[Source, Source]:
    if not Path(output_dir).is_dir():
        raise SnapshotError(f"{output_dir}: no such directory")
    found = store.scan(output_dir)
    for line in found.ignored:
        warn(line)
    refs = found.refs
    if len(refs) < 2:
        raise SnapshotError(
            f"{output_dir} holds {len(refs)} snapshot{'' if len(refs) == 1 else 's'}; a diff needs two"
        )
    newest = refs[-1]
    for ref in reversed(refs[:-1]):
        try:
            open_snapshot(ref.path)
        except SnapshotError as exc:
            warn(f"passing over snapshot {ref.crawl_id}: {exc}")
            continue
        return Source(ref.crawl_id, ref.path), Source(newest.crawl_id, newest.path)
    raise SnapshotError(f"{output_dir} holds no readable snapshot before {newest.crawl_id}; a diff needs two")


def since(
    token: str | None, output_dir: str | os.PathLike[str], warn: Callable[[str], None] = lambda line: None
) -> tuple[Source, Source]:
    """From snapshot ``token`` (a crawl id or path, as OLD is given) to the newest in ``output_dir``: the
    net change over every crawl between them. ``token`` None: from where the ``diff`` cursor stands
    (:func:`since_last`). OLD may be the newest itself: nothing changed since."""
    first_look = token is None and cursors.read(OutputLayout.of(output_dir), CURSOR) is None
    if first_look and len(store.list_snapshots(output_dir)) != 1:  # as a bare diff
        return _newest_two(output_dir, warn)
    newest = _newest(output_dir, warn)
    old = resolve(token, output_dir) if token is not None else since_last(output_dir, newest, warn)
    if old.label == newest.label or old.path.resolve() == newest.path.resolve():
        return newest, newest
    return old, newest


def since_last(output_dir: str | os.PathLike[str], newest: Source, warn: Callable[[str], None]) -> Source:
    """Where the ``diff`` cursor stands: the snapshot it names or, pruned since, the newest before it.
    No cursor yet, and ``newest`` the only snapshot: ``newest`` (nothing to report yet; the next look
    starts there). With more, :func:`since` compares the two newest, as a bare ``diff``."""
    cursor = cursors.read(OutputLayout.of(output_dir), CURSOR)
    if cursor is None:
        return newest
    if cursor.crawl_id > newest.label:
        raise SnapshotError(
            f"the diff cursor is at {cursor.crawl_id}, after the newest snapshot {newest.label}; remove "
            f"{cursors.path_of(OutputLayout.of(output_dir), CURSOR)} to start from the two newest"
        )
    earlier = [ref for ref in store.list_snapshots(output_dir) if ref.crawl_id <= cursor.crawl_id]
    if not earlier:
        raise SnapshotError(
            f"the diff cursor is at {cursor.crawl_id}, and no snapshot that old is left; remove "
            f"{cursors.path_of(OutputLayout.of(output_dir), CURSOR)} to start from the two newest"
        )
    ref = earlier[-1]
    if ref.crawl_id != cursor.crawl_id:
        warn(f"snapshot {cursor.crawl_id}, where the diff cursor is, is gone; diffing from {ref.crawl_id}")
    return Source(ref.crawl_id, ref.path)


def _newest(output_dir: str | os.PathLike[str], warn: Callable[[str], None]) -> Source:
    if not Path(output_dir).is_dir():
        raise SnapshotError(f"{output_dir}: no such directory")
    found = store.scan(output_dir)
    for line in found.ignored:
        warn(line)
    if not found.refs:
        raise SnapshotError(f"{output_dir} holds no snapshot")
    return Source(found.refs[-1].crawl_id, found.refs[-1].path)


def move_cursor(output_dir: str | os.PathLike[str], new: Source) -> None:
    """The ``diff`` cursor moved to ``new``, once the diff up to it was shown whole."""
    cursors.write(OutputLayout.of(output_dir), CURSOR, new.label)
