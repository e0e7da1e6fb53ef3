"""Every path a run reads or writes, under its output directory and its job directory, named once.

::

    <output>/snapshots/snapshot=<crawl_id>/briefs.parquet   published snapshots (storage.snapshot.store)
    <output>/latest -> snapshots/snapshot=<crawl_id>        the newest snapshot's folder (run.current)
    <output>/kei.duckdb                                     DuckDB views over the snapshots (run.current)
    <output>/datapackage.json                               the data dictionary of the newest snapshot
    <output>/runs/<crawl_id>.json                           one manifest per run, published or not
    <output>/warc/<crawl_id>.warc.gz, <crawl_id>.cdxj       the raw archive and its index
    <output>/.tmp/<crawl_id>/                               a snapshot being written; renamed when done
    <output>/.tmp/<crawl_id>.warc/                          a WARC being written by a run without a job directory
    <output>/.lock                                          held by the running run (flock)
    <output>/.job/                                          Scrapy's JOBDIR, so that --resume can continue
        kei-job (or kei-job-given)                          marks it as a crawl's (run.jobdir): only then cleared
        kei-resume.json                                     what an interrupted run learned (run.resume)
        kei-spool/part-*.parquet                            the rows it fetched
        kei-warc/<crawl_id>[-n].warc.gz                      the WARC it wrote
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kei_crawler.storage.atomic import temporary_name
from kei_crawler.storage.snapshot import dictionary, store
from kei_crawler.storage.warc.cdx import SUFFIX as CDXJ_SUFFIX
from kei_crawler.storage.warc.parts import part_name


@dataclass(frozen=True)
class OutputLayout:
    root: Path

    @classmethod
    def of(cls, root: str | os.PathLike[str]) -> OutputLayout:
        return cls(Path(root))

    @property
    def snapshots(self) -> Path:
        return self.root / store.SNAPSHOTS

    @property
    def latest(self) -> Path:
        """A relative symbolic link to the newest snapshot's folder, outside ``snapshots/`` so that a glob
        over the snapshots does not count it twice."""
        return self.root / "latest"

    @property
    def views_database(self) -> Path:
        return self.root / "kei.duckdb"

    @property
    def datapackage(self) -> Path:
        return self.root / dictionary.FILENAME

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def warc(self) -> Path:
        return self.root / "warc"

    @property
    def tmp(self) -> Path:
        return self.root / ".tmp"

    @property
    def lock_file(self) -> Path:
        return self.root / ".lock"

    @property
    def default_jobdir(self) -> Path:
        return self.root / ".job"

    def snapshot_dir(self, crawl_id: str) -> Path:
        return store.snapshot_dir(self.root, crawl_id)

    def tmp_dir(self, crawl_id: str) -> Path:
        """Where the snapshot of ``crawl_id`` is written before it is published."""
        return self.tmp / store.plain_name(crawl_id)

    def tmp_warc_dir(self, crawl_id: str) -> Path:
        """Where the WARC of a run without a job directory is written before it is published."""
        return self.tmp / f"{store.plain_name(crawl_id)}.warc"

    def manifest(self, crawl_id: str) -> Path:
        return self.runs / f"{store.plain_name(crawl_id)}.json"

    def warc_file(self, crawl_id: str, part: int = 0) -> Path:
        return self.warc / part_name(store.plain_name(crawl_id), part)

    def cdxj(self, crawl_id: str) -> Path:
        return self.warc / f"{store.plain_name(crawl_id)}{CDXJ_SUFFIX}"

    def holds_crawl(self, crawl_id: str) -> bool:
        """True when a snapshot, a run being written, a published WARC or a run's manifest already has this
        crawl id (or anything at all lies where they would go, a dangling link included): a crawl id names
        one run."""
        taken = (
            self.snapshot_dir(crawl_id),
            self.tmp_dir(crawl_id),
            self.tmp_warc_dir(crawl_id),
            self.warc_file(crawl_id),  # a killed run published its WARC only
            self.manifest(crawl_id),  # a run that published nothing
        )
        return any(os.path.lexists(path) for path in taken)

    def misplaced(self) -> str | None:
        """What lies where this layout puts its own files and is not of their kind — a file where a folder
        goes, a folder where the lock file goes, or a symbolic link (which could lead writes and deletions
        out of the output directory) — as one line; None when every entry is absent or of its kind."""
        entries = [
            (self.lock_file, stat.S_ISREG, "the lock file"),
            (self.datapackage, stat.S_ISREG, "a file"),
        ]
        entries += [
            (folder, stat.S_ISDIR, "a folder") for folder in (self.snapshots, self.runs, self.warc, self.tmp)
        ]
        for path, right_kind, should_be in entries:
            kind = kind_of(path)
            if kind is not None and (kind == SYMLINK or not right_kind(path.lstat().st_mode)):
                return f"{path} is {kind}, where kei-crawler keeps {should_be}; move it out of the way"
        return None


@dataclass(frozen=True)
class JobLayout:
    """Inside Scrapy's JOBDIR: what kei-crawler keeps there beside Scrapy's own queue files."""

    root: Path

    MARKER = "kei-job"
    """Written first into a job directory a run takes, removed last when it is cleared: only a folder
    holding it is a crawl's to clear, and then only of the entries crawls make (:meth:`made_by_a_crawl`).
    An empty file (a full disk still has room for it): ``kei-job`` when the run made the folder,
    ``kei-job-given`` when it took an empty one it was given, which clearing then leaves in place."""
    GIVEN_MARKER = "kei-job-given"
    RESUME_FILE = "kei-resume.json"
    ROW_SPOOL = "kei-spool"
    WARC_SPOOL = "kei-warc"
    SCRAPY_FILES = ("requests.seen", "requests.queue", "spider.state")

    @property
    def resume_file(self) -> Path:
        return self.root / self.RESUME_FILE

    @property
    def row_spool(self) -> Path:
        return self.root / self.ROW_SPOOL

    @property
    def warc_spool(self) -> Path:
        return self.root / self.WARC_SPOOL

    @property
    def marker(self) -> Path:
        return self.root / self.MARKER

    def crawl_entries(self) -> list[Path]:
        """What a crawl makes in its job directory, Scrapy's files and ours (the marker last)."""
        names = (*self.SCRAPY_FILES, self.RESUME_FILE, self.ROW_SPOOL, self.WARC_SPOOL)
        markers = (self.root / self.GIVEN_MARKER, self.marker)
        return [*(self.root / name for name in names), temporary_name(self.resume_file), *markers]

    def misplaced(self) -> str | None:
        """Why this job directory cannot be used or cleared, as one line: it is not a folder, or a crawl's
        entry in it is a symbolic link (a crawl makes none; clearing or writing through it would reach
        outside); None when it is absent or fine."""
        kind = kind_of(self.root)
        if kind is not None and kind != FOLDER:
            return f"JOBDIR {self.root} is {kind}, not a folder; move it out of the way"
        for entry in self.crawl_entries() if kind else []:
            if kind_of(entry) == SYMLINK:
                return f"{entry} is a symbolic link, which no crawl makes; not touching {self.root}"
        return None

    def made_by_a_crawl(self) -> bool:
        """True when the folder holds a marker a run writes as it takes a job directory."""
        return FILE in (kind_of(self.marker), kind_of(self.root / self.GIVEN_MARKER))


SYMLINK, FOLDER, FILE = "a symbolic link", "a folder", "a file"


def kind_of(path: Path) -> str | None:
    """What ``path`` itself is (a link is not followed), in words; None when nothing is there."""
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(mode):
        return SYMLINK
    if stat.S_ISDIR(mode):
        return FOLDER
    return FILE if stat.S_ISREG(mode) else "a special file (a FIFO, socket or device)"
