"""Scrapy's JOBDIR as a run takes and clears it: only a folder a crawl made, and only of what crawls make.

``-s JOBDIR`` may name any folder, holding anything. A run therefore takes a job directory only when it
is absent (then made), empty, or marked already, and marks it (``JobLayout.MARKER``) before anything
else is written there. Clearing removes the entries crawls make and nothing else, the marker last, so
that a run killed half way leaves a folder still recognised; the folder itself goes only when the run
made it and nothing else is left in it. No symbolic link is followed: a crawl makes none.
"""

from __future__ import annotations

import contextlib
import shutil

from kei_crawler.run.layout import FILE, FOLDER, JobLayout, kind_of


class JobDirError(Exception):
    """The job directory cannot be taken as it is; one line for the user."""


def take_job_dir(job: JobLayout, *, resuming: bool = False) -> None:
    """Make ``job``'s folder a run's: made and marked when absent, marked when empty. JobDirError when it
    is of the wrong kind, or holds files with no marker (a resumed run may take an interrupted run's
    folder that an older version left unmarked)."""
    problem = job.misplaced()
    if problem:
        raise JobDirError(problem)
    if kind_of(job.root) is None:
        job.root.mkdir(parents=True)
        _mark(job, made_folder=True)
        return
    if job.made_by_a_crawl():
        return
    if any(job.root.iterdir()) and not resuming:
        raise JobDirError(
            f"JOBDIR {job.root} exists and is not a crawl's job directory (it holds files and no "
            f"{job.MARKER} marker); not touching it: give a new or an empty folder"
        )
    _mark(job, made_folder=False)


def clear_job_dir(job: JobLayout, *, release: bool) -> None:
    """Remove what crawls made in ``job``'s folder (OSError when something cannot be removed). With
    ``release`` the marker goes too, and then the folder when this run made it and it is empty."""
    problem = job.misplaced()
    if problem:
        raise JobDirError(problem)
    if kind_of(job.root) != FOLDER:
        return
    made_folder = kind_of(job.marker) == FILE
    markers = (job.marker, job.root / job.GIVEN_MARKER)
    for entry in job.crawl_entries():
        if entry in markers and not release:
            continue
        kind = kind_of(entry)
        if kind == FOLDER:
            shutil.rmtree(entry)
        elif kind is not None:
            entry.unlink()
    if release and made_folder:
        with contextlib.suppress(OSError):  # not empty: someone put a file of theirs there
            job.root.rmdir()


def _mark(job: JobLayout, *, made_folder: bool) -> None:
    (job.marker if made_folder else job.root / job.GIVEN_MARKER).touch(exist_ok=False)
