"""CrawlProgress: the crawl's page counts (``run.progress``), fed by Scrapy's signals, for a watcher.

Only a crawl whose command watches it (``RunCrawler.watch``: ``kei-crawler crawl`` on a terminal) has
one; under a plain ``scrapy crawl peninsula``, or a scheduled run, the extension is off.
"""

from __future__ import annotations

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from kei_crawler.extensions.run_owner import RunCrawler, Watch, run_of
from kei_crawler.run.listing_walk import ListingWalk
from kei_crawler.run.progress import PageProgress, page_kind


class CrawlProgress:
    def __init__(self, progress: PageProgress, walk: ListingWalk, watch: Watch) -> None:
        self.progress = progress
        self.walk = walk
        self.watch = watch
        self._reads = 0  # the walk's reads last looked at: the listing is read again only when it changed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        watch = crawler.watch if isinstance(crawler, RunCrawler) else None
        if watch is None:
            raise NotConfigured  # without a message: Scrapy would warn of a message, and this is no fault
        run = run_of(crawler)
        ext = cls(PageProgress.of(run.mode), run.listing, watch)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.request_left_downloader, signal=signals.request_left_downloader)
        return ext

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        kind = page_kind(request.url)
        if kind is not None:
            self.progress.queue(kind)
            self._changed()

    def request_dropped(self, request: Request, spider: Spider) -> None:
        kind = page_kind(request.url)
        if kind is not None:
            self.progress.dequeue(kind)
            self._changed()

    def request_left_downloader(self, request: Request, spider: Spider) -> None:
        if page_kind(request.url) is not None:
            self.progress.fetched += 1
            self._changed()

    def _changed(self) -> None:
        if self.walk.reads != self._reads:  # the spider recorded a listing page since the last look
            self._reads = self.walk.reads
            self.progress.read_listing(self.walk)
        self.watch(self.progress)
