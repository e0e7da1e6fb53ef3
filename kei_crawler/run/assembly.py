"""A run's snapshot, from its first fresh row to its publication: the one path both a crawl
(``extensions.snapshot_writer``) and a re-extraction (``jobs.reextract``) publish through.

Fresh rows are written in batches as they arrive, so memory stays flat however large the archive: in a
run with a job directory, spooled in whole Parquet parts there (``--resume`` keeps them); in one without
(a re-extraction, a plain ``scrapy crawl``), straight into the snapshot file, since nothing could resume. Publishing writes them into
``<output>/.tmp/<crawl_id>/briefs.parquet``, then carries forward the previous snapshot's rows this run
did not re-capture (``storage.snapshot.carry``), so that every snapshot holds the whole archive; adds the
metadata; syncs the file; and renames the whole folder to ``snapshots/snapshot=<crawl_id>/``: a reader
sees the complete file or nothing. A run that cannot publish says why (``outcome.not_published_because``)
and leaves the published snapshots untouched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from kei_crawler import __version__
from kei_crawler.items import Brief
from kei_crawler.run import current, index_absence, listing_walk, outstanding
from kei_crawler.run.context import PID_FILE, RunContext
from kei_crawler.run.counts import Stat, fill_rates, run_counts
from kei_crawler.run.outcome import FINISHED
from kei_crawler.run.quality import (
    PROFILE_METADATA,
    Profile,
    ProfileCounts,
    Thresholds,
    alerts,
    baseline_profile,
)
from kei_crawler.storage import failpoints
from kei_crawler.storage.atomic import fsync_path, os_error_line, publish_dir
from kei_crawler.storage.snapshot import dictionary, store
from kei_crawler.storage.snapshot.carry import CrawlFacts, carried_batches
from kei_crawler.storage.snapshot.schema import (
    BRIEF_SCHEMA,
    SCHEMA_HISTORY,
    SCHEMA_VERSION,
    encode_metadata,
    to_table,
)
from kei_crawler.storage.snapshot.spool import RowSpool

logger = logging.getLogger(__name__)


class Stats(Protocol):
    """What is used of Scrapy's stats collector."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...

    def set_value(self, key: str, value: Any) -> None: ...

    def get_value(self, key: str, default: Any = None) -> Any: ...

    def get_stats(self) -> dict[str, Any]: ...


class SnapshotAssembly:
    def __init__(self, run: RunContext, stats: Stats) -> None:
        self.run = run
        self.stats = stats
        run.tmp_dir.mkdir(parents=True, exist_ok=True)
        (run.tmp_dir / PID_FILE).write_text(str(os.getpid()))
        self.batch_rows = run.config.snapshot_batch_rows
        self.spool = RowSpool(run.job.row_spool, self.batch_rows) if run.job is not None else None
        self.captured: set[str] = self.spool.urls() if self.spool else set()  # an interrupted run's rows
        self._pending: list[Brief] = []  # without a spool: the rows of the next two batches
        if run.resumed is not None:
            logger.info("Resuming crawl %s: %d briefs already captured", run.crawl_id, len(self.captured))
        self.written = ProfileCounts()  # of the rows written: the next crawl's quality baseline
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None

    @property
    def tmp_path(self) -> Path:
        return self.run.tmp_dir / store.FILENAME

    @property
    def rows_at(self) -> Path:
        """Where fresh rows are written as they arrive (for an error's message)."""
        return self.spool.directory if self.spool is not None else self.tmp_path

    def add(self, brief: Brief) -> None:
        """A freshly captured row; OSError when it cannot be spooled (a full disk)."""
        known = self.run.archive.known.get(brief.url)
        if known is None:
            self.stats.inc_value(Stat.BRIEFS_NEW)
        else:
            # Lineage survives re-fetching: a brief was first seen when the archive first captured it.
            brief.first_seen = known.first_seen
            changed = known.content_hash != brief.content_hash
            self.stats.inc_value(Stat.BRIEFS_CHANGED if changed else Stat.BRIEFS_UNCHANGED)
        self.stats.inc_value(Stat.BODY_CHARS, len(brief.body))
        self.captured.add(brief.url)
        if self.spool is not None:
            self.spool.add(brief)
            return
        self._pending.append(brief)
        # A batch behind: the rows written now were added a batch ago, so their photos, requested right
        # after their pages, have been captured and the rows link to them (``run.photo_links``).
        if len(self._pending) >= 2 * self.batch_rows:
            self._write_pending(self.batch_rows)

    def keep_for_resume(self) -> None:
        """Leave the spooled rows, and what --resume needs besides them, in the job directory."""
        assert self.run.job is not None and self.spool is not None
        self.spool.flush()
        self.run.resume_state(self.stats.get_stats()).save(self.run.job.resume_file)
        logger.warning("Crawl %s interrupted; `kei-crawler crawl --resume` continues it", self.run.crawl_id)

    def publish(self, *, listing_required: bool = True, extra: dict[str, Any] | None = None) -> Path | None:
        """Publish the snapshot of a finished run; None, with the reason in the run's outcome, when it
        must not or cannot be published. ``extra`` adds to (or replaces) the metadata."""
        outcome = self.run.outcome
        why = None
        if listing_required and (outcome.listing_unreadable or not outcome.listing_read):
            # Without the listing nothing is known about the site: carrying the archive forward would
            # publish a snapshot that claims to have looked.
            why = outcome.listing_unreadable or "could not read The Peninsula's listing"
        elif outcome.warc_failed:
            # Rows would name captures that are not there: the archive and its index go together.
            why = f"the raw archive was not written ({outcome.warc_failed})"
        if why:
            self.discard(why)
            return None
        try:
            self._assemble()
            self.stats.set_value(Stat.SNAPSHOT_ROWS, self.rows)
            if self.rows == 0:
                self.discard("the crawl captured no briefs")
                return None
            path = self._publish(extra or {})
        except OSError as exc:
            # Disk full, permissions: the published snapshots stay as they were.
            self.discard(f"could not write the snapshot: {os_error_line(exc, self.tmp_path)}")
            return None
        except Exception as exc:
            logger.exception("Snapshot writing failed")
            self.discard(f"snapshot writing failed: {type(exc).__name__}: {exc}")
            return None
        outcome.snapshot_path = path
        logger.info("Published snapshot %s (%d briefs)", path, self.rows)
        dictionary.describe_newest(self.run.layout.root)
        current.update(self.run.layout, views_database=self.run.config.views_database)
        return path

    def discard(self, why: str) -> None:
        """Publish nothing, for ``why``; the temporary folder (not the job's spool) goes."""
        self._close_writer()
        shutil.rmtree(self.run.tmp_dir, ignore_errors=True)
        self.run.outcome.not_published_because = why
        logger.error("No snapshot published: %s", why)

    def abandon_rows(self) -> None:
        """The fresh rows are useless now (their crawl cannot go on): give the disk their space back."""
        if self.spool is not None:
            shutil.rmtree(self.spool.directory, ignore_errors=True)
            return
        self._pending.clear()
        self._close_writer()
        self.tmp_path.unlink(missing_ok=True)

    def _close_writer(self) -> None:
        """Close the snapshot file being written, if one is (a full disk may fail the close: it goes anyway)."""
        if self._writer is not None:
            with contextlib.suppress(OSError):
                self._writer.close()
            self._writer = None

    def _assemble(self) -> None:
        """The snapshot file: this run's rows, then the archive's rows it did not re-capture."""
        self._check_quality(len(self.captured))
        if self.spool is None:
            while self._pending:
                self._write_pending(self.batch_rows)
        else:
            self.spool.flush()
            for table in self.spool.tables():
                failpoints.hit("snapshot.row_group", self.tmp_path)
                self._write(self.run.requisites.fill(table))
        self._carry_forward()

    def _write_pending(self, rows: int) -> None:
        """Write the first ``rows`` pending rows, linked to their photos' captures."""
        batch = self._pending[:rows]
        if batch:
            failpoints.hit("snapshot.row_group", self.tmp_path)
            self._write(self.run.requisites.fill(to_table(batch)))
            del self._pending[: len(batch)]

    def _write(self, table: pa.Table) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tmp_path, BRIEF_SCHEMA, compression="zstd")
        self._writer.write_table(table)
        self.rows += table.num_rows
        self.written.add(table)

    def _check_quality(self, fresh: int) -> None:
        archive, config = self.run.archive, self.run.config
        if archive.path is None:
            return
        stats = self.stats.get_stats()
        body_chars = int(stats.get(Stat.BODY_CHARS, 0))
        profile = Profile(fresh, fill_rates(stats, fresh), body_chars / fresh if fresh else 0.0)
        limits = Thresholds(
            min_briefs=config.quality_min_briefs,
            rate_drop=config.quality_rate_drop,
            body_ratio=config.quality_body_ratio,
        )
        found = alerts(profile, baseline_profile(archive.path), limits)
        for alert in found:
            logger.error("Quality alert — the site's layout may have changed: %s", alert)
        self.run.outcome.alerts = found

    def _carry_forward(self) -> None:
        archive = self.run.archive
        if archive.path is None:
            return
        facts = CrawlFacts(
            captured=frozenset(self.captured),
            seen=frozenset(archive.listed | archive.not_modified),
            gone=dict(archive.gone),
            seen_at=self.run.started_at,
            failed=self.run.failures.refresh_failures(),
        )
        batch_rows = self.run.config.snapshot_batch_rows
        for table, removed, not_refreshed in carried_batches(archive.path, facts, batch_rows):
            failpoints.hit("snapshot.carry", self.tmp_path)
            self._write(table)
            self.stats.inc_value(Stat.BRIEFS_CARRIED, table.num_rows)
            self.stats.inc_value(Stat.BRIEFS_REMOVED, removed)
            self.stats.inc_value(Stat.BRIEFS_NOT_REFRESHED, not_refreshed)

    def _publish(self, extra: dict[str, Any]) -> Path:
        assert self._writer is not None
        run = self.run
        pending = outstanding.carry(
            run.archive.outstanding,
            run.failures.refresh_failures(),
            archived=self.captured | run.archive.known.keys(),
            gone=run.archive.gone,
            now=run.started_at,
        )
        self.stats.set_value(Stat.BRIEFS_OUTSTANDING, len(pending))
        swept = run.listing_swept_at()
        absent = run.indexes.absence(run.archive.indexes_absent, run.started_at)
        metadata = {
            "crawl_id": run.crawl_id,
            "base_url": run.config.base_url,
            "started_at": run.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "finish_reason": FINISHED,
            "mode": run.mode.value,
            "version": __version__,
            "schema_version": SCHEMA_VERSION,
            "schema_history": [version.to_json() for version in SCHEMA_HISTORY],
            "previous_snapshot": run.archive.snapshot.crawl_id if run.archive.snapshot else None,
            "counts": run_counts(self.stats.get_stats(), run.failures),
            "alerts": run.outcome.alerts,
            outstanding.METADATA_KEY: outstanding.encode(pending),
            listing_walk.SWEPT_AT_KEY: swept.isoformat() if swept else "",
            index_absence.METADATA_KEY: absent.encode() if absent else "",
            PROFILE_METADATA: self.written.to_metadata(),
            **extra,
        }
        self._writer.add_key_value_metadata(encode_metadata(metadata))
        self._writer.close()
        self._writer = None
        fsync_path(self.tmp_path)
        (run.tmp_dir / PID_FILE).unlink()
        final = run.layout.snapshot_dir(run.crawl_id)
        publish_dir(run.tmp_dir, final, failpoint="snapshot.before_rename")
        failpoints.hit("snapshot.after_rename")
        return final / store.FILENAME
