"""SnapshotWriter: a Scrapy extension that streams briefs into Parquet and publishes the file atomically.

Rows go to ``<output>/.tmp/<crawl_id>/briefs.parquet`` in row groups as they arrive, so memory stays
flat however large the archive; when the crawl ends, the previous snapshot's rows this crawl did not
re-capture are carried forward after them (``carry.py``), so every snapshot holds the whole archive.
Only a crawl that closes with reason ``finished`` is published, by renaming the whole directory to
``snapshots/snapshot=<crawl_id>/``: a reader sees the complete file or nothing. Anything else (Ctrl-C,
an error, kill -9) leaves the published snapshots untouched; the temporary directory is removed on the
way out or, after a kill, by the next run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from kei_crawler import __version__
from kei_crawler.extensions.fill_rates import fill_rates
from kei_crawler.extensions.warc import WARC_DIR
from kei_crawler.items import Brief
from kei_crawler.run import outstanding
from kei_crawler.run.archive import ArchiveState
from kei_crawler.run.counts import refresh_failures, run_counts
from kei_crawler.run.lock import OutputLock
from kei_crawler.run.outcome import os_error_line, stop_crawl
from kei_crawler.run.quality import (
    PROFILE_METADATA,
    Profile,
    ProfileCounts,
    Thresholds,
    alerts,
    baseline_profile,
)
from kei_crawler.run.resume import SPOOL_DIR, ResumeState, carried_stats
from kei_crawler.storage import failpoints
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.carry import CrawlFacts, carried_batches
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, SCHEMA_VERSION, encode_metadata
from kei_crawler.storage.snapshot.spool import RowSpool
from kei_crawler.storage.warc.parts import part_name

logger = logging.getLogger(__name__)

PID_FILE = "pid"


class SnapshotWriter:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.output_dir = Path(settings.get("KEI_OUTPUT_DIR") or "output")
        self.crawl_id = settings.get("KEI_CRAWL_ID") or ""
        self.base_url = settings.get("KEI_BASE_URL") or ""
        self.batch_rows = max(1, settings.getint("KEI_SNAPSHOT_BATCH_ROWS", 1000))
        self.jobdir = settings.get("JOBDIR") or ""
        self.lock = None if settings.getbool("KEI_LOCK_HELD") else OutputLock(self.output_dir)
        self.spool: RowSpool | None = None
        self.writer: pq.ParquetWriter | None = None
        self.rows = 0
        self.failed: str | None = None
        self.started_at = datetime.now(UTC)
        self.archive = ArchiveState.empty()
        self.captured: set[str] = set()
        self.written = ProfileCounts()  # of the rows written: the next crawl's quality baseline
        self.limits = Thresholds(
            min_briefs=settings.getint("KEI_QUALITY_MIN_BRIEFS", 5),
            rate_drop=settings.getfloat("KEI_QUALITY_RATE_DROP", 0.5),
            body_ratio=settings.getfloat("KEI_QUALITY_BODY_RATIO", 2.0),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SnapshotWriter:
        if not crawler.settings.getbool("KEI_SNAPSHOT_ENABLED", True):
            raise NotConfigured("KEI_SNAPSHOT_ENABLED is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def tmp_dir(self) -> Path:
        return store.tmp_dir(self.output_dir, self.crawl_id)

    @property
    def tmp_path(self) -> Path:
        return self.tmp_dir / store.FILENAME

    def spider_opened(self, spider: Spider) -> None:
        stats = self._stats()
        resumed = ResumeState.load(self.jobdir) if self.jobdir else None
        self.started_at = datetime.fromisoformat(resumed.started_at) if resumed else datetime.now(UTC)
        crawl_id = resumed.crawl_id if resumed else self.crawl_id or store.new_crawl_id(self.started_at)
        if self.lock is not None and not self.lock.acquire(crawl_id):
            # The spider sees this and requests nothing; the run ends at once and publishes nothing.
            spider.locked = True  # type: ignore[attr-defined]
            stats.set_value("kei/locked", self.lock.holder())
            logger.error(
                "Another run holds %s (%s); this one does nothing", self.lock.path, self.lock.holder()
            )
            self.lock = None
            return
        if resumed:
            ResumeState.remove(self.jobdir)  # a kill from here on leaves nothing --resume could trust
        remove_stale_tmp_dirs(self.output_dir)
        self.crawl_id = crawl_id if resumed else unused_crawl_id(self.output_dir, crawl_id)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        (self.tmp_dir / PID_FILE).write_text(str(os.getpid()))
        spool_dir = Path(self.jobdir) / SPOOL_DIR if self.jobdir else self.tmp_dir / SPOOL_DIR
        self.spool = RowSpool(spool_dir, self.batch_rows)
        self.archive = getattr(spider, "archive", None) or ArchiveState.empty()
        if resumed:
            for key, value in resumed.stats.items():
                stats.set_value(key, value)
            self.captured = self.spool.urls()
            logger.info("Resuming crawl %s: %d briefs already captured", self.crawl_id, len(self.captured))
        stats.set_value("kei/crawl_id", self.crawl_id)
        stats.set_value("kei/started_at", self.started_at.isoformat())

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if not isinstance(item, Brief) or self.spool is None or self.failed:
            return
        known = self.archive.known.get(item.url)
        if known is None:
            self._stats().inc_value("kei/briefs_new")
        elif known.content_hash != item.content_hash:
            self._stats().inc_value("kei/briefs_changed")
        else:
            self._stats().inc_value("kei/briefs_unchanged")
        self._stats().inc_value("kei/body_chars", len(item.body))
        self.captured.add(item.url)
        try:
            self.spool.add(item)
        except OSError as exc:
            self.failed = f"could not write the snapshot: {os_error_line(exc, self.spool.directory)}"
            logger.error("%s; stopping the crawl", self.failed)
            shutil.rmtree(self.spool.directory, ignore_errors=True)  # useless now; give the disk its space
            stop_crawl(self.crawler)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.spool is None:
            return
        try:
            self._close(spider, reason)
        finally:
            if self.lock is not None:
                self.lock.release()

    def _close(self, spider: Spider, reason: str) -> None:
        stats = self._stats()
        assert self.spool is not None
        try:
            if self.failed:
                self._discard(self.failed)  # its rows are not all on disk: nothing to resume either
                return
            if stats.get_value("kei/warc_skipped") and reason != "finished":
                # Stopped because the WARC could not be written: its rows would name captures that are gone.
                self._discard(f"the raw archive was not written ({stats.get_value('kei/warc_skipped')})")
                return
            self.spool.flush()
            if reason != "finished":
                if self.jobdir:
                    self._keep_for_resume(spider)
                self._discard(f"the crawl did not finish (reason: {reason})")
            elif not stats.get_value("kei/listing_pages") or stats.get_value("kei/listing_unreadable"):
                # Without the listing nothing is known about the site: carrying the archive forward
                # would publish a snapshot that claims to have looked. The spider says why when it knows.
                self._discard(
                    stats.get_value("kei/listing_unreadable") or "could not read The Peninsula's listing"
                )
            elif stats.get_value("kei/warc_skipped"):
                # Rows would name captures that are not there: the archive and its index go together.
                self._discard(f"the raw archive was not written ({stats.get_value('kei/warc_skipped')})")
            else:
                self._assemble()
                stats.set_value("kei/snapshot_rows", self.rows)
                if self.rows == 0:
                    self._discard("the crawl captured no briefs")
                else:
                    path = self._publish(reason)
                    stats.set_value("kei/snapshot_path", str(path))
                    logger.info("Published snapshot %s (%d briefs)", path, self.rows)
        except OSError as exc:
            # Disk full, permissions: the published snapshots stay as they were.
            self._discard(f"could not write the snapshot: {os_error_line(exc, self.tmp_path)}")
        except Exception as exc:
            # Scrapy would log and swallow this; the run must still say why nothing was published.
            logger.exception("Snapshot writing failed")
            self._discard(f"snapshot writing failed: {type(exc).__name__}: {exc}")

    def _assemble(self) -> None:
        """The snapshot file: this crawl's rows, then the archive's rows it did not re-capture."""
        assert self.spool is not None
        fresh = len(self.captured)
        self._check_quality(fresh)
        self.writer = pq.ParquetWriter(self.tmp_path, BRIEF_SCHEMA, compression="zstd")
        for table in self.spool.tables():
            failpoints.hit("snapshot.row_group", self.tmp_path)
            self._write(table)
        self._carry_forward()

    def _write(self, table: Any) -> None:
        assert self.writer is not None
        self.writer.write_table(table)
        self.rows += table.num_rows
        self.written.add(table)

    def _keep_for_resume(self, spider: Spider) -> None:
        archive: ArchiveState = getattr(spider, "archive", None) or ArchiveState.empty()
        ResumeState(
            crawl_id=self.crawl_id,
            started_at=self.started_at.isoformat(),
            base_url=self.base_url,
            stats=carried_stats(self._stats().get_stats()),
            listed=sorted(archive.listed),
            not_modified=sorted(archive.not_modified),
            gone={url: when.isoformat() for url, when in archive.gone.items()},
            known_only_pages=getattr(spider, "known_only_pages", 0),
        ).save(self.jobdir)
        logger.warning("Crawl %s interrupted; `kei-crawler crawl --resume` continues it", self.crawl_id)

    def _check_quality(self, fresh: int) -> None:
        if self.archive.path is None:
            return
        stats = self._stats()
        body_chars = int(stats.get_value("kei/body_chars", 0))
        profile = Profile(fresh, fill_rates(stats.get_stats(), fresh), body_chars / fresh if fresh else 0.0)
        found = alerts(profile, baseline_profile(self.archive.path), self.limits)
        for alert in found:
            logger.error("Quality alert — the site's layout may have changed: %s", alert)
        stats.set_value("kei/quality_alerts", found)

    def _carry_forward(self) -> None:
        if self.archive.path is None or self.writer is None:
            return
        facts = CrawlFacts(
            captured=frozenset(self.captured),
            seen=frozenset(self.archive.listed | self.archive.not_modified),
            gone=dict(self.archive.gone),
            seen_at=self.started_at,
            failed=refresh_failures(self._stats().get_stats()),
        )
        stats = self._stats()
        for table, removed, not_refreshed in carried_batches(self.archive.path, facts, self.batch_rows):
            failpoints.hit("snapshot.carry", self.tmp_path)
            self._write(table)
            stats.inc_value("kei/briefs_carried", table.num_rows)
            stats.inc_value("kei/briefs_removed", removed)
            stats.inc_value("kei/briefs_not_refreshed", not_refreshed)

    def _publish(self, reason: str) -> Path:
        assert self.writer is not None
        finished_at = datetime.now(UTC)
        pending = outstanding.carry(
            self.archive.outstanding,
            refresh_failures(self._stats().get_stats()),
            archived=self.captured | self.archive.known.keys(),
            gone=self.archive.gone,
            now=self.started_at,
        )
        self._stats().set_value("kei/briefs_outstanding", len(pending))
        self.writer.add_key_value_metadata(
            encode_metadata(
                {
                    "crawl_id": self.crawl_id,
                    "base_url": self.base_url,
                    "started_at": self.started_at.isoformat(),
                    "finished_at": finished_at.isoformat(),
                    "finish_reason": reason,
                    "mode": self._stats().get_value("kei/mode", ""),
                    "version": __version__,
                    "schema_version": SCHEMA_VERSION,
                    "previous_snapshot": self.archive.snapshot.crawl_id if self.archive.snapshot else None,
                    "counts": run_counts(self._stats().get_stats()),
                    "alerts": self._stats().get_value("kei/quality_alerts", []),
                    outstanding.METADATA_KEY: outstanding.encode(pending),
                    PROFILE_METADATA: self.written.to_metadata(),
                }
            )
        )
        self.writer.close()
        self.writer = None
        _fsync(self.tmp_path)
        (self.tmp_dir / PID_FILE).unlink()
        if self.spool is not None and self.spool.directory.parent == self.tmp_dir:
            shutil.rmtree(self.spool.directory)  # its rows are in briefs.parquet now
        final = store.snapshot_dir(self.output_dir, self.crawl_id)
        final.parent.mkdir(parents=True, exist_ok=True)
        # A directory rename is atomic on one file system: readers see all of briefs.parquet or nothing.
        failpoints.hit("snapshot.before_rename", final)
        os.rename(self.tmp_dir, final)
        with contextlib.suppress(OSError):  # published by the rename: a failed sync does not undo that
            _fsync(final.parent)
        failpoints.hit("snapshot.after_rename")
        return final / store.FILENAME

    def _discard(self, why: str) -> None:
        if self.writer is not None:
            with contextlib.suppress(OSError):
                self.writer.close()
            self.writer = None
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self._stats().set_value("kei/snapshot_skipped", why)
        logger.error("No snapshot published: %s", why)

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats


def unused_crawl_id(output_dir: Path, crawl_id: str) -> str:
    """``crawl_id``, moved on a second at a time while a snapshot or a run already holds that id."""
    while (
        store.snapshot_dir(output_dir, crawl_id).exists()
        or store.tmp_dir(output_dir, crawl_id).exists()
        or (output_dir / WARC_DIR / part_name(crawl_id, 0)).exists()  # a killed run published its WARC only
    ):
        if not store.is_crawl_id(crawl_id):
            raise ValueError(f"crawl id {crawl_id!r} is already used in {output_dir}")
        when = datetime.strptime(crawl_id, "%Y-%m-%dT%H%M%SZ").replace(tzinfo=UTC)
        crawl_id = store.new_crawl_id(when + timedelta(seconds=1))
    return crawl_id


def remove_stale_tmp_dirs(output_dir: Path) -> None:
    """Remove what killed runs left in .tmp/ — only runs whose process is gone."""
    root = output_dir / store.TMP
    if not root.is_dir():
        return
    for child in root.iterdir():
        try:
            pid = int((child / PID_FILE).read_text())
        except (OSError, ValueError):
            pid = 0
        if pid and _alive(pid):
            continue
        logger.info("Removing %s, left by an interrupted run", child)
        shutil.rmtree(child, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
