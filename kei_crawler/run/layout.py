"""Every path a run reads or writes, under its output directory and its job directory, named once.

::

    <output>/snapshots/snapshot=<crawl_id>/briefs.parquet   published snapshots (storage.snapshot.store)
    <output>/runs/<crawl_id>.json                           one manifest per run, published or not
    <output>/warc/<crawl_id>.warc.gz, <crawl_id>.cdxj       the raw archive and its index
    <output>/.tmp/<crawl_id>/                               a snapshot being written; renamed when done
    <output>/.tmp/<crawl_id>.warc/                          a WARC being written by a run without a job directory
    <output>/.lock                                          held by the running run (flock)
    <output>/.job/                                          Scrapy's JOBDIR, so that --resume can continue
        kei-resume.json                                     what an interrupted run learned (run.resume)
        kei-spool/part-*.parquet                            the rows it fetched
        kei-warc/<crawl_id>[-n].warc.gz                      the WARC it wrote
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kei_crawler.storage.snapshot import store
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
        crawl id (a symlink by that name too, even a dangling one): a crawl id names one run."""
        taken = (
            self.snapshot_dir(crawl_id),
            self.tmp_dir(crawl_id),
            self.warc_file(crawl_id),  # a killed run published its WARC only
            self.manifest(crawl_id),  # a run that published nothing
        )
        return any(os.path.lexists(path) for path in taken)


@dataclass(frozen=True)
class JobLayout:
    """Inside Scrapy's JOBDIR: what kei-crawler keeps there beside Scrapy's own queue files."""

    root: Path

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

    def looks_made_by_a_crawl(self) -> bool:
        """True for an empty folder, or one holding a file only a crawl makes (a run killed while it
        cleared the folder may have left just one): the only kind a crawl may clear."""
        if not self.root.is_dir():
            return False
        names = (*self.SCRAPY_FILES, self.RESUME_FILE, self.ROW_SPOOL, self.WARC_SPOOL)
        return not any(self.root.iterdir()) or any((self.root / name).exists() for name in names)
