"""Retries that wait: exponential backoff with jitter, and Retry-After honoured for the whole host.

Scrapy's RetryMiddleware sends a retry as soon as the scheduler hands it back, which is how a crawler
turns a struggling site's 503s into a stampede. ``BackoffRetryMiddleware`` keeps its decisions (which
statuses and exceptions, RETRY_TIMES, the give-up log) and adds when:

* every retry waits ``backoff_delay`` (KEI_RETRY_BACKOFF_BASE doubled per attempt, capped at
  KEI_RETRY_BACKOFF_MAX, with jitter so retries of many pages do not arrive together);
* a retryable response with ``Retry-After`` (delta-seconds or an HTTP-date) is a word about the host,
  not the page: no request to that host goes out before it expires. Requests already queued in the host's
  download slot are held by the slot's own delay timer (``Slot.latercall``, as DOWNLOAD_DELAY does);
  requests still on their way wait in ``process_request``. Waiting is a timer, never a sleep: the
  reactor keeps serving every other host and the requests in flight;
* a Retry-After longer than KEI_RETRY_MAX_WAIT is not slept through: the request fails at once as
  ``retry_after_too_long``, and so does every request to that host until the time the site named, those
  already queued in its slot included — they are not sent, because the site said not to.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from kei_crawler.config import KeiConfig
from kei_crawler.extensions.run_owner import config_of
from kei_crawler.middlewares import slots
from kei_crawler.middlewares.reasons import RetryAfterTooLong
from kei_crawler.run.counts import Stat

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

NOT_BEFORE = "kei_retry_not_before"  # request meta: wall-clock time before which the retry is not sent
_TICK = 1.0  # seconds: how often a wait looks whether the crawl is being stopped


def retry_after_seconds(value: bytes | str | None, now: float) -> float | None:
    """Seconds a Retry-After value asks to wait from ``now`` (epoch seconds); None when absent or unreadable."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # an HTTP-date is always GMT
    return max(0.0, when.timestamp() - now)


def backoff_delay(attempt: int, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """The wait before retry number ``attempt`` (1 for the first): ``base``·2^(attempt-1), at most ``cap``,
    with "equal jitter" — between half of that and all of it, so a retry never comes early by more than half
    and retries of many pages spread out."""
    if base <= 0 or attempt < 1:
        return 0.0
    full = min(cap, base * 2.0 ** min(attempt - 1, 60))
    return full / 2 + rand() * full / 2


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings, config: KeiConfig | None = None) -> None:
        super().__init__(settings)
        config = config or KeiConfig()
        self.backoff_base = config.retry_backoff_base
        self.backoff_max = config.retry_backoff_max
        self.max_wait = config.retry_max_wait
        self.holds: dict[str, float] = {}  # download slot → epoch time before which nothing is sent to it
        self.closed: dict[str, tuple[float, str]] = {}  # slot → (until, why): a Retry-After past the cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        o = cls(crawler.settings, config_of(crawler))
        o.crawler = crawler
        return o

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        key = self._slot_key(request)
        while True:
            now = time.time()
            closed = self.closed.get(key)
            if closed is not None and closed[0] > now:
                raise RetryAfterTooLong(f"{request.url}: {closed[1]}")
            wait = max(float(request.meta.get(NOT_BEFORE, 0.0)), self.holds.get(key, 0.0)) - now
            # A crawl being stopped (Ctrl-C, SIGTERM) waits for the requests in hand; they go now rather
            # than keep it waiting minutes — failing them instead would lose them for --resume.
            if wait <= 0 or not self.crawler.crawling:
                return
            await sleep(min(wait, _TICK))  # a hold may grow, or the crawl stop, meanwhile: look again

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        now = time.time()
        asked = retry_after_seconds(response.headers.get(b"Retry-After"), now)
        key = self._slot_key(request)
        if asked is not None:
            if asked > self.max_wait:
                why = (
                    f"{response.status} with Retry-After of {asked:.0f}s, "
                    f"more than KEI_RETRY_MAX_WAIT ({self.max_wait:g}s)"
                )
                self.closed[key] = (now + asked, why)
                self._stats().inc_value(Stat.RETRY_AFTER_TOO_LONG)
                logger.warning("%s answered %s; nothing more is sent to it until then", key, why)
                self._refuse_queued(key, why)
                raise RetryAfterTooLong(f"{request.url}: {why}")
            self._hold(key, now + asked, response.status)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        retry.meta[NOT_BEFORE] = now + max(asked or 0.0, self._backoff(retry))
        return retry

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            retry.meta[NOT_BEFORE] = time.time() + self._backoff(retry)
        return retry

    def _backoff(self, retry: Request) -> float:
        return backoff_delay(int(retry.meta.get("retry_times", 1)), self.backoff_base, self.backoff_max)

    def _slot_key(self, request: Request) -> str:
        assert self.crawler.engine is not None
        return self.crawler.engine.downloader.get_slot_key(request)

    def _hold(self, key: str, until: float, status: int) -> None:
        """Nothing goes to ``key`` before ``until``, requests already queued in its slot included."""
        self._stats().inc_value(Stat.RETRY_AFTER_HONOURED)
        if until <= self.holds.get(key, 0.0):
            return
        self.holds[key] = until
        logger.info("%s answered %d with Retry-After: holding its requests for %.1fs", key, status,
                    until - time.time())  # fmt: skip
        assert self.crawler.engine is not None

        # The slot's delay timer holds its queue; it ticks, so that a stopping crawl is not kept waiting.
        def tick() -> float | None:
            remaining = self.holds.get(key, 0.0) - time.time()
            return None if remaining <= 0 or not self.crawler.crawling else min(remaining, _TICK)

        slots.hold(self.crawler.engine.downloader, key, min(max(0.0, until - time.time()), _TICK), tick)

    def _refuse_queued(self, key: str, why: str) -> None:
        """Fail the requests already waiting in ``key``'s download slot: they passed process_request
        before the site asked for its pause, and must not be sent during it either."""
        assert self.crawler.engine is not None
        for queued, waiting in slots.take_queued(self.crawler.engine.downloader, key):
            waiting.errback(RetryAfterTooLong(f"{queued.url}: {why}"))

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats
