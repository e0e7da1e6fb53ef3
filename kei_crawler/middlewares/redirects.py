"""Redirects that end: a loop, a chain too long or a hop to another host fails the request, with its reason.

Scrapy's RedirectMiddleware hands the next hop back to the scheduler, where two things can lose a brief
without a word: the dupefilter drops a hop to a URL already fetched (a loop ``A → A?loop=1 → A``, or
``A → A``), and OffsiteMiddleware drops a hop to another host when it is scheduled — neither calls the
errback. Here the hop is checked before it leaves the middleware:

* back to a URL of its own chain (itself included): ``redirect_loop``, after one round;
* more than REDIRECT_MAX_TIMES hops: ``too_many_redirects``;
* to another host (scheme-less host and port differ): ``offsite_redirect``, never requested; the
  log names the target.

The same holds for ``<meta http-equiv="refresh">`` hops (``SiteMetaRefreshMiddleware``).

A hop that passes is marked ``dont_filter``: a redirect to a page fetched already (two old URLs of one
brief) is fetched again rather than dropped — the loop check above, not the dupefilter, is what ends
redirect chains, and the dedupe pipeline keeps one row per brief.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from w3lib.url import canonicalize_url

from kei_crawler import urls
from kei_crawler.middlewares.reasons import OffsiteRedirect, RedirectLoop, TooManyRedirects
from kei_crawler.run.counts import Stat

logger = logging.getLogger(__name__)


def checked_hop(request: Request, result: Request | Response, crawler: Crawler) -> Request | Response:
    """``result`` when it is a response or a hop that may be followed; else the refusal, raised."""
    if not isinstance(result, Request):
        return result
    target = result.url
    if not urls.same_site(target, request.url):
        logger.warning("Not following the redirect of %s to another host: %s", request.url, target)
        assert crawler.stats is not None
        crawler.stats.inc_value(Stat.OFFSITE_REDIRECTS)
        raise OffsiteRedirect(f"{request.url}: redirects to another host, {target}")
    chain = result.meta.get("redirect_urls") or [request.url]
    if canonicalize_url(target) in {canonicalize_url(url) for url in chain}:
        raise RedirectLoop(f"{request.url}: redirects back to {target}")
    result.dont_filter = True
    return result


def _too_many(exc: IgnoreRequest, request: Request, limit: int) -> IgnoreRequest:
    if "max redirections" in str(exc):
        return TooManyRedirects(f"{request.url}: more than REDIRECT_MAX_TIMES ({limit}) redirects")
    return exc


class SiteRedirectMiddleware(RedirectMiddleware):
    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:
            raise _too_many(exc, request, self.max_redirect_times) from None
        return checked_hop(request, result, self.crawler)


class SiteMetaRefreshMiddleware(MetaRefreshMiddleware):
    """The same checks for ``<meta http-equiv="refresh">`` hops."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:
            raise _too_many(exc, request, self.max_redirect_times) from None
        except ValueError as exc:
            # Scrapy cannot build a request for the target (``javascript:``, ``data:``): not on the site.
            raise OffsiteRedirect(
                f"{request.url}: refreshes to a URL that is not on the site ({exc})"
            ) from None
        return checked_hop(request, result, self.crawler)
