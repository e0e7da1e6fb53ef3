"""``prune`` carried out: the plan's snapshots and WARCs removed, each so that a stop at any moment
leaves the archive readable.

A snapshot folder is first renamed out of ``snapshots/`` into ``.tmp/`` (one atomic rename: a reader sees
the whole snapshot or none) and only then emptied; a crawl's WARC files are moved into ``.tmp/`` too, its
CDXJ index first (parts left without their index are what a crawl killed while publishing leaves, and are
indexed again rather than read as missing). Only the names the layout gives are ever removed — the
snapshot's ``briefs.parquet``, a crawl's ``<id>[-n].warc.gz`` and ``<id>.cdxj`` — never through a link.
What an interrupted prune left in ``.tmp/`` is removed by the next prune (and by the next crawl, which
clears ``.tmp/`` of folders no live run owns).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from kei_crawler.run.layout import FILE, FOLDER, OutputLayout, kind_of
from kei_crawler.run.retention import SNAPSHOT_FILES, Plan, crawl_of_file
from kei_crawler.storage.atomic import fsync_path

PREFIX = "pruned-"


def carry_out(layout: OutputLayout, plan: Plan) -> None:
    """Remove what ``plan`` names. OSError when the disk refuses; what was done so far stays done."""
    finish_interrupted(layout)
    if not plan.paths:
        return
    layout.tmp.mkdir(exist_ok=True)
    for ref in plan.removed:
        staged = layout.tmp / f"{PREFIX}snapshot-{ref.crawl_id}"
        os.rename(ref.path.parent, staged)
        _sync(layout.snapshots)
        _empty(staged)
    for crawl_id, files in plan.warcs_removed.items():
        staged = layout.tmp / f"{PREFIX}warc-{crawl_id}"
        staged.mkdir(exist_ok=True)
        for path in sorted(files, key=lambda p: not p.name.endswith(".cdxj")):  # the index first
            os.rename(path, staged / path.name)
        _sync(layout.warc)
        _empty(staged)


def finish_interrupted(layout: OutputLayout) -> None:
    """Empty what a stopped prune moved into ``.tmp/`` (only its own folders, and in them only the names it
    moves there)."""
    if kind_of(layout.tmp) != FOLDER:
        return
    for child in sorted(layout.tmp.iterdir()):
        if child.name.startswith(PREFIX) and kind_of(child) == FOLDER:
            _empty(child)


def _empty(staged: Path) -> None:
    """Remove the crawler's files in a staged folder, then the folder; anything else is left there."""
    for entry in staged.iterdir():
        if kind_of(entry) == FILE and (entry.name in SNAPSHOT_FILES or crawl_of_file(entry.name) is not None):
            entry.unlink()
    with contextlib.suppress(OSError):  # something the crawler did not write: left for a person to see
        staged.rmdir()


def _sync(folder: Path) -> None:
    with contextlib.suppress(OSError):  # the renames are done; a failed sync does not undo them
        fsync_path(folder)
