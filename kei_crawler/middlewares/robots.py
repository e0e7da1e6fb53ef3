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
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
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


class SiteDisallowed:
    """The robots parser of a site whose robots.txt is unreachable: nothing is allowed."""

    def __init__(self, why: str) -> None:
        self.why = why

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


class Rfc9309RobotsMiddleware(RobotsTxtMiddleware):
    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, SiteDisallowed):
            self._stats.inc_value("robotstxt/forbidden")
            raise RobotsUnavailable(rp.why)
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            raise RobotsDisallowed(f"Forbidden by robots.txt: {request.url}") from None

    async def robot_parser(self, request: Request) -> Any:
        # Scrapy's version logs a traceback for an unreachable robots.txt; here it is one line.
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            scheme = urlparse_cached(request).scheme
            robots_request = Request(
                f"{scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True},
                callback=NO_CALLBACK,
            )
            try:
                assert self.crawler.engine is not None
                response = await self.crawler.engine.download_async(robots_request)
                await self._parse_robots(response, netloc, request)
            except Exception as exc:
                self._robots_error(exc, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        status = response.status
        if status >= 500 or status == 429:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{status}")
            self._settle(netloc, SiteDisallowed(f"robots.txt answered {status}: {RFC_9309}"))
            return
        if 400 <= status < 500:
            response = response.replace(body=b"")  # unavailable: no rules, whatever the error page holds
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, _UNAVAILABLE_ERRORS):
            logger.warning("robots.txt of %s is unavailable (%s); no rules apply", netloc, reason_of(exc))
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._settle(
            netloc, SiteDisallowed(f"robots.txt could not be fetched ({reason_of(exc)}): {RFC_9309}")
        )

    def _settle(self, netloc: str, parser: SiteDisallowed) -> None:
        logger.error("%s (%s)", parser.why, netloc)
        self._stats.set_value("kei/robots_unavailable", parser.why)
        waiting = self._parsers[netloc]
        # Stands in for a RobotParser: process_request_2 above is the only one to read it.
        self._parsers[netloc] = parser  # type: ignore[assignment]
        if isinstance(waiting, Deferred):
            waiting.callback(parser)  # type: ignore[arg-type]
