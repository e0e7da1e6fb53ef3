"""ListingShifts: when the crawl has nothing left to do, read again the listing pages that moved under it.

The walk of the listing (``run.listing_walk``) knows which pages were read in an older state of the
listing than the newest one seen. Reading them during the crawl would race the pages still in flight;
at ``spider_idle`` every page asked for has been read, so the check is exact and the same each run. The
pages to read again are scheduled past the duplicate filter and keep the crawl open; what they list that
is new is fetched as usual. After ``KEI_LISTING_REREADS`` rounds a listing that still disagrees is left
as it is, said in the log and the counts, and the next scheduled crawl sweeps it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from kei_crawler.extensions.run_owner import run_of
from kei_crawler.run.context import RunContext
from kei_crawler.run.counts import Stat
from kei_crawler.run.listing_walk import PageRead

logger = logging.getLogger(__name__)

AGAIN = "kei_listing_again"
"""Request meta: a listing page read again; the spider reads it without walking on from it."""


@runtime_checkable
class ListingReader(Protocol):
    """The spider, as far as reading a listing page again goes (``spiders.peninsula``)."""

    def parse_listing(self, response: Response) -> Iterable[Any]: ...

    def listing_again_failed(self, failure: Failure) -> None: ...


class ListingShifts:
    def __init__(self, crawler: Crawler, run: RunContext) -> None:
        self.crawler = crawler
        self.run = run
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ListingShifts:
        return cls(crawler, run_of(crawler))

    def spider_idle(self, spider: Spider) -> None:
        walk, stats = self.run.listing, self.crawler.stats
        assert stats is not None and self.crawler.engine is not None
        if not isinstance(spider, ListingReader) or self.run.outcome.listing_unreadable or walk.unresolved:
            return  # (an unresolved walk was said once already)
        again = walk.next_round()
        stats.set_value(Stat.LISTING_SHIFTS, walk.shifts)
        counts = " → ".join(str(count) for count in walk.counts_seen()) or "no count shown"
        if walk.unresolved:
            stats.set_value(Stat.LISTING_SHIFT_UNRESOLVED, 1)
            logger.warning(
                "The listing kept changing while it was read (%s Posts located); a brief it moved may be "
                "missing from this snapshot, and the next scheduled crawl sweeps the listing",
                counts,
            )
            return
        if not again:
            return
        logger.info(
            "The listing changed while it was read (%s Posts located); reading pages %s again",
            counts,
            ", ".join(str(number) for number in sorted(walk.pages) if walk.pages[number] in again),
        )
        for page in again:
            stats.inc_value(Stat.LISTING_PAGES_REREAD)
            self.crawler.engine.crawl(self._read_again(spider, page))
        raise DontCloseSpider

    def _read_again(self, spider: ListingReader, page: PageRead) -> scrapy.Request:
        """``page`` read again past the duplicate filter."""
        return scrapy.Request(
            page.url,
            callback=spider.parse_listing,
            errback=spider.listing_again_failed,
            dont_filter=True,
            meta={AGAIN: True},
        )
