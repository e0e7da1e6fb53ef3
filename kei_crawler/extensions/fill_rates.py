"""FieldFillRates: an extension counting, per extracted field, how many scraped briefs have a value.

A field whose fill rate falls between two crawls is how a redesign of the site shows itself, so the
counts go into the stats (``kei/filled/<field>``), the run summary and the snapshot's metadata.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from kei_crawler.items import Brief
from kei_crawler.run.counts import count_filled


class FieldFillRates:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldFillRates:
        assert crawler.stats is not None
        ext = cls(crawler.stats)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if isinstance(item, Brief):
            count_filled(self.stats, item)
