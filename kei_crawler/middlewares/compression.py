"""A body that does not inflate is retried, like a connection that broke, before it is reported.

Scrapy's HttpCompressionMiddleware lets the decoder's error escape (``zlib.error``, ``BadGzipFile``, …),
and an exception from ``process_response`` goes straight to the errback: no retry. Corrupt gzip is more
often a proxy or CDN cutting a stream than a page that is broken for good, so it earns the same retries
and backoff as a reset; when they run out, the error reaches the spider as ``bad_content_encoding``.
"""

from __future__ import annotations

import struct
import time
import zlib
from typing import TYPE_CHECKING

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response

from kei_crawler.config import KeiConfig
from kei_crawler.extensions.run_owner import config_of
from kei_crawler.middlewares.retry import NOT_BEFORE, backoff_delay

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

DECODE_ERRORS = (zlib.error, EOFError, struct.error, OSError)  # gzip.BadGzipFile is an OSError


class RetryingHttpCompressionMiddleware(HttpCompressionMiddleware):
    crawler: Crawler
    config: KeiConfig

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryingHttpCompressionMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler
        middleware.config = config_of(crawler)
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except DECODE_ERRORS:
            if request.meta.get("dont_retry") or not self.crawler.settings.getbool("RETRY_ENABLED"):
                raise
            assert self.crawler.spider is not None
            retry = get_retry_request(request, spider=self.crawler.spider, reason="bad_content_encoding")
            if retry is None:
                raise  # retries spent: the spider's errback reports bad_content_encoding
            config = self.config
            wait = backoff_delay(
                int(retry.meta.get("retry_times", 1)), config.retry_backoff_base, config.retry_backoff_max
            )
            retry.meta[NOT_BEFORE] = time.time() + wait
            return retry
