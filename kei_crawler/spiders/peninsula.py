"""The ``peninsula`` spider: navigation only — listing pages to brief pages.

What a page says is the page objects' business (``kei_crawler.pages``); what a brief becomes is the
pipelines'. This module decides which URLs to request and turns each brief response into a RawBrief.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from kei_crawler import urls
from kei_crawler.items import RawBrief
from kei_crawler.pages import BriefPage, IndexPage

logger = logging.getLogger(__name__)


class PeninsulaSpider(scrapy.Spider):
    name = "peninsula"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = ""
        self.origin = urls.DEFAULT_ORIGIN
        self.max_listing_pages = 0
        self.allowed_domains: list[str] = []  # set from KEI_BASE_URL in from_crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PeninsulaSpider:
        spider: PeninsulaSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = urls.origin_of(settings.get("KEI_BASE_URL") or urls.DEFAULT_ORIGIN)
        spider.origin = urls.origin_of(settings.get("KEI_CANONICAL_ORIGIN") or urls.DEFAULT_ORIGIN)
        spider.max_listing_pages = settings.getint("KEI_MAX_LISTING_PAGES", 2000)
        # OffsiteMiddleware's guard, on top of our own same_site checks below.
        spider.allowed_domains = [urlsplit(spider.base_url).hostname or ""]
        return spider

    @property
    def listing_url(self) -> str:
        return f"{self.base_url}/{urls.SECTION}/"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.listing_url, callback=self.parse_listing, errback=self.listing_failed)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("kei/listing_pages")
        page = IndexPage(response.url, response.body)
        briefs = page.brief_links()
        if not briefs:
            # An empty page past the end is how some listings end; anything else deserves a look.
            logger.info("Listing page lists no briefs: %s", response.url)
        for link in briefs:
            if not urls.same_site(link, self.base_url):
                continue
            canonical = urls.canonical_brief_url(link, self.origin)
            stats.inc_value("kei/brief_links")
            yield scrapy.Request(
                urls.fetch_url(canonical, self.base_url),
                callback=self.parse_brief,
                errback=self.brief_failed,
                cb_kwargs={"canonical_url": canonical},
            )
        for link in page.listing_links():
            if not urls.same_site(link, self.base_url):
                continue
            number = urls.listing_page_number(link)
            if number is None or number > self.max_listing_pages:
                stats.inc_value("kei/listing_pages_skipped")
                continue
            yield scrapy.Request(
                urls.canonical_listing_url(link), callback=self.parse_listing, errback=self.listing_failed
            )

    def parse_brief(self, response: Response, canonical_url: str) -> Iterator[RawBrief]:
        # After a redirect the final URL names the brief; two links that land on one page become one row.
        if response.url != response.request.url and urls.is_brief_url(response.url):  # type: ignore[union-attr]
            canonical_url = urls.canonical_brief_url(response.url, self.origin)
        fields = BriefPage(response.url, response.body).fields()
        yield RawBrief(
            url=canonical_url,
            fetched_url=response.url,
            fetched_at=datetime.now(UTC),
            http_etag=_header(response, b"ETag"),
            http_last_modified=_header(response, b"Last-Modified"),
            **fields,
        )

    def brief_failed(self, failure: Failure) -> None:
        self._count_failure(failure, "brief")

    def listing_failed(self, failure: Failure) -> None:
        self._count_failure(failure, "listing")

    def _count_failure(self, failure: Failure, kind: str) -> None:
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        reason = f"http_{response.status}" if response is not None else type(failure.value).__name__
        url = request.url if request is not None else "?"
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"kei/{kind}_errors/{reason}")
        stats.inc_value(f"kei/{kind}_errors")
        logger.warning("Could not fetch %s %s: %s", kind, url, reason)
        errors: list[dict[str, str]] = stats.get_value("kei/error_list", []) or []
        errors.append({"kind": kind, "url": url, "reason": reason})
        stats.set_value("kei/error_list", errors)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
