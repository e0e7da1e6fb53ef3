"""``kei-crawler report`` on the 6,384-brief archive: how long the site takes to write, and how large it is.

Two archives: a real crawl of the 6,384-brief replica (one snapshot, its manifest and WARC: provenance and
captures as a crawl records them), and a year of weekly crawls over the same briefs (``benchmarks.feed``'s
52 snapshots, with a run manifest each, so every chart has 52 points). Each report is written by
``kei-crawler report`` in a fresh child process, three rounds: the median wall time (start-up and imports
included), the largest peak RSS, and the sizes of the overview page, the briefs page and the whole site.

    python -m benchmarks.run --only report
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks import feed
from benchmarks.child import run
from benchmarks.session import SESSION
from kei_crawler.storage.snapshot import store

ROUNDS = 3
LIMIT_SECONDS = 30  # the target for the 6,384-brief replica
LIMIT_OVERVIEW = 1_000_000


def manifests(out: Path) -> None:
    """A manifest per snapshot of ``feed.build``'s archive, as a crawl of it would have written."""
    runs = out / "runs"
    runs.mkdir(exist_ok=True)
    for week, ref in enumerate(store.list_snapshots(out)):
        started = store.crawl_time(ref.crawl_id)
        assert started is not None
        quiet = week % 2 == 1
        first = week == 0  # the full crawl: every brief new
        counts: dict[str, Any] = {
            "briefs_written": feed.BRIEFS if first else 0 if quiet else 4,
            "briefs_new": feed.BRIEFS if first else 0 if quiet else 3, "briefs_changed": 0 if quiet or first else 1,
            "briefs_removed": int(week > 0 and week % 4 == 0),
            "requests": feed.BRIEFS + 10 if first else 8 if quiet else 14, "errors": [], "drops": [],
            "fill_rates": {} if quiet else {"title": 1.0, "published": 1.0, "body": 1.0, "photo_caption": 0.75},
        }  # fmt: skip
        manifest = {
            "crawl_id": ref.crawl_id, "mode": "incremental", "started_at": started.isoformat(),
            "finished_at": (started + timedelta(seconds=40 + week)).isoformat(), "finish_reason": "finished",
            "published": True, "exit_code": 6 if quiet else 0, "alerts": [], "counts": counts,
        }  # fmt: skip
        (runs / f"{ref.crawl_id}.json").write_text(json.dumps(manifest))


def measure(output_dir: Path, site: Path) -> str:
    rounds = [
        run(
            [
                sys.executable,
                "-m",
                "kei_crawler",
                "report",
                "--output-dir",
                str(output_dir),
                "--output",
                str(site),
            ]
        )
        for _ in range(ROUNDS)
    ]
    assert all(m.returncode == 0 for m in rounds), rounds[0].stderr[-2000:]
    wall = statistics.median(m.wall for m in rounds)
    overview = (site / "index.html").stat().st_size
    briefs = (site / "briefs.html").stat().st_size
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    pages = sum(1 for _ in site.rglob("*.html"))
    verdict = "yes" if wall < LIMIT_SECONDS and overview < LIMIT_OVERVIEW else "**no**"
    return (
        f"| {wall:.1f} | {max(m.peak_mb for m in rounds):.0f} | {overview / 1024:.0f} KB | "
        f"{briefs / 2**20:.1f} MB | {total / 2**20:.0f} MB in {pages:,} pages | {verdict} |"
    )


def section() -> str:
    """The markdown for BENCHMARKS.md (``python -m benchmarks.run --only report``)."""
    crawled = SESSION.new_dir("report-crawled")
    shutil.copytree(SESSION.first_crawl(), crawled, symlinks=True)
    year = SESSION.new_dir("report-year")
    feed.build(year)
    manifests(year)
    lines = [
        f"`kei-crawler report` in a fresh process, {ROUNDS} rounds: the median wall time (start-up and imports "
        f"included), the largest peak RSS, and what it wrote. Target: under {LIMIT_SECONDS} s, overview under 1 MB.",
        "",
        "| archive | wall, median (s) | peak RSS (MiB) | overview | briefs page | site | within target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| a crawl of the {feed.BRIEFS:,}-brief replica (1 snapshot) | "
        + measure(crawled, SESSION.new_dir("report-site-1")).removeprefix("| "),
        f"| {feed.CRAWLS} weekly snapshots of {feed.BRIEFS:,} briefs, with manifests | "
        + measure(year, SESSION.new_dir("report-site-2")).removeprefix("| "),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(section())
    SESSION.close()
