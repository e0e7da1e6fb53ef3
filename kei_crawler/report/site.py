"""Writing the report: every page into a new folder beside the target, then one rename into place.

A reader (or a web server) never sees half a report: the pages are written into ``.<name>.tmp-<pid>``
next to ``SITE_DIR`` and renamed over it when all are there. The report replaced is removed only when it
carries the marker a report is written with — a folder the crawler did not make is never emptied.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from kei_crawler import __version__
from kei_crawler.monitor.history import Event
from kei_crawler.report import figures
from kei_crawler.report.facts import Archive, read_archive
from kei_crawler.report.runs import RunRecord, read_runs
from kei_crawler.report.templating import environment, render
from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.atomic import fsync_path, publish_dir
from kei_crawler.storage.snapshot import store

MARKER = ".kei-report"
FAILURES_SHOWN = 200  # per run on the runs page; the manifest lists every one


@dataclass(frozen=True)
class Report:
    index: Path
    briefs: int
    pages: int


class SiteDirError(Exception):
    """SITE_DIR cannot take a report; the message is one line."""


def check_site_dir(site_dir: Path) -> None:
    """A report may be written where nothing is, into an empty folder, or over an earlier report."""
    if site_dir.is_symlink():
        raise SiteDirError(f"{site_dir} is a symbolic link; name the folder itself")
    if not site_dir.exists():
        return
    if not site_dir.is_dir():
        raise SiteDirError(f"{site_dir} is not a folder")
    if any(site_dir.iterdir()) and not (site_dir / MARKER).is_file():
        raise SiteDirError(
            f"{site_dir} holds files that are not a kei-crawler report; choose another --output"
        )


def build(
    output_dir: Path, site_dir: Path, *, replay_url: str | None = None, warn: Callable[[str], None] = print
) -> Report:
    check_site_dir(site_dir)
    archive = read_archive(output_dir, warn)
    runs = read_runs(output_dir, warn)
    site_dir = site_dir.absolute()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(site_dir)
    work = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.tmp-", dir=site_dir.parent))
    try:
        (work / MARKER).write_text("written by kei-crawler report; replaced by the next one\n")
        pages = _write_pages(work, site_dir, output_dir.absolute(), archive, runs, replay_url)
        _swap(work, site_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Report(site_dir / "index.html", len(archive.briefs), pages)


def _remove_leftovers(site_dir: Path) -> None:
    """The folders a report killed while it wrote (or between its two renames) left beside ``site_dir``:
    only those holding a report's marker, so nothing the crawler did not make is removed."""
    for pattern in (f".{site_dir.name}.tmp-*", f".{site_dir.name}.old-*"):
        for leftover in site_dir.parent.glob(pattern):
            if not leftover.is_symlink() and (leftover / MARKER).is_file():
                shutil.rmtree(leftover, ignore_errors=True)


def _swap(work: Path, site_dir: Path) -> None:
    """Put the finished report at ``site_dir``, removing the report it replaces (after the rename, so a
    reader always finds one whole report)."""
    old = work.with_name(work.name.replace(".tmp-", ".old-", 1))
    if site_dir.exists():
        os.rename(site_dir, old)
    publish_dir(work, site_dir)
    if old.exists() and (old / MARKER).is_file():
        shutil.rmtree(old)
    elif old.exists():  # it was an empty folder of the user's
        old.rmdir()


def _write_pages(
    work: Path,
    site_dir: Path,
    output_dir: Path,
    archive: Archive,
    runs: list[RunRecord],
    replay_url: str | None,
) -> int:
    static = work / "static"
    static.mkdir()
    for asset in resources.files("kei_crawler.report").joinpath("static").iterdir():
        if asset.is_file():
            (static / asset.name).write_bytes(asset.read_bytes())
    warc_dir = OutputLayout.of(output_dir).warc
    top = environment(warc_dir, site_dir, replay_url)
    site = {
        "base_url": store.metadata(archive.newest.path).get("base_url", ""),
        "snapshot": archive.newest.crawl_id,
        "output_dir": str(output_dir),
        "written": datetime.now(UTC),
        "version": __version__,
    }
    common: dict[str, Any] = {"site": site, "root": "", "archive": archive, "runs": runs}
    newest_first = list(reversed(runs))
    pages = {
        "index.html": render(
            top, "index.html.j2", **common, page="index.html", title="Overview",
            newest_brief=next((b for b in archive.briefs if b["removed_at"] is None), None),
            last_run=newest_first[0] if runs else None,
            months=figures.briefs_per_month(archive), history=figures.crawl_history(runs),
        ),
        "health.html": _health(top, common, archive, runs),
        "briefs.html": render(
            top, "briefs.html.j2", **common, page="briefs.html", title="Briefs", rows=_brief_rows(archive)
        ),
        "runs.html": render(
            top, "runs.html.j2", **{**common, "runs": newest_first}, page="runs.html", title="Runs",
            limit=FAILURES_SHOWN,
        ),
    }  # fmt: skip
    for name, html in pages.items():
        (work / name).write_text(html, encoding="utf-8")
    (work / "briefs").mkdir()
    inner = environment(warc_dir, site_dir / "briefs", replay_url)
    template = inner.get_template("brief.html.j2")
    for brief in archive.briefs:
        html = template.render(
            **{**common, "root": "../"}, page="", title=brief["title"] or brief["url"], b=brief,
            status=_status(brief), events=_history(archive.events.get(brief["brief_id"], [])),
            captures=archive.captures.get(brief["brief_id"], []), replay=bool(replay_url),
            provenance=sorted(brief["provenance"] or []),
        )  # fmt: skip
        (work / "briefs" / f"{brief['brief_id']}.html").write_text(html, encoding="utf-8")
    fsync_path(work)
    return len(pages) + len(archive.briefs)


def _health(env: Any, common: dict[str, Any], archive: Archive, runs: list[RunRecord]) -> str:
    read = [snapshot for snapshot in archive.snapshots if snapshot.fetched]
    fields = list(dict.fromkeys(name for snapshot in read for name in snapshot.provenance))
    return render(
        env, "health.html.j2", **common, page="health.html", title="Extraction health",
        fill=figures.fill_rates(runs), alerted=[run for run in reversed(runs) if run.alerts],
        provenance=figures.provenance_mix(archive) if archive.live else None,
        mixes=list(reversed(read))[: figures.CHARTED_RUNS], mix_fields=fields, mixes_of=len(read),
    )  # fmt: skip


def _history(events: list[Event]) -> list[Event]:
    """A brief's events after it was first seen: its first "added" is the first sighting the page states
    from ``first_seen``; a later one is its return after a removal."""
    shown, gone = [], False
    for event in events:
        if event.kind != "added" or gone:
            shown.append(event)
        gone = event.kind == "removed" or (gone and event.kind != "added")
    return shown


def _status(brief: dict[str, Any]) -> str:
    return "live" if brief["removed_at"] is None else "removed"


def _brief_rows(archive: Archive) -> list[dict[str, Any]]:
    return [
        {
            "brief_id": brief["brief_id"], "title": brief["title"] or brief["url"], "published": brief["published"],
            "authors": brief["authors"] or [], "series": brief["series"], "status": _status(brief),
            "changes": sum(1 for e in archive.events.get(brief["brief_id"], []) if e.kind == "changed"),
            "first_seen": brief["first_seen"],
        }
        for brief in archive.briefs
    ]  # fmt: skip
