"""RunManifest: a Scrapy extension writing ``<output>/runs/<crawl_id>.json`` for every run, published or not.

The manifest is what a scheduler or an archivist reads to learn what a run did: its mode, times,
finish reason, whether and where it published, the counts (the same as in the snapshot's metadata) and
any quality alerts. Written to a temporary name and renamed, like the snapshot. When it cannot be written
(a full disk), the run says so in one line (``kei/manifest_skipped``) and what it published stands.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from kei_crawler import __version__
from kei_crawler.run.counts import run_counts
from kei_crawler.run.outcome import os_error_line
from kei_crawler.storage import failpoints

RUNS = "runs"
logger = logging.getLogger(__name__)


def manifest_path(output_dir: str | os.PathLike[str], crawl_id: str) -> Path:
    return Path(output_dir) / RUNS / f"{crawl_id}.json"


def latest_manifest(output_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of the newest run in ``output_dir`` (the one written last); FileNotFoundError when
    no run has written one."""
    written = list((Path(output_dir) / RUNS).glob("*.json"))
    if not written:
        raise FileNotFoundError(f"no run manifest in {Path(output_dir) / RUNS}")
    data: dict[str, Any] = json.loads(max(written, key=lambda path: path.stat().st_mtime).read_text())
    return data


def build_manifest(
    stats: dict[str, Any], *, reason: str, base_url: str, finished_at: datetime
) -> dict[str, Any]:
    path = stats.get("kei/snapshot_path")
    return {
        "crawl_id": stats.get("kei/crawl_id", ""),
        "version": __version__,
        "mode": stats.get("kei/mode", ""),
        "base_url": base_url,
        "started_at": stats.get("kei/started_at"),
        "finished_at": finished_at.isoformat(),
        "finish_reason": reason,
        "published": path is not None,
        "snapshot": path,
        "not_published_because": stats.get("kei/snapshot_skipped"),
        "alerts": list(stats.get("kei/quality_alerts") or []),
        "counts": run_counts(stats),
    }


class RunManifest:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.output_dir = Path(crawler.settings.get("KEI_OUTPUT_DIR") or "output")
        self.base_url = crawler.settings.get("KEI_BASE_URL") or ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        ext = cls(crawler)
        # Connected after SnapshotWriter (EXTENSIONS order), so its outcome is in the stats by now.
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        if not stats.get("kei/crawl_id"):
            return  # the snapshot writer never opened: nothing ran
        manifest = build_manifest(stats, reason=reason, base_url=self.base_url, finished_at=datetime.now(UTC))
        path = manifest_path(self.output_dir, manifest["crawl_id"])
        tmp = path.with_suffix(".json.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n")
            failpoints.hit("manifest.write", tmp)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            why = f"could not write the run manifest: {os_error_line(exc, path)}"
            self.crawler.stats.set_value("kei/manifest_skipped", why)
            logger.error("%s", why[0].upper() + why[1:])
            return
        self.crawler.stats.set_value("kei/manifest_path", str(path))
