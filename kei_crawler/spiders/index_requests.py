"""The site's own indexes — its sitemaps and its feed — requested once a crawl, beside the listing.

``IndexDiscovery`` is a part of the ``peninsula`` spider (its callbacks must be the spider's own methods
for Scrapy's JOBDIR to queue them for ``--resume``). What a sitemap or feed says is the page objects'
business (``pages.sitemaps``, ``pages.feeds``, read safely by ``pages.xml_input``); here is what is asked:

- when robots.txt has been read (the ``robots_parsed`` signal, which carries its ``Sitemap:`` lines), with
  ``KEI_SITEMAPS`` on: the sitemaps it names on the crawled host, or, when it names none, the usual
  locations one after another until one answers (``PROBES``); an index's sitemaps (same host, one level
  deep, at most ``MAX_SITEMAP_FILES``); and ``/feed/`` — none of them in an incremental crawl while the
  last asking found nothing (``run.index_absence``);
- through the same downloader as the pages: robots.txt, the delay, the retries and the WARC apply;
- a 404/410 means "none here", no error; a file that fails or that the parser refuses is one warning line
  and counted under ``kei/sitemap_errors/<reason>`` (``kei/feed_errors/…``): never a lost brief;
- a brief an index lists that neither the listing nor the archive holds is requested like any brief.

The comparison of the sources (``run.indexes``) is counted at every ``spider_idle``, when what the crawl
asked for has been read. A revalidating crawl (``KEI_REVALIDATE_BY_LASTMOD``) asks for archived briefs only
then, and only for those the sitemaps date after their capture or no longer list.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from kei_crawler import urls
from kei_crawler.config import WHOLE_LISTING
from kei_crawler.middlewares.reasons import PutBack, reason_of
from kei_crawler.pages.feeds import read_feed
from kei_crawler.pages.sitemaps import read_sitemap
from kei_crawler.pages.xml_input import MAX_BYTES, XmlRefused
from kei_crawler.run.counts import Stat
from kei_crawler.run.index_absence import asking_due
from kei_crawler.run.indexes import MAX_SITEMAP_FILES, revalidation_due

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from kei_crawler.config import KeiConfig
    from kei_crawler.run.context import RunContext

logger = logging.getLogger(__name__)

PROBES = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")
"""Where WordPress core, Yoast-style plugins and most others put a sitemap robots.txt does not name."""
FEED = "/feed/"
MISSING = [404, 410]
SITEMAP, FEED_KIND = "sitemap", "feed"


class IndexDiscovery:
    crawler: Crawler
    config: KeiConfig
    base_url: str
    origin: str
    _run: RunContext | None

    @property
    def run(self) -> RunContext:
        raise NotImplementedError  # the spider's

    def brief_request(self, canonical: str, **kwargs: Any) -> scrapy.Request:
        raise NotImplementedError  # the spider's

    def revalidation_request(self, canonical: str) -> scrapy.Request:
        raise NotImplementedError  # the spider's

    def revalidation_requests(self) -> Iterator[scrapy.Request]:
        """A revalidating crawl's conditional requests: each live brief's at once, or, by ``<lastmod>``,
        none until the sitemaps have been read (``indexes_idle``)."""
        if self.config.sitemaps and self.config.revalidate_by_lastmod:
            self.run.indexes.revalidation_pending = True
            return
        for url in self.run.archive.live_urls():
            yield self.revalidation_request(url)

    def robots_parsed(self, request: scrapy.Request, sitemaps: list[str] | None = None) -> None:
        """robots.txt was read: ask for the crawled host's sitemaps and feed, once a crawl."""
        indexes = self.run.indexes
        if indexes.asked or not self.config.sitemaps or not urls.same_site(request.url, self.base_url):
            return
        indexes.asked = True
        named = list(dict.fromkeys(url for url in sitemaps or () if urls.same_site(url, self.base_url)))
        if sitemaps and not named:
            logger.info("robots.txt names sitemaps on other hosts only; not read: %s", ", ".join(sitemaps))
        indexes.named = frozenset(named)
        run = self.run
        if not asking_due(
            run.archive.indexes_absent, run.mode, named, run.started_at, self.config.sweep_days
        ):
            indexes.skipped = True
            logger.info("The last crawl that asked found no sitemap and no feed: not asked this time")
            return
        indexes.chains = max(len(named), 1)
        if not named:
            named = [f"{self.base_url}{path}" for path in PROBES][:1]
            probes = [f"{self.base_url}{path}" for path in PROBES[1:]]
        else:
            probes = []
        engine = self.crawler.engine
        assert engine is not None
        indexes.requested_files.update(named)
        for url in named:
            engine.crawl(self._sitemap_request(url, probes=probes, top=True))
        engine.crawl(self._index_request(f"{self.base_url}{FEED}", self.parse_feed, FEED_KIND))

    def _index_request(self, url: str, callback: Any, kind: str, **cb_kwargs: Any) -> scrapy.Request:
        # Not filtered as seen: a resumed crawl reads them again (a few requests), or it would know none
        # of the dates and revalidate every brief. Read once a crawl all the same: ``asked``, ``requested_files``.
        return scrapy.Request(
            url, callback=callback, errback=self.index_failed, cb_kwargs=cb_kwargs, dont_filter=True,
            meta={"handle_httpstatus_list": MISSING, "download_maxsize": MAX_BYTES, "index_kind": kind},
        )  # fmt: skip

    def _sitemap_request(self, url: str, *, probes: list[str], top: bool) -> scrapy.Request:
        return self._index_request(url, self.parse_sitemap, SITEMAP, probes=probes, top=top)

    def parse_sitemap(self, response: Response, probes: list[str], top: bool) -> Iterator[scrapy.Request]:
        indexes, stats = self.run.indexes, self._index_stats()
        if response.status in MISSING:
            if probes:  # not there: the next usual location
                yield self._sitemap_request(probes[0], probes=probes[1:], top=True)
            elif not top:  # an index named it: the sitemaps are incomplete
                indexes.sitemap_failed = True
                self._count_error(SITEMAP, response.url, f"http_{response.status}")
            else:
                indexes.chains_missing += 1
            return
        try:
            sitemap = read_sitemap(response.body, response.url, self.base_url)
        except XmlRefused as exc:
            indexes.sitemap_failed = True
            self._count_error(SITEMAP, response.url, "refused", str(exc))
            return
        indexes.sitemap_files.add(response.url)
        stats.inc_value(Stat.SITEMAP_FILES)
        if sitemap.kind == "index":
            if not top:  # the protocol has no index of indexes; reading one would nest without end
                logger.warning("Sitemap index %s names another index; not followed", response.url)
                return
            for entry in sitemap.entries:
                if entry.url in indexes.requested_files:
                    continue
                if len(indexes.requested_files) >= MAX_SITEMAP_FILES:
                    logger.warning("More than %d sitemap files; the rest not read", MAX_SITEMAP_FILES)
                    indexes.sitemap_failed = True
                    return
                indexes.requested_files.add(entry.url)
                yield self._sitemap_request(entry.url, probes=[], top=False)
            return
        for entry in sitemap.entries:
            if urls.is_brief_url(entry.url):
                canonical = urls.canonical_brief_url(entry.url, self.origin)
                indexes.sitemap[canonical] = entry.lastmod
                yield from self._unlisted(canonical)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status in MISSING:
            self.run.indexes.feed_missing = True
            return
        try:
            feed = read_feed(response.body, response.url, self.base_url)
        except XmlRefused as exc:
            self._count_error(FEED_KIND, response.url, "refused", str(exc))
            return
        indexes = self.run.indexes
        indexes.feed_read = True
        for item in feed.items:
            if urls.is_brief_url(item.url):
                canonical = urls.canonical_brief_url(item.url, self.origin)
                indexes.feed.add(canonical)
                yield from self._unlisted(canonical)

    def _unlisted(self, canonical: str) -> Iterator[scrapy.Request]:
        """The request for a brief an index lists and nothing else this crawl knows of."""
        run = self.run
        archive, indexes = run.archive, run.indexes
        if canonical in indexes.requested or canonical in indexes.listing:
            return
        if archive.is_known(canonical) or canonical in archive.outstanding:
            return  # archived (refreshed as its mode says), or asked for again by every crawl
        indexes.requested.add(canonical)
        yield self.brief_request(canonical)

    def index_failed(self, failure: Failure) -> None:
        if isinstance(failure.value, PutBack):  # a stopping crawl queued it again for --resume
            return
        request = getattr(failure, "request", None)
        kind = request.meta.get("index_kind", SITEMAP) if request is not None else SITEMAP
        if kind == SITEMAP:
            self.run.indexes.sitemap_failed = True
        self._count_error(kind, request.url if request is not None else "?", reason_of(failure))

    def indexes_idle(self) -> None:
        """Everything asked for has been read: compare the sources; a revalidating crawl then asks for the
        archived briefs the sitemaps say changed (all of them when no sitemap was read whole)."""
        if self._run is None:
            return  # this run did not start: nothing was read
        self.count_disagreements()
        run = self._run
        if not run.indexes.revalidation_pending:
            return
        run.indexes.revalidation_pending = False
        live, indexes = run.archive.live_urls(), run.indexes
        if indexes.sitemap_files and not indexes.sitemap_failed:
            ask, unchanged = revalidation_due(live, run.archive.known, indexes.sitemap)
            run.archive.listed.update(unchanged)  # listed by the site, as a 304 would confirm them
            self._index_stats().inc_value(Stat.BRIEFS_DATED_UNCHANGED, len(unchanged))
            logger.info("Sitemaps date %d archived briefs unchanged; asking for %d", len(unchanged), len(ask))
        else:
            ask = live
            logger.info("No sitemap read whole: asking for each of the %d archived briefs", len(ask))
        engine = self.crawler.engine
        assert engine is not None
        for url in ask:
            engine.crawl(self.revalidation_request(url))
        if ask:
            raise DontCloseSpider

    def count_disagreements(self) -> None:
        """The sources compared as they stand (set, not added: idle comes again after a listing re-read)."""
        run, stats = self.run, self._index_stats()
        archived = () if run.mode in WHOLE_LISTING else run.archive.known.keys()
        for name, count in run.indexes.disagreements(archived).items():
            stats.set_value(Stat.indexes(name), count)
        stats.set_value(Stat.SITEMAP_BRIEFS, len(run.indexes.sitemap))
        stats.set_value(Stat.FEED_BRIEFS, len(run.indexes.feed))

    def _count_error(self, kind: str, url: str, reason: str, why: str = "") -> None:
        stats = self._index_stats()
        stats.inc_value(Stat.errors(kind))
        stats.inc_value(Stat.errors_by_reason(kind, reason))
        logger.warning("Could not read %s %s: %s", kind, url, why or reason)

    def _index_stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats
