"""Writing the report: the archive and its runs read, every page rendered into the working folder
``report.folder`` gives, which then takes SITE_DIR's place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from kei_crawler import __version__
from kei_crawler.monitor.history import Event
from kei_crawler.pages.strategies import STRATEGIES
from kei_crawler.report import figures
from kei_crawler.report.facts import Archive, is_live, read_archive
from kei_crawler.report.folder import check_site_dir, writing
from kei_crawler.report.runs import RunRecord, read_runs
from kei_crawler.report.templating import environment, render
from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import store

FAILURES_SHOWN = 200  # per run on the runs page; the manifest lists every one


@dataclass(frozen=True)
class Report:
    index: Path
    briefs: int
    pages: int

    @property
    def written(self) -> str:
        """What to say once it is written, before its index's path."""
        briefs = f"{self.briefs:,} brief{'' if self.briefs == 1 else 's'}"
        return f"Report of {briefs} ({self.pages:,} pages) written; open it in a browser:"


def build(
    output_dir: Path, site_dir: Path, *, replay_url: str | None = None, warn: Callable[[str], None] = print
) -> Report:
    check_site_dir(site_dir)
    archive = read_archive(output_dir, warn)
    runs = read_runs(output_dir, warn)
    with writing(site_dir) as work:
        pages = _write_pages(work, site_dir.absolute(), output_dir.absolute(), archive, runs, replay_url)
    return Report(site_dir / "index.html", len(archive.briefs), pages)


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
            newest_brief=next((b for b in archive.briefs if is_live(b)), None),
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
            status=_status(brief), events=_history(brief, archive.events.get(brief["brief_id"], [])),
            captures=archive.captures.get(brief["brief_id"], []), replay=bool(replay_url),
            provenance=sorted(brief["provenance"] or []),
        )  # fmt: skip
        (work / "briefs" / f"{brief['brief_id']}.html").write_text(html, encoding="utf-8")
    return len(pages) + len(archive.briefs)


def _health(env: Any, common: dict[str, Any], archive: Archive, runs: list[RunRecord]) -> str:
    read = [snapshot for snapshot in archive.snapshots if snapshot.fetched]
    found = {name for snapshot in read for name in snapshot.provenance}
    fields = [name for name in STRATEGIES if name in found] + sorted(found - set(STRATEGIES))
    return render(
        env, "health.html.j2", **common, page="health.html", title="Extraction health",
        fill=figures.fill_rates(runs), alerted=[run for run in reversed(runs) if run.alerts],
        provenance=figures.provenance_mix(archive) if archive.live else None,
        mixes=list(reversed(read))[: figures.CHARTED_RUNS], mix_fields=fields, mixes_of=len(read),
    )  # fmt: skip


def _history(brief: dict[str, Any], events: list[Event]) -> list[Event]:
    """A brief's events after it was first seen (the page states that from ``first_seen``): an "added" is
    shown only as a return, a brief first seen before the crawl that found it back."""
    first_seen = brief["first_seen"]
    return [e for e in events if e.kind != "added" or (first_seen is not None and first_seen < _crawled(e))]


def _crawled(event: Event) -> datetime:
    when = store.crawl_time(event.crawl_id)
    assert when is not None  # an event's crawl id is a snapshot's
    return when


def _status(brief: dict[str, Any]) -> str:
    return "live" if is_live(brief) else "removed"


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
