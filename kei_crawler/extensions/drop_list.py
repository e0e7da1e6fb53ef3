"""DropList: every brief a pipeline drops is listed in the run's failures with its reason, not only
counted — for the run manifest, and so that the snapshot writer can mark an archived brief whose page
failed this time as not refreshed."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from kei_crawler.extensions.run_owner import run_of
from kei_crawler.pipelines.drops import drop_entry
from kei_crawler.run.counts import FailureLists


class DropList:
    def __init__(self, failures: FailureLists) -> None:
        self.failures = failures

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DropList:
        ext = cls(run_of(crawler).failures)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        return ext

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, DropItem):
            self.failures.drops.append(drop_entry(item, exception))
