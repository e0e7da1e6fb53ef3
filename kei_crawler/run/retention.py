"""What ``prune`` keeps and what it removes: the retention plan, computed before anything is touched.

Snapshots: the newest always; the ``--keep`` newest and those of the last ``--keep-days`` days (either
keeps); with ``--thin``, of those only the snapshots that changed something (a brief new, changed, removed
or moved since the snapshot before: ``diff.detect_files``); and every snapshot a cursor names, since
``notify`` and ``diff --since-last`` diff from it next. A snapshot folder holding anything kei-crawler does
not write there is kept, and said so.

WARCs go by crawl — its parts and its CDXJ together, so an index never names a file that is gone — and
only the crawls of removed snapshots (or of a snapshot already gone, by its run manifest: what an
interrupted prune left), never one that a kept snapshot still needs: the WARCs its rows point into, those
holding its photos' first captures, and the originals of the revisits in those (``selection.needed_warcs``,
the WACZ's own rule). Run manifests (``runs/``) are all kept: they are small, and they are the history.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from kei_crawler.run import cursors
from kei_crawler.run.layout import FILE, OutputLayout, kind_of
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.carry import conform
from kei_crawler.storage.snapshot.diff import detect_files
from kei_crawler.storage.snapshot.reading import open_snapshot
from kei_crawler.storage.snapshot.store import SnapshotRef
from kei_crawler.storage.warc.cdx import SUFFIX as CDXJ_SUFFIX
from kei_crawler.storage.warc.parts import WARC_SUFFIX
from kei_crawler.storage.warc.selection import needed_warcs, photo_path

LINK_COLUMNS = ["warc_file", "photo_url"]
"""What a row says about the WARCs it needs: its capture's file, and its photo (found by URL)."""
SNAPSHOT_FILES = frozenset({store.FILENAME})
"""What a published snapshot folder holds: a folder holding anything else is not removed."""


@dataclass(frozen=True)
class Policy:
    keep: int | None = None
    keep_days: float | None = None
    thin: bool = False


@dataclass
class Plan:
    removed: list[SnapshotRef] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)
    """Crawl id → why the snapshot stays."""
    warcs_removed: dict[str, list[Path]] = field(default_factory=dict)
    """Crawl id → its WARC parts and CDXJ, to go."""
    warcs_kept: dict[str, str] = field(default_factory=dict)
    """Crawl id of a removed snapshot → why its WARC stays (a kept snapshot needs it)."""
    problems: list[str] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [ref.path.parent for ref in self.removed] + [
            path for files in self.warcs_removed.values() for path in files
        ]

    def size(self) -> int:
        """The bytes the removals free."""
        total = 0
        for path in self.paths:
            entries = [path / name for name in SNAPSHOT_FILES] if path.is_dir() else [path]
            total += sum(entry.lstat().st_size for entry in entries if kind_of(entry) == FILE)
        return total


def plan(layout: OutputLayout, policy: Policy, now: datetime) -> Plan:
    """What ``policy`` removes from the archive in ``layout`` at ``now``. SnapshotError (one line) when a
    snapshot a kept one is compared with, or a kept one, cannot be read; CursorError for a bad cursor."""
    refs = store.scan(layout.root).refs
    result = Plan()
    if not refs:
        return result
    result.kept = _kept(layout, refs, policy, now)
    for ref in refs:
        if ref.crawl_id in result.kept:
            continue
        stray = sorted(entry.name for entry in ref.path.parent.iterdir() if entry.name not in SNAPSHOT_FILES)
        if stray or kind_of(ref.path) != FILE:
            held = ", ".join(stray) or f"no plain {store.FILENAME}"
            result.kept[ref.crawl_id] = f"its folder holds {held}, which kei-crawler does not write there"
        else:
            result.removed.append(ref)
    kept_refs = [ref for ref in refs if ref.crawl_id in result.kept]
    needed, problems = _needed(layout, kept_refs)
    result.problems += problems
    candidates = {ref.crawl_id for ref in result.removed} | _already_pruned(layout, refs)
    by_crawl = warc_files_by_crawl(layout)
    for crawl_id in sorted(candidates & set(by_crawl)):
        if crawl_id in result.kept:
            continue
        files = by_crawl[crawl_id]
        wanted = sorted(path.name for path in files if path.name in needed)
        if wanted:
            result.warcs_kept[crawl_id] = f"a kept snapshot still needs {', '.join(wanted)}"
        elif any(kind_of(path) != FILE for path in files):
            result.problems.append(f"{layout.warc}: {crawl_id}'s WARC files are not all plain files; kept")
        else:
            result.warcs_removed[crawl_id] = files
    return result


def _kept(layout: OutputLayout, refs: list[SnapshotRef], policy: Policy, now: datetime) -> dict[str, str]:
    newest = refs[-1].crawl_id
    kept = {newest: "the newest"}
    window = refs if policy.keep is None and policy.keep_days is None else []
    if policy.keep is not None:
        window = refs[-policy.keep :] if policy.keep else []
    if policy.keep_days is not None:
        since = now - timedelta(days=policy.keep_days)
        recent = [ref for ref in refs if (store.crawl_time(ref.crawl_id) or now) >= since]
        window = [ref for ref in refs if ref in window or ref in recent]
    limited = policy.keep is not None or policy.keep_days is not None
    reason = "within --keep/--keep-days" if limited else ""
    previous = {ref.crawl_id: before for before, ref in itertools.pairwise(refs)}
    for ref in window:
        if ref.crawl_id in kept:
            continue
        if policy.thin:
            before = previous.get(ref.crawl_id)
            if before is not None and not any(detect_files(before.path, ref.path).counts.values()):
                continue  # a quiet run: the same briefs as the snapshot before it
            kept[ref.crawl_id] = f"{reason}, and changed something" if reason else "changed something"
        else:
            kept[ref.crawl_id] = reason
    present = {ref.crawl_id for ref in refs}
    for name in _cursor_names(layout):
        cursor = cursors.read(layout, name)
        if cursor is not None and cursor.crawl_id in present and cursor.crawl_id not in kept:
            kept[cursor.crawl_id] = f"cursor {name} is at it (the next diff starts there)"
    return kept


def _cursor_names(layout: OutputLayout) -> list[str]:
    where = cursors.folder(layout)
    if kind_of(where) != "a folder":
        return []
    names = (path.name.removesuffix(".json") for path in sorted(where.iterdir()) if path.suffix == ".json")
    return [name for name in names if cursors.NAME.fullmatch(name)]


def _needed(layout: OutputLayout, kept: list[SnapshotRef]) -> tuple[set[str], list[str]]:
    """The WARC names the kept snapshots need, and what could not be read."""
    referenced: set[str] = set()
    photos: set[str] = set()
    for ref in kept:
        opened = open_snapshot(ref.path)
        wanted = [name for name in LINK_COLUMNS if name in opened.parquet.schema_arrow.names]
        try:  # a snapshot older than the link columns has none: it needs no WARC
            columns = conform(opened.parquet.read(columns=wanted)).select(LINK_COLUMNS).to_pydict()
        except Exception as exc:  # ArrowInvalid, OSError, a failed cast: the file is unusable
            raise opened.error(exc) from exc
        referenced.update(name for name in columns["warc_file"] if name)
        photos.update(photo_path(url) for url in columns["photo_url"] if url)
    if kind_of(layout.warc) != "a folder":
        return set(), []
    return needed_warcs(layout.warc, referenced, photos)


def warc_files_by_crawl(layout: OutputLayout) -> dict[str, list[Path]]:
    """The WARC parts and CDXJ index in ``warc/`` by the crawl id their names give; names that are no
    crawl's (``notes.warc.gz``) are in none, so never removed."""
    found: dict[str, list[Path]] = {}
    if kind_of(layout.warc) != "a folder":
        return found
    for path in sorted(layout.warc.iterdir()):
        crawl_id = crawl_of_file(path.name)
        if crawl_id is not None:
            found.setdefault(crawl_id, []).append(path)
    return found


def crawl_of_file(name: str) -> str | None:
    """The crawl whose WARC part or CDXJ index ``name`` is, by the names the layout gives; None for any
    other name."""
    if name.endswith(CDXJ_SUFFIX):
        stem = name.removesuffix(CDXJ_SUFFIX)
        return stem if store.is_crawl_id(stem) else None
    if not name.endswith(WARC_SUFFIX):
        return None
    stem = name.removesuffix(WARC_SUFFIX)
    if store.is_crawl_id(stem):
        return stem
    base, _, number = stem.rpartition("-")
    return base if number.isdigit() and not number.startswith("0") and store.is_crawl_id(base) else None


def _already_pruned(layout: OutputLayout, refs: list[SnapshotRef]) -> set[str]:
    """Crawls whose run manifest says they published a snapshot that is no longer there (an earlier prune
    removed it and was stopped before its WARC), older than the newest snapshot."""
    present = {ref.crawl_id for ref in refs}
    gone: set[str] = set()
    if kind_of(layout.runs) != "a folder":
        return gone
    for path in layout.runs.glob("*.json"):
        crawl_id = path.name.removesuffix(".json")
        if not store.is_crawl_id(crawl_id) or crawl_id in present or crawl_id > refs[-1].crawl_id:
            continue
        try:
            published = json.loads(path.read_text(encoding="utf-8")).get("snapshot")
        except (OSError, ValueError, AttributeError):
            continue
        if published:
            gone.add(crawl_id)
    return gone
