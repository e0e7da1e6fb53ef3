"""Run one crawl in this process and report what it did: the testable core under ``kei-crawler crawl``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from kei_crawler.run.counts import run_counts
from kei_crawler.spiders.peninsula import PeninsulaSpider


@dataclass
class CrawlResult:
    finish_reason: str
    snapshot_path: Path | None
    crawl_id: str
    counts: dict[str, Any]
    skipped_because: str | None = None
    alerts: list[str] = field(default_factory=list)
    manifest_path: Path | None = None
    mode: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def published(self) -> bool:
        return self.snapshot_path is not None

    @property
    def nothing_new(self) -> bool:
        """Published, but no brief was new, changed or removed since the previous snapshot."""
        c = self.counts
        return (
            self.published
            and c["briefs_carried"] > 0
            and not (c["briefs_new"] or c["briefs_changed"] or c["briefs_removed"])
        )


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """kei_crawler.settings, then ``overrides`` at command-line priority (as ``scrapy crawl -s`` does).

    Built from the module rather than scrapy.cfg so the installed console script works from any folder.
    """
    settings = Settings()
    settings.setmodule("kei_crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(settings: Settings) -> CrawlResult:
    """Crawl once with ``settings``; blocks until the crawl ends. One call per process (Twisted's reactor)."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PeninsulaSpider)
    process.crawl(crawler)
    process.start()
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    path = stats.get("kei/snapshot_path")
    return CrawlResult(
        finish_reason=str(stats.get("finish_reason", "unknown")),
        snapshot_path=Path(path) if path else None,
        crawl_id=str(stats.get("kei/crawl_id", "")),
        counts=run_counts(stats),
        skipped_because=stats.get("kei/snapshot_skipped"),
        alerts=list(stats.get("kei/quality_alerts") or []),
        manifest_path=Path(stats["kei/manifest_path"]) if stats.get("kei/manifest_path") else None,
        mode=str(stats.get("kei/mode", "")),
        stats=stats,
    )
