"""RunManifest: the extension writing ``<output>/runs/<crawl_id>.json`` for every run, published or not.

The manifest is what a scheduler or an archivist reads to learn what a run did: its mode, times, finish
reason, whether and where it published, the counts (the same as in the snapshot's metadata) and any
quality alerts. Written atomically, like the snapshot, after the WARC and the snapshot are finished (the
run owner's order). When it cannot be written (a full disk), the run says so in one line
(``outcome.manifest_failed``) and what it published stands.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from kei_crawler import __version__
from kei_crawler.extensions.run_owner import owner_of, run_of
from kei_crawler.run.context import RunContext
from kei_crawler.run.counts import run_counts
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import exit_code
from kei_crawler.storage.atomic import os_error_line, write_atomic

logger = logging.getLogger(__name__)


def latest_manifest(output_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of the newest run in ``output_dir`` (the one written last); FileNotFoundError when
    no run has written one."""
    runs = OutputLayout.of(output_dir).runs
    written = list(runs.glob("*.json"))
    if not written:
        raise FileNotFoundError(f"no run manifest in {runs}")
    data: dict[str, Any] = json.loads(max(written, key=lambda path: path.stat().st_mtime).read_text())
    return data


def build_manifest(run: RunContext, counts: dict[str, Any], *, finished_at: datetime) -> dict[str, Any]:
    outcome = run.outcome
    return {
        "crawl_id": run.crawl_id,
        "version": __version__,
        "mode": run.mode.value,
        "base_url": run.config.base_url,
        "started_at": run.started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "finish_reason": outcome.finish_reason,
        "published": outcome.published,
        "snapshot": str(outcome.snapshot_path) if outcome.snapshot_path else None,
        "not_published_because": outcome.not_published_because,
        "warc_files": [path.name for path in outcome.warc_files],
        "alerts": list(outcome.alerts),
        # What `kei-crawler crawl` exits with; a scheduler that runs `scrapy crawl` (Scrapyd) reads it here.
        "exit_code": int(exit_code(outcome, counts, previous=run.archive.snapshot is not None)),
        "counts": counts,
    }


class RunManifest:
    def __init__(self, crawler: Crawler, run: RunContext) -> None:
        self.crawler = crawler
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        ext = cls(crawler, run_of(crawler))
        owner_of(crawler).finishes("manifest", ext)
        return ext

    def finish(self, reason: str) -> None:
        assert self.crawler.stats is not None
        counts = run_counts(self.crawler.stats.get_stats(), self.run.failures)
        manifest = build_manifest(self.run, counts, finished_at=datetime.now(UTC))
        path = self.run.layout.manifest(self.run.crawl_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
            write_atomic(path, text, failpoint="manifest.write")
        except OSError as exc:
            why = f"could not write the run manifest: {os_error_line(exc, path)}"
            self.run.outcome.manifest_failed = why
            logger.error("%s", why[0].upper() + why[1:])
            return
        self.run.outcome.manifest_path = Path(path)
