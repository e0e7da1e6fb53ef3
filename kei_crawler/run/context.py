"""One run's facts, chosen once before anything is fetched; every component reads them from here.

``open_run`` takes the output directory's lock, prepares the job directory (kept for ``--resume``, else
cleared), loads what the archive holds, and fixes the crawl id, the mode and the start time — in that
order, so that nothing is touched before the lock is held. The :class:`RunContext` it returns is then
handed to the crawl (``jobs.crawl``) or to a re-extraction (``jobs.reextract``), and records as it goes
the briefs that failed (``failures``) and how the run ended (``outcome``). No Scrapy here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from kei_crawler.config import WHOLE_LISTING, KeiConfig, Mode, resolve_mode
from kei_crawler.run import crawl_ids
from kei_crawler.run.archive import ArchiveState
from kei_crawler.run.counts import FailureLists
from kei_crawler.run.indexes import SiteIndexes
from kei_crawler.run.jobdir import JobDirError, clear_job_dir, take_job_dir
from kei_crawler.run.layout import FOLDER, JobLayout, OutputLayout, kind_of
from kei_crawler.run.listing_walk import ListingWalk, sweep_due, swept_at
from kei_crawler.run.lock import OutputLock
from kei_crawler.run.outcome import RunOutcome
from kei_crawler.run.photo_links import RequisiteLinks
from kei_crawler.run.resume import ResumeState, carried_stats, kept_warc_parts, warc_refusal
from kei_crawler.storage import failpoints
from kei_crawler.storage.atomic import os_error_line

logger = logging.getLogger(__name__)

PID_FILE = "pid"
"""In a run's temporary folder: the process writing it, so the next run knows whether it is abandoned."""


class CannotStart(Exception):
    """The run cannot start as asked (nothing to resume, a crawl id already used); one line for the user."""


class OutputLocked(CannotStart):
    """Another run holds the output directory: its lock file, and who holds it."""

    def __init__(self, output_dir: Path, lock_file: Path, holder: str) -> None:
        super().__init__(f"another run is using {output_dir} ({holder})")
        self.lock_file = lock_file
        self.holder = holder


@dataclass
class RunContext:
    config: KeiConfig
    layout: OutputLayout
    crawl_id: str
    mode: Mode
    started_at: datetime
    archive: ArchiveState
    lock: OutputLock
    job: JobLayout | None = None
    """Scrapy's JOBDIR and what this run keeps there, when it runs with one (``--resume`` needs it)."""
    resumed: ResumeState | None = None
    """What the interrupted run this one continues had learned; None for a fresh run."""
    replaced_interrupted: str | None = None
    """The crawl id of an interrupted run whose job directory this fresh run cleared."""
    known_only_pages: int = 0
    """Consecutive listing pages holding only known briefs (where an incremental crawl stops)."""
    listing: ListingWalk = field(default_factory=ListingWalk)
    """The listing pages as read, to tell whether the listing shifted while the crawl walked it."""
    indexes: SiteIndexes = field(default_factory=SiteIndexes)
    """What the sitemaps, the feed and the listing list, to compare them (``spiders.index_requests``)."""
    failures: FailureLists = field(default_factory=FailureLists)
    outcome: RunOutcome = field(default_factory=RunOutcome)
    requisites: RequisiteLinks = field(default_factory=RequisiteLinks)
    """The captures of the briefs' photos and other requisites, for the rows' ``photo_warc_record_id``."""

    def __enter__(self) -> RunContext:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the output directory (idempotent)."""
        self.lock.release()

    @property
    def tmp_dir(self) -> Path:
        """Where this run's snapshot is written before it is published."""
        return self.layout.tmp_dir(self.crawl_id)

    def resume_state(self, stats: dict[str, object]) -> ResumeState:
        """What ``--resume`` needs to continue this run, as it stands."""
        return ResumeState(
            crawl_id=self.crawl_id,
            started_at=self.started_at.isoformat(),
            base_url=self.config.base_url,
            mode=self.mode.value,
            stats=carried_stats(stats),
            listed=sorted(self.archive.listed),
            not_modified=sorted(self.archive.not_modified),
            gone={url: when.isoformat() for url, when in self.archive.gone.items()},
            known_only_pages=self.known_only_pages,
            listing_read=self.outcome.listing_read,
            listing_unreadable=self.outcome.listing_unreadable,
            errors=list(self.failures.errors),
            drops=list(self.failures.drops),
            warc_enabled=self.config.warc_enabled,
            warc_parts=kept_warc_parts(self.job.warc_spool, self.crawl_id) if self.job is not None else {},
            requisites=dict(self.requisites.captured),
        )

    def listing_swept_at(self) -> datetime | None:
        """When the listing was last read whole, as this run's snapshot records it. A resumed run read
        part of it before the interruption, in a state it cannot compare with."""
        whole = self.mode in WHOLE_LISTING and self.resumed is None
        return swept_at(self.archive.swept_at, self.listing, whole=whole, started_at=self.started_at)

    def clear_job(self) -> None:
        """Clear the job directory of a run that left nothing to resume (finished, or stopped by a write
        failure: a full disk gets its space back) of what the crawl made there."""
        if self.job is not None:
            with contextlib.suppress(OSError, JobDirError):  # the next run clears what is left
                clear_job_dir(self.job, release=True)


def open_run(
    config: KeiConfig,
    *,
    jobdir: Path | None = None,
    resume: bool = False,
    mode: Mode | None = None,
    with_archive: bool = True,
    now: datetime | None = None,
) -> RunContext:
    """A run of ``config`` holding its output directory: OutputLocked when another run holds it,
    CannotStart when it cannot start as asked. ``mode`` overrides KEI_MODE (``reextract``), and
    ``with_archive=False`` starts from nothing, as a re-extraction does."""
    layout = OutputLayout.of(config.output_dir)
    try:
        layout.root.mkdir(parents=True, exist_ok=True)
        # Before the lock file is made: a refused run creates nothing.
        misplaced = layout.misplaced() or (JobLayout(jobdir).misplaced() if jobdir is not None else None)
        if misplaced:
            raise CannotStart(misplaced)
        lock = OutputLock(layout.lock_file)
        acquired = lock.acquire()
    except OSError as exc:
        raise CannotStart(f"cannot use the output directory {layout.root}: {os_error_line(exc)}") from exc
    if not acquired:
        raise OutputLocked(layout.root, lock.path, lock.holder())
    try:
        failpoints.hit("run.locked")
        job = JobLayout(jobdir) if jobdir is not None else None
        resumed, replaced = _prepare_job(job, resume=resume, base_url=config.base_url)
        if resumed is not None and job is not None:
            refusal = warc_refusal(resumed, job.warc_spool, config.warc_enabled)
            if refusal:
                raise CannotStart(refusal)
        archive = ArchiveState.load(layout.root) if with_archive else ArchiveState.empty()
        failpoints.hit("run.archive_loaded")
        if resumed is not None:
            started_at = datetime.fromisoformat(resumed.started_at)
        else:
            started_at = now or datetime.now(UTC)
        try:
            crawl_id = crawl_ids.choose(
                layout, config.crawl_id, started_at, resumed.crawl_id if resumed else None
            )
        except crawl_ids.CrawlIdRefused as exc:
            raise CannotStart(str(exc)) from None
        due = sweep_due(archive.swept_at, started_at, config.sweep_days)
        chosen = (
            mode
            or _resumed_mode(resumed)
            or resolve_mode(config.mode, archive.snapshot is not None, sweep_due=due)
        )
        remove_stale_tmp_dirs(layout)
        if resumed is not None and job is not None:
            ResumeState.remove(job.resume_file)  # a kill from here on leaves nothing --resume could trust
        lock.note(crawl_id)
    except JobDirError as exc:
        lock.release()
        raise CannotStart(str(exc)) from exc
    except OSError as exc:
        lock.release()
        raise CannotStart(f"cannot prepare the run in {layout.root}: {os_error_line(exc)}") from exc
    except BaseException:
        lock.release()
        raise
    run = RunContext(
        config=config, layout=layout, crawl_id=crawl_id, mode=chosen, started_at=started_at, archive=archive,
        lock=lock, job=job, resumed=resumed, replaced_interrupted=replaced,
        listing=ListingWalk(config.listing_rereads), requisites=RequisiteLinks(archived=archive.photo_links),
    )  # fmt: skip
    if resumed is not None:
        _go_on_from(run, resumed)
    return run


def _go_on_from(run: RunContext, resumed: ResumeState) -> None:
    """What the interrupted run learned still counts for the run that continues it."""
    run.archive.listed.update(resumed.listed)
    run.archive.not_modified.update(resumed.not_modified)
    run.archive.gone.update({url: datetime.fromisoformat(t) for url, t in resumed.gone.items()})
    run.known_only_pages = resumed.known_only_pages
    run.failures = FailureLists(list(resumed.errors), list(resumed.drops))
    run.outcome.listing_read = resumed.listing_read
    run.outcome.listing_unreadable = resumed.listing_unreadable
    run.requisites.captured.update(resumed.requisites)


def _resumed_mode(resumed: ResumeState | None) -> Mode | None:
    return Mode(resumed.mode) if resumed is not None and resumed.mode else None


def _prepare_job(
    job: JobLayout | None, *, resume: bool, base_url: str
) -> tuple[ResumeState | None, str | None]:
    """The interrupted run to continue (``resume``), or a cleared job directory; and the crawl id of an
    interrupted run a fresh start cleared, if any."""
    if job is None:
        if resume:
            raise CannotStart("nothing to resume: this run has no job directory")
        return None, None
    try:
        interrupted = ResumeState.load(job.resume_file) if job.root.is_dir() else None
    except (ValueError, TypeError):  # a damaged resume state: nothing --resume could trust
        interrupted = None
    if resume:
        if interrupted is None and job.root.exists():
            raise CannotStart(
                f"the crawl in {job.root} did not stop cleanly (killed or crashed), so it cannot be resumed; "
                "run without --resume to start afresh"
            )
        if interrupted is None:
            raise CannotStart(f"nothing to resume: no interrupted crawl in {job.root}")
        if interrupted.base_url.rstrip("/") != base_url.rstrip("/"):
            # Its queued requests name the other site: resuming would re-crawl everything from here.
            raise CannotStart(
                f"cannot resume: the interrupted crawl fetched from {interrupted.base_url}, not {base_url}"
            )
        take_job_dir(job, resuming=True)
        return interrupted, None
    take_job_dir(job)  # refused unless the folder is a crawl's (marked), new or empty
    clear_job_dir(job, release=False)
    return None, interrupted.crawl_id if interrupted is not None else None


def remove_stale_tmp_dirs(layout: OutputLayout) -> None:
    """Remove what killed runs left in .tmp/ — only runs whose process is gone."""
    if kind_of(layout.tmp) != FOLDER:
        return
    for child in layout.tmp.iterdir():
        if kind_of(child) != FOLDER:  # runs make folders here, never links or files: not ours to delete
            logger.warning("Leaving %s alone: no run made it", child)
            continue
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
