"""SnapshotWriter: the extension that hands every scraped brief to the run's snapshot and, when the crawl
closes, publishes it, keeps it for ``--resume``, or discards it (``run.assembly`` does the work).

Only a crawl that closes with reason ``finished`` publishes. Anything else (Ctrl-C, an error, kill -9)
leaves the published snapshots untouched; the temporary folder is removed on the way out or, after a
kill, by the next run. A row that cannot be spooled (a full disk) stops the crawl at once: nothing
fetched after it could be kept.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from kei_crawler.extensions.run_owner import owner_of, run_of, stop_crawl
from kei_crawler.items import Brief
from kei_crawler.run.assembly import SnapshotAssembly
from kei_crawler.run.context import RunContext
from kei_crawler.run.outcome import FINISHED
from kei_crawler.storage.atomic import os_error_line

logger = logging.getLogger(__name__)


class SnapshotWriter:
    def __init__(self, crawler: Crawler, run: RunContext) -> None:
        self.crawler = crawler
        self.run = run
        self.assembly: SnapshotAssembly | None = None
        self.failed: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SnapshotWriter:
        run = run_of(crawler)
        if not run.config.snapshot_enabled:
            raise NotConfigured("KEI_SNAPSHOT_ENABLED is off")
        ext = cls(crawler, run)
        owner_of(crawler).finishes("snapshot", ext)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        assert self.crawler.stats is not None
        self.assembly = SnapshotAssembly(self.run, self.crawler.stats)

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if not isinstance(item, Brief) or self.assembly is None or self.failed:
            return
        try:
            self.assembly.add(item)
        except OSError as exc:
            self.failed = f"could not write the snapshot: {os_error_line(exc, self.assembly.rows_at)}"
            logger.error("%s; stopping the crawl", self.failed)
            self.assembly.abandon_rows()  # useless now; give the disk its space
            stop_crawl(self.crawler)

    def finish(self, reason: str) -> None:
        assembly = self.assembly
        if assembly is None:
            return
        if self.failed:
            assembly.discard(self.failed)  # its rows are not all on disk: nothing to resume either
            return
        if reason == FINISHED:
            assembly.publish()
            return
        warc_failed = self.run.outcome.warc_failed
        if warc_failed:
            # Stopped because the WARC could not be written: its rows would name captures that are gone.
            assembly.discard(f"the raw archive was not written ({warc_failed})")
            return
        if self.run.job is not None:
            try:
                assembly.keep_for_resume()
            except OSError as exc:
                assembly.discard(f"could not write the snapshot: {os_error_line(exc, assembly.rows_at)}")
                return
        assembly.discard(f"the crawl did not finish (reason: {reason})")
