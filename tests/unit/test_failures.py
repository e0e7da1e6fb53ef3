"""The failure taxonomy, the Retry-After parser and the backoff schedule: pure functions, table-driven."""

from __future__ import annotations

import gzip
import zlib
from email.utils import formatdate

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed, ResponseNeverReceived
from twisted.web.http import _DataLoss

from kei_crawler.middlewares.reasons import (
    OffsiteRedirect,
    RedirectLoop,
    RetryAfterTooLong,
    RobotsDisallowed,
    RobotsUnavailable,
    TooManyRedirects,
    reason_of,
)
from kei_crawler.middlewares.retry import backoff_delay, retry_after_seconds


def http_error(status: int) -> HttpError:
    return HttpError(HtmlResponse("https://keia.org/x/", status=status), "Ignoring non-200 response")


def data_loss(first: BaseException) -> ResponseDataLossError:
    """What Scrapy's HTTP/1.1 handler raises for a body cut short, with Twisted's reasons as its cause."""
    exc = ResponseDataLossError()
    exc.__cause__ = ResponseFailed([Failure(first), Failure(_DataLoss())])
    return exc


def wrapped(*reasons: BaseException) -> DownloadFailedError:
    exc = DownloadFailedError("failed")
    exc.__cause__ = ResponseNeverReceived([Failure(r) for r in reasons])
    return exc


def bad_gzip_error() -> BaseException:
    packed = bytearray(gzip.compress(b"<html>" * 100))
    for i in range(10, len(packed) - 8):
        packed[i] ^= 0x5A
    try:
        gzip.decompress(bytes(packed))
    except Exception as exc:  # the error the decoder really raises
        return exc
    raise AssertionError("scrambled gzip inflated")


def ssl_error() -> BaseException:
    from OpenSSL.SSL import Error

    return Error([("SSL routines", "", "certificate verify failed")])


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (http_error(503), "http_503"),
        (http_error(404), "http_404"),
        (http_error(429), "http_429"),
        (DownloadTimeoutError("Getting x took longer than 1 seconds."), "timeout"),
        (tx_error.TimeoutError(), "timeout"),
        (DownloadConnectionRefusedError("refused"), "connection_refused"),
        (tx_error.ConnectionRefusedError(), "connection_refused"),
        (data_loss(tx_error.ConnectionLost()), "connection_lost"),  # reset mid-body
        (data_loss(tx_error.ConnectionDone()), "data_loss"),  # closed before Content-Length was reached
        (ResponseDataLossError(), "data_loss"),
        (tx_error.ConnectionLost(), "connection_lost"),
        (wrapped(tx_error.ConnectionLost()), "connection_lost"),
        (wrapped(ssl_error()), "tls_error"),
        (ssl_error(), "tls_error"),
        (wrapped(ValueError("?")), "download_failed"),
        (DownloadFailedError("no cause"), "download_failed"),
        (bad_gzip_error(), "bad_content_encoding"),
        (zlib.error("Error -3 while decompressing data: invalid block type"), "bad_content_encoding"),
        (gzip.BadGzipFile("Not a gzipped file (b'<h')"), "bad_content_encoding"),
        (
            DownloadCancelledError(
                "Expected to receive 3000000 bytes which is larger than download max size"
            ),
            "too_large",
        ),
        (DownloadCancelledError(""), "too_large"),  # DOWNLOAD_MAXSIZE reached while receiving
        (
            IgnoreRequest(
                "Ignored <200 x> because its body exceeded DOWNLOAD_MAXSIZE (10 B) during decompression."
            ),
            "too_large",
        ),
        (CannotResolveHostError("DNS lookup failed"), "dns_error"),
        (tx_error.DNSLookupError(), "dns_error"),
        (tx_error.ConnectError(), "connection_failed"),
        (RobotsDisallowed("Forbidden by robots.txt: x"), "robots_disallowed"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots_disallowed"),
        (RobotsUnavailable("robots.txt answered 500: …"), "robots_unavailable"),
        (RedirectLoop("x: redirects back to x"), "redirect_loop"),
        (TooManyRedirects("x: more than 5"), "too_many_redirects"),
        (IgnoreRequest("max redirections reached"), "too_many_redirects"),
        (OffsiteRedirect("x: redirects to another host, y"), "offsite_redirect"),
        (IgnoreRequest("Filtered offsite request to 'example.org'"), "offsite"),
        (RetryAfterTooLong("x: 503 with Retry-After of 3600s"), "retry_after_too_long"),
        (IgnoreRequest("something else"), "ignored"),
        (ValueError("boom"), "unexpected_value_error"),
        (KeyError("k"), "unexpected_key_error"),
    ],
)
def test_reason_of(exc: BaseException, reason: str) -> None:
    assert reason_of(exc) == reason
    failure = Failure(exc)
    failure.request = Request("https://keia.org/the-peninsula/x/")  # type: ignore[attr-defined]
    assert reason_of(failure) == reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (b"", None),
        (b"1", 1.0),
        (b" 120 ", 120.0),
        ("0", 0.0),
        (b"-5", None),
        (b"soon", None),
        (b"1.5", None),  # delta-seconds are whole seconds
        (formatdate(1_000_030, usegmt=True).encode(), 30.0),
        (formatdate(999_000, usegmt=True).encode(), 0.0),  # a date in the past: no wait
        (formatdate(1_000_030, usegmt=True).removesuffix(" GMT").encode(), 30.0),  # no zone: GMT all the same
        (b"Mon, 32 Foo 2024 25:00:00 GMT", None),
    ],
)
def test_retry_after_seconds(value: bytes | str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, now=1_000_000) == expected


@pytest.mark.parametrize(
    ("attempt", "rand", "expected"),
    [
        (1, 0.0, 1.0),  # half of base·2^0
        (1, 1.0, 2.0),  # all of it
        (2, 0.0, 2.0),
        (3, 0.5, 6.0),  # 8 → between 4 and 8
        (10, 0.0, 30.0),  # capped at 60 → between 30 and 60
        (10, 1.0, 60.0),
        (10_000, 1.0, 60.0),  # no overflow however many attempts
        (0, 1.0, 0.0),
    ],
)
def test_backoff_delay(attempt: int, rand: float, expected: float) -> None:
    assert backoff_delay(attempt, base=2.0, cap=60.0, rand=lambda: rand) == expected


def test_backoff_delay_off_and_jittered() -> None:
    assert backoff_delay(3, base=0.0, cap=60.0) == 0.0
    waits = {backoff_delay(3, base=2.0, cap=60.0) for _ in range(50)}
    assert len(waits) > 1 and all(4.0 <= w <= 8.0 for w in waits)
