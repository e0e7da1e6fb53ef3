"""Why a request failed, as one stable word: the reasons the run manifest, the stats and docs/operations.md use.

``reason_of`` turns whatever Scrapy, Twisted or one of our middlewares hands an errback into one of a
fixed set of reasons (``http_503``, ``timeout``, ``connection_lost``, ``robots_disallowed`` …), so a
scheduler or an archivist can count and compare runs by them. The refusals our own middlewares make are
``Refusal`` subclasses that carry their reason; everything else is matched by type, in the order of
``_BY_TYPE``. A failure nothing matches still gets a stable name, ``unexpected_<exception_name>``.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from twisted.internet import error as tx_error
from twisted.internet.defer import TimeoutError as TxDeferTimeoutError
from twisted.web.client import ResponseFailed


class Refusal(IgnoreRequest):
    """A request one of our middlewares will not send, or a response it will not accept, for ``reason``."""

    reason = "refused"


class PutBack(IgnoreRequest):
    """A request a stopping crawl took back before sending it: it is in the job's queue again, for
    ``--resume``. Not a failure: the spider's errbacks let it pass without a word."""


class RobotsDisallowed(Refusal):
    reason = "robots_disallowed"


class RobotsUnavailable(Refusal):
    """robots.txt could not be fetched (5xx, unreachable): RFC 9309 says assume complete disallow."""

    reason = "robots_unavailable"


class RedirectLoop(Refusal):
    reason = "redirect_loop"


class TooManyRedirects(Refusal):
    reason = "too_many_redirects"


class OffsiteRedirect(Refusal):
    reason = "offsite_redirect"


class RetryAfterTooLong(Refusal):
    """The site asked for a pause longer than KEI_RETRY_MAX_WAIT."""

    reason = "retry_after_too_long"


def _ssl_errors() -> tuple[type[BaseException], ...]:
    try:
        from OpenSSL.SSL import Error as OpenSSLError
    except ImportError:  # pragma: no cover - pyOpenSSL comes with Scrapy
        return (tx_error.SSLError,)
    return (tx_error.SSLError, OpenSSLError)


_TLS = _ssl_errors()

# First match wins, so specific types come before the ones they derive from.
_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, tx_error.TimeoutError, TxDeferTimeoutError, TimeoutError), "timeout"),
    ((DownloadConnectionRefusedError, tx_error.ConnectionRefusedError), "connection_refused"),
    ((CannotResolveHostError, tx_error.DNSLookupError), "dns_error"),
    # Scrapy's HTTP/1.1 handler cancels a download for one reason other than its timeout: DOWNLOAD_MAXSIZE,
    # announced by Content-Length or reached while receiving (the latter with no message at all).
    ((DownloadCancelledError,), "too_large"),
    # HttpCompressionMiddleware lets the decoder's own error through when gzip/deflate/brotli do not inflate.
    ((zlib.error, EOFError, struct.error), "bad_content_encoding"),
    (_TLS, "tls_error"),
    ((tx_error.ConnectionLost, tx_error.ConnectionDone), "connection_lost"),
    ((tx_error.ConnectError,), "connection_failed"),
    ((UnsupportedURLSchemeError,), "unsupported_scheme"),
    # ResponseFailed (and ResponseNeverReceived) wrap the reasons Twisted saw; see _wrapped_reason.
    ((ResponseFailed, DownloadFailedError), "download_failed"),
)

# Scrapy's own IgnoreRequest messages, for the refusals it makes itself (DOWNLOAD_MAXSIZE while decoding).
_BY_MESSAGE: tuple[tuple[str, str], ...] = (
    ("Forbidden by robots.txt", "robots_disallowed"),
    ("max redirections reached", "too_many_redirects"),
    ("exceeded DOWNLOAD_MAXSIZE", "too_large"),
    ("Filtered offsite request", "offsite"),
)


def reason_of(failure: Any) -> str:
    """The reason for an errback's ``failure`` (a Twisted Failure or the exception itself)."""
    exc = getattr(failure, "value", failure)
    response = getattr(exc, "response", None)
    status = getattr(response, "status", None)
    if isinstance(status, int):
        return f"http_{status}"
    if isinstance(exc, Refusal):
        return exc.reason
    if isinstance(exc, ResponseDataLossError):
        return _data_loss_reason(exc)
    if isinstance(exc, OSError) and type(exc).__name__ == "BadGzipFile":
        return "bad_content_encoding"
    for types, reason in _BY_TYPE:
        if isinstance(exc, types):
            return _wrapped_reason(exc) if reason == "download_failed" else reason
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        return next((reason for text, reason in _BY_MESSAGE if text in message), "ignored")
    return "unexpected_" + _snake(type(exc).__name__)


def detail_of(failure: Any) -> str | None:
    """The exception's own words, one line; none for an HTTP status (the reason says it all)."""
    exc = getattr(failure, "value", failure)
    if getattr(exc, "response", None) is not None:
        return None
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else None


def _data_loss_reason(exc: ResponseDataLossError) -> str:
    """A body shorter than promised: a reset connection, or an orderly close too early (data_loss)."""
    cause = exc.__cause__
    for reason in getattr(cause, "reasons", None) or []:
        if getattr(reason, "check", None) and reason.check(tx_error.ConnectionLost):
            return "connection_lost"
    return "data_loss"


def _wrapped_reason(exc: BaseException) -> str:
    """ResponseFailed / DownloadFailedError wrap Twisted's reasons; name the first one we know."""
    inner = exc.__cause__ if isinstance(exc, DownloadFailedError) else exc
    for reason in getattr(inner, "reasons", None) or []:
        found = reason_of(reason)
        if not found.startswith("unexpected_") and found != "download_failed":
            return found
    return "download_failed"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
