"""The ``peninsula`` spider: navigation only — listing pages to brief pages.

What a page says is the page objects' business (``kei_crawler.pages``); what a brief becomes is the
pipelines'. This module decides which URLs to request — all of them, or in an incremental crawl only
those the archive does not hold yet (see ``config.Mode``) — and turns each response into a RawBrief.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from kei_crawler import urls
from kei_crawler.config import WHOLE_LISTING, KeiConfig, Mode
from kei_crawler.extensions.listing_shifts import AGAIN
from kei_crawler.extensions.run_owner import config_of, owner_of
from kei_crawler.items import RawBrief
from kei_crawler.middlewares.reasons import PutBack, RobotsUnavailable, detail_of, reason_of
from kei_crawler.pages import IndexPage
from kei_crawler.pages.brief import PageRead, read_brief
from kei_crawler.pages.workers import WorkerPool
from kei_crawler.run.context import RunContext
from kei_crawler.run.counts import Stat
from kei_crawler.spiders.index_requests import IndexDiscovery
from kei_crawler.spiders.requisite_requests import RequisiteFetching
from kei_crawler.storage.warc.link import HELD_META, fetched_at, warc_link

logger = logging.getLogger(__name__)

GONE = (404, 410)
Output = RawBrief | scrapy.Request  # a brief page's: its RawBrief, then its requisites' requests


class PeninsulaSpider(IndexDiscovery, RequisiteFetching, scrapy.Spider):
    name = "peninsula"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = KeiConfig()
        self.base_url = urls.origin_of(self.config.base_url)
        self.origin = urls.origin_of(self.config.canonical_origin)
        self.allowed_domains: list[str] = []  # set from KEI_BASE_URL in from_crawler
        self.last_listing_page = 1  # the highest listing page number linked so far
        self.reader = WorkerPool()
        self._run: RunContext | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PeninsulaSpider:
        spider: PeninsulaSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = config = config_of(crawler)
        spider.base_url = urls.origin_of(config.base_url)
        spider.origin = urls.origin_of(config.canonical_origin)
        spider.reader = WorkerPool(config.extract_workers)
        # OffsiteMiddleware's guard, on top of our own same_site checks below.
        spider.allowed_domains = [urlsplit(spider.base_url).hostname or ""]
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.indexes_idle, signal=signals.spider_idle)
        return spider

    @property
    def run(self) -> RunContext:
        """The crawl's run (the archive it extends, its mode, what it records); set when the crawl starts."""
        assert self._run is not None, "the run is known once the crawl has started"
        return self._run

    @property
    def listing_url(self) -> str:
        return f"{self.base_url}/{urls.SECTION}/"

    async def start(self) -> AsyncIterator[Any]:
        run = owner_of(self.crawler).open()
        if run is None:
            return  # this run could not start (another run holds the output directory): request nothing
        self._run = run
        yield scrapy.Request(self.listing_url, callback=self.parse_listing, errback=self.listing_failed)
        for url in sorted(run.archive.outstanding):
            yield self.brief_request(url)  # failed in an earlier crawl, never archived: try again
        for request in self.revalidation_requests() if run.mode is Mode.REVALIDATE else ():
            yield request

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(Stat.LISTING_PAGES)
        self.run.outcome.listing_read = True
        page = IndexPage(response.url, response.body)
        links = [link for link in page.brief_links() if urls.same_site(link, self.base_url)]
        number = urls.listing_page_number(response.url) or 1
        canonicals = [urls.canonical_brief_url(link, self.origin) for link in links]
        self.run.listing.record(number, response.url, page.posts_located(), canonicals)
        self.run.indexes.listing.update(canonicals)
        if not links:
            # An empty page past the end is how some listings end; anything else deserves a look.
            logger.info("Listing page lists no briefs: %s", response.url)
            if number == 1 and not page.listing_links() and not response.meta.get(AGAIN):
                # An empty 200, a sign-in wall, a "page not found" page: whatever it is, not the listing.
                self._listing_unreadable(f"{response.url} lists no briefs and links to no listing page")
        archive, full = self.run.archive, self.run.mode is Mode.FULL
        unknown = 0
        for canonical in canonicals:
            stats.inc_value(Stat.BRIEF_LINKS)
            if archive.is_known(canonical):
                archive.listed.add(canonical)
                if not full:
                    continue
            else:
                unknown += 1
            yield self.brief_request(canonical)
        if not response.meta.get(AGAIN):  # read again for what moved onto it; the walk went on already
            yield from self.next_listing_pages(response.url, page, bool(links) and unknown == 0)

    def next_listing_pages(self, url: str, page: IndexPage, only_known: bool) -> Iterator[scrapy.Request]:
        """Every listing page linked (full crawl), or the next one until the known part is reached."""
        stats = self.crawler.stats
        assert stats is not None
        run, config = self.run, self.config
        run.known_only_pages = run.known_only_pages + 1 if only_known else 0
        if run.mode not in WHOLE_LISTING and run.known_only_pages >= config.overlap_pages:
            logger.info("Listing reached briefs already archived at %s; not reading further", url)
            return
        current = urls.listing_page_number(url) or 1
        for link in page.listing_links():
            number = urls.listing_page_number(link)
            if not urls.same_site(link, self.base_url) or number is None:
                continue
            if number > config.max_listing_pages:
                stats.inc_value(Stat.LISTING_PAGES_SKIPPED)
                run.listing.incomplete = True
                continue
            self.last_listing_page = max(self.last_listing_page, number)
            # An incremental crawl reads the listing in order, so it can stop where the known part begins.
            if run.mode not in WHOLE_LISTING and number != current + 1:
                continue
            yield scrapy.Request(
                urls.canonical_listing_url(link), callback=self.parse_listing, errback=self.listing_failed
            )

    def brief_request(self, canonical: str, **kwargs: Any) -> scrapy.Request:
        meta = kwargs.pop("meta", {})
        archive = self.run.archive
        if archive.is_known(canonical) or canonical in archive.outstanding:
            # A brief the archive holds (or has been trying to) that now answers 404/410 is gone, not an error.
            meta.setdefault("handle_httpstatus_list", list(GONE))
        return scrapy.Request(
            urls.fetch_url(canonical, self.base_url),
            callback=self.parse_brief_in_worker if self.reader.pooled else self.parse_brief,
            errback=self.brief_failed,
            cb_kwargs={"canonical_url": canonical},
            meta=meta,
            **kwargs,
        )

    def revalidation_request(self, canonical: str) -> scrapy.Request:
        known = self.run.archive.known[canonical]
        headers = {}
        if known.http_etag:
            headers["If-None-Match"] = known.http_etag
        if known.http_last_modified:
            headers["If-Modified-Since"] = known.http_last_modified
        meta: dict[str, Any] = {"handle_httpstatus_list": [304, *GONE]}
        if known.warc_file is not None and known.warc_offset is not None:
            meta[HELD_META] = {"file": known.warc_file, "offset": known.warc_offset}
        return self.brief_request(canonical, headers=headers, meta=meta)

    def parse_brief(self, response: Response, canonical_url: str) -> Iterator[Output]:
        """The brief on ``response``, read in this process; then its requisites (``spiders.requisite_requests``)."""
        if not self._settled(response, canonical_url):
            read = read_brief(response.url, response.body)
            yield raw_brief(response, canonical_url, read, self.origin)
            yield from self.requisite_requests(response, read)

    async def parse_brief_in_worker(self, response: Response, canonical_url: str) -> list[Output]:
        """As :meth:`parse_brief`, read in a worker process (``KEI_EXTRACT_WORKERS``): a coroutine returning a
        list, not an async generator, so Scrapy takes its output down the cheaper synchronous path."""
        if self._settled(response, canonical_url):
            return []
        read = await self.reader.read(response.url, response.body)
        brief = raw_brief(response, canonical_url, read, self.origin)
        return [brief, *self.requisite_requests(response, read)]

    def _settled(self, response: Response, canonical_url: str) -> bool:
        """True when the response is a 304 or a 404/410 for a known brief: recorded, nothing to read."""
        stats = self.crawler.stats
        assert stats is not None
        archive = self.run.archive
        if response.status == 304:
            archive.not_modified.add(canonical_url)
            stats.inc_value(Stat.BRIEFS_NOT_MODIFIED)
            return True
        if response.status in GONE:
            archive.gone[canonical_url] = datetime.now(UTC)
            stats.inc_value(Stat.BRIEFS_GONE)
            logger.info("Brief is gone (%d), marked removed: %s", response.status, canonical_url)
            return True
        return False

    def closed(self, reason: str) -> None:
        self.reader.close()

    def brief_failed(self, failure: Failure) -> None:
        if not isinstance(failure.value, PutBack):  # a stopping crawl queued it again for --resume
            self._count_failure(failure, "brief")

    def listing_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        if isinstance(failure.value, PutBack):
            return
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.listing_url
        number = urls.listing_page_number(url) or 1
        self._count_failure(failure, "listing")
        self.run.listing.incomplete = True
        if number == 1:
            # Without page 1 nothing is known about the site: the run must not publish.
            if isinstance(failure.value, RobotsUnavailable):
                self._listing_unreadable(str(failure.value), whole=True)
            else:
                self._listing_unreadable(f"{url} failed: {reason_of(failure)}")
            return
        # The pages after a broken one may be linked only from it: ask for the next by the same pattern,
        # unless this one is past the end (404/410) or the next was never linked (bounded by the listing).
        response = getattr(failure.value, "response", None)
        if (response is not None and response.status in GONE) or number >= self.last_listing_page:
            return
        logger.info("Listing page %d failed; reading on at page %d", number, number + 1)
        yield scrapy.Request(
            urls.listing_page_url(url, number + 1), callback=self.parse_listing, errback=self.listing_failed
        )

    def listing_again_failed(self, failure: Failure) -> None:
        """A listing page read again (``extensions.listing_shifts``) failed: past the new end, or its first
        read stands and the walk stays unsettled."""
        if isinstance(failure.value, PutBack):
            return
        response = getattr(failure.value, "response", None)
        if response is not None and response.status in GONE:
            self.run.listing.forget(urls.listing_page_number(response.url) or 1)
            return
        self._count_failure(failure, "listing")
        self.run.listing.incomplete = True

    def _listing_unreadable(self, why: str, *, whole: bool = False) -> None:
        outcome = self.run.outcome
        if not outcome.listing_unreadable:
            outcome.listing_unreadable = why if whole else f"could not read The Peninsula's listing: {why}"

    def _count_failure(self, failure: Failure, kind: str) -> None:
        request = getattr(failure, "request", None)
        reason = reason_of(failure)
        url = request.url if request is not None else "?"
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(Stat.errors_by_reason(kind, reason))
        stats.inc_value(Stat.errors(kind))
        logger.warning("Could not fetch %s %s: %s", kind, url, reason)
        # Keyed by the brief's canonical URL, as its snapshot row is, so the row carried forward is found.
        canonical = request.cb_kwargs.get("canonical_url", url) if request is not None else url
        entry = {"kind": kind, "url": canonical, "reason": reason}
        if canonical != url:
            entry["fetched_url"] = url
        detail = detail_of(failure)
        if detail:
            entry["detail"] = detail  # e.g. where an offsite redirect pointed, how long a timeout was
        self.run.failures.errors.append(entry)


def raw_brief(response: Response, canonical_url: str, read: PageRead, origin: str) -> RawBrief:
    """The RawBrief of a brief page ``read`` from ``response`` (in a crawl, or from a WARC by ``reextract``)."""
    # After a redirect the final URL names the brief; two links that land on one page become one row.
    # (RedirectMiddleware leaves the hops in meta; response.request is already the last hop's request.)
    if response.meta.get("redirect_urls") and urls.is_brief_url(response.url):
        canonical_url = urls.canonical_brief_url(response.url, origin)
    archived = warc_link(response.meta)  # set by the WARC middleware, or by `reextract`
    return RawBrief(
        url=canonical_url,
        fetched_url=response.url,
        fetched_at=fetched_at(response.meta),
        http_etag=_header(response, b"ETag"),
        http_last_modified=_header(response, b"Last-Modified"),
        provenance=read.provenance,
        warc_file=archived["file"] if archived else None,
        warc_record_id=archived["record_id"] if archived else None,
        warc_offset=archived["offset"] if archived else None,
        **read.fields,
    )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
