"""robots.txt as RFC 9309 reads it, where Scrapy's RobotsTxtMiddleware allows everything on any error.

* 2xx: the rules apply; a request they disallow fails as ``robots_disallowed`` (its errback is called,
  so the spider reports the brief instead of it vanishing).
* 4xx (RFC 9309 §2.3.1.3, "unavailable"): no rules, everything is allowed — whatever the error page says.
  429 is the exception: a rate limit says the site is there but will not answer now, so it is treated as
  unreachable (as the major crawlers do).
* 5xx after the retries, or no answer at all (refused, reset, timed out, …) (§2.3.1.4, "unreachable"):
  the crawler MUST assume complete disallow. Every request to that host fails as ``robots_unavailable``
  with a one-line reason (``robots.txt answered 500: RFC 9309 says treat the site as disallowed; nothing
  crawled``), so the listing cannot be read and the run publishes nothing and exits 1.
* A robots.txt that redirects in a loop, too often or to another host is "unavailable" (§2.3.1.2):
  allowed, as for a 4xx.

Written on Scrapy's public pieces — the engine's ``download_async``, the ``ROBOTSTXT_PARSER`` classes and
the ``robots_parsed`` signal — rather than by overriding RobotsTxtMiddleware's private methods, so that it
takes the same settings (``ROBOTSTXT_OBEY``, ``ROBOTSTXT_USER_AGENT``, ``ROBOTSTXT_PARSER``) and sits at
its place (100) without depending on how Scrapy's version is built inside. The signal also carries the
file's ``Sitemap:`` lines (``sitemaps``: absolute URLs), which the spider reads (``spiders.index_requests``).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.internet.defer import Deferred

from kei_crawler.middlewares.reasons import (
    OffsiteRedirect,
    RedirectLoop,
    RobotsDisallowed,
    RobotsUnavailable,
    TooManyRedirects,
    reason_of,
)

logger = logging.getLogger(__name__)

RFC_9309 = "RFC 9309 says treat the site as disallowed; nothing crawled"
_UNAVAILABLE_ERRORS = (RedirectLoop, TooManyRedirects, OffsiteRedirect)
DOWNLOAD_PRIORITY = 1000  # robots.txt before anything else of its host, as Scrapy's middleware does


class SiteDisallowed:
    """What is known of a site whose robots.txt is unreachable: nothing is allowed, and why."""

    def __init__(self, why: str) -> None:
        self.why = why


Rules = RobotParser | SiteDisallowed | None
"""A host's robots.txt: its rules, complete disallow, or none at all (everything allowed)."""


class Rfc9309RobotsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.user_agent: str | None = settings.get("ROBOTSTXT_USER_AGENT")
        self.default_user_agent: str = settings.get("USER_AGENT") or ""
        self.parser_class: type[RobotParser] = load_object(settings.get("ROBOTSTXT_PARSER"))
        self.hosts: dict[str, Rules | Deferred[Rules]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Rfc9309RobotsMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt") or request.url.startswith(("data:", "file:")):
            return
        rules = await self.rules_for(request)
        if isinstance(rules, SiteDisallowed):
            self._count("robotstxt/forbidden")
            raise RobotsUnavailable(rules.why)
        if rules is None:
            return
        agent = self.user_agent or request.headers.get(b"User-Agent") or self.default_user_agent
        if not rules.allowed(request.url, agent):
            self._count("robotstxt/forbidden")
            raise RobotsDisallowed(f"Forbidden by robots.txt: {request.url}")

    async def rules_for(self, request: Request) -> Rules:
        """The rules of ``request``'s host, fetched once; requests arriving meanwhile wait for them."""
        url = urlparse_cached(request)
        known = self.hosts.get(url.netloc)
        if isinstance(known, Deferred):
            return await maybe_deferred_to_future(known)
        if url.netloc in self.hosts:
            return known
        waiting: Deferred[Rules] = Deferred()
        self.hosts[url.netloc] = waiting
        rules = await self._fetch(f"{url.scheme}://{url.netloc}/robots.txt", url.netloc, request)
        self.hosts[url.netloc] = rules
        waiting.callback(rules)
        return rules

    async def _fetch(self, robots_url: str, netloc: str, request: Request) -> Rules:
        robots = Request(robots_url, priority=DOWNLOAD_PRIORITY, meta={"dont_obey_robotstxt": True},
                         callback=NO_CALLBACK)  # fmt: skip
        self._count("robotstxt/request_count")
        assert self.crawler.engine is not None
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:
            if isinstance(exc, _UNAVAILABLE_ERRORS):
                logger.warning("robots.txt of %s is unavailable (%s); no rules apply", netloc, reason_of(exc))
                return None
            if not isinstance(exc, IgnoreRequest):
                self._count(f"robotstxt/exception_count/{type(exc)}")
            return self._disallowed(f"robots.txt could not be fetched ({reason_of(exc)}): {RFC_9309}", netloc)
        self._count("robotstxt/response_count")
        self._count(f"robotstxt/response_status_count/{response.status}")
        if response.status >= 500 or response.status == 429:
            return self._disallowed(f"robots.txt answered {response.status}: {RFC_9309}", netloc)
        return await self._parse(response, request)

    async def _parse(self, response: Response, request: Request) -> RobotParser:
        # A 4xx is "unavailable": no rules, whatever the error page holds.
        body = response.body if response.status < 400 else b""
        rules: RobotParser = build_from_crawler(self.parser_class, self.crawler, body)
        sitemaps = list(sitemap_urls_from_robots(body, base_url=response.url))
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed, robotparser=rules, request=request, sitemaps=sitemaps
        )
        return rules

    def _disallowed(self, why: str, netloc: str) -> SiteDisallowed:
        logger.error("%s (%s)", why, netloc)
        return SiteDisallowed(why)

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key)
