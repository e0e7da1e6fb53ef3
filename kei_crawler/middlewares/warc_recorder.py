"""WarcRecorder: a downloader middleware that hands every downloaded response, with the request that
fetched it, to the WarcWriter extension.

**Where the middleware sits.** ``WarcRecorder`` is at 950 in DOWNLOADER_MIDDLEWARES, nearest the
download handler: its ``process_request`` runs after every other middleware has set its headers
(User-Agent, Accept-Encoding, conditional headers), and its ``process_response`` runs first, before
HttpCompressionMiddleware (590) decodes gzip, RedirectMiddleware (600) follows a 301 and RetryMiddleware
(550) retries a 500 — so redirects, 304s, errors and every retry attempt are each recorded once, with
the body as it came off the wire (content coding kept; Twisted has already removed any chunked transfer
coding, and the connection headers Content-Length / Transfer-Encoding / Connection, so Content-Length is
restored to the recorded payload's length). Scrapy's own robots.txt request passes through here too.
Responses HttpCacheMiddleware (900) serves from its cache were not downloaded and are not recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response

from kei_crawler.extensions.warc_writer import WarcWriter
from kei_crawler.storage.warc.link import HELD_META, WARC_META
from kei_crawler.storage.warc.not_modified import Held
from kei_crawler.storage.warc.parts import Exchange

NO_BODY_STATUSES = (204, 304)


class WarcRecorder:
    def __init__(self, writer: WarcWriter) -> None:
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        writer = crawler.get_extension(WarcWriter)
        if writer is None:  # switched off (KEI_WARC_ENABLED) or not listed in EXTENSIONS
            raise NotConfigured("the WarcWriter extension is not enabled")
        return cls(writer)

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:
            return response
        link = self.writer.capture(exchange_of(request, response))
        if link is not None:
            request.meta[WARC_META] = link
        return response


def exchange_of(request: Request, response: Response) -> Exchange:
    headers = header_pairs(response.headers)
    if response.status not in NO_BODY_STATUSES and not any(k.lower() == "content-length" for k, _ in headers):
        headers.append(("Content-Length", str(len(response.body))))
    return Exchange(
        url=request.url,
        method=request.method,
        request_headers=header_pairs(request.headers),
        request_body=request.body,
        status=response.status,
        response_headers=headers,
        body=response.body,
        received_at=datetime.now(UTC),
        protocol=response.protocol or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address else None,
        held=held_of(request.meta.get(HELD_META)),
    )


def held_of(value: object) -> Held | None:
    if (
        isinstance(value, dict)
        and isinstance(value.get("file"), str)
        and isinstance(value.get("offset"), int)
    ):
        return Held(value["file"], value["offset"])
    return None


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]
