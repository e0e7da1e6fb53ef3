"""A brief's requisites — its photo, the other images in its content, its stylesheets if asked — requested
once, beside the brief, and never counted as briefs.

``RequisiteFetching`` is a part of the ``peninsula`` spider (its callbacks must be the spider's own
methods for Scrapy's JOBDIR to queue them for ``--resume``). Which URLs a page needs is the page object's
business (``pages.requisites``); here is which of them are requested:

- only with ``KEI_REQUISITES_ENABLED`` (stylesheets only with ``KEI_REQUISITE_STYLESHEETS`` too);
- only on the crawled host (``urls.same_site``, as every request): an image on another host (a CDN,
  another domain) is counted ``kei/requisites_offsite`` and left alone;
- not when the archive already links a row to a capture of it (``run.photo_links``), and once per crawl
  (Scrapy's duplicate filter): an unchanged brief re-fetched by ``--full`` does not fetch its photo again;
- through the same downloader as the pages: robots.txt, the delay and the retries apply, and the WARC
  recorder keeps the exchange (an identical payload becomes a revisit record);
- at most ``KEI_REQUISITE_MAX_BYTES`` each (Scrapy's ``download_maxsize`` per request): a larger one is
  cancelled and counted ``too_large``.

A requisite that fails is counted under ``kei/requisite_errors/<reason>`` and logged; it is not a lost
brief, so it changes neither the brief counts, nor the exit code, nor the snapshot beyond its row's null
``photo_warc_record_id``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from kei_crawler import urls
from kei_crawler.middlewares.reasons import PutBack, reason_of
from kei_crawler.pages.brief import PageRead
from kei_crawler.run.counts import Stat
from kei_crawler.storage.warc.link import warc_link

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from kei_crawler.config import KeiConfig
    from kei_crawler.run.context import RunContext

logger = logging.getLogger(__name__)

KIND = "requisite"
PRIORITY = 1
"""Above the pages' 0: a brief's images are fetched right after it, so its row soon finds their capture."""


class RequisiteFetching:
    crawler: Crawler
    config: KeiConfig
    base_url: str
    origin: str

    @property
    def run(self) -> RunContext:
        raise NotImplementedError  # the spider's

    def requisite_requests(self, response: Response, read: PageRead) -> list[scrapy.Request]:
        """The requests for what the brief page on ``response`` needs and the archive does not hold yet."""
        config, stats = self.config, self._requisite_stats()
        if not config.requisites_enabled:
            return []
        wanted = [
            *read.requisites.images,
            *(read.requisites.stylesheets if config.requisite_stylesheets else ()),
        ]
        requests = []
        for url in wanted:
            if not urls.same_site(url, self.base_url):
                stats.inc_value(Stat.REQUISITES_OFFSITE)
                continue
            # The URL a row names it by: moved onto the site's origin, as normalize moves photo_url.
            named = urls.rebase(url, response.url, self.origin)
            if self.run.requisites.is_archived(named):
                stats.inc_value(Stat.REQUISITES_ARCHIVED)
                continue
            requests.append(
                scrapy.Request(
                    url, callback=self.parse_requisite, errback=self.requisite_failed, priority=PRIORITY,
                    cb_kwargs={"named": named}, meta={"download_maxsize": config.requisite_max_bytes},
                )
            )  # fmt: skip
        return requests

    def parse_requisite(self, response: Response, named: str) -> None:
        """A requisite downloaded (and recorded by the WARC middleware): its capture is linked by URL."""
        self._requisite_stats().inc_value(Stat.REQUISITES)
        link = warc_link(response.meta)
        if link is not None:
            self.run.requisites.record(named, link["record_id"])

    def requisite_failed(self, failure: Failure) -> None:
        if isinstance(failure.value, PutBack):  # a stopping crawl queued it again for --resume
            return
        reason = reason_of(failure)
        stats = self._requisite_stats()
        stats.inc_value(Stat.errors(KIND))
        stats.inc_value(Stat.errors_by_reason(KIND, reason))
        request = getattr(failure, "request", None)
        logger.warning(
            "Could not fetch requisite %s: %s", request.url if request is not None else "?", reason
        )

    def _requisite_stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats
