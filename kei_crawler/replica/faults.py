"""Faults the replica can inject: what a real site does on a bad day, for the reliability tests.

A ``FaultPlan`` says which requests go wrong: rules per path ("``/robots.txt`` answers 500", "this brief
answers 503 twice, then recovers") and, optionally, random faults at a rate, chosen per path from a seed.
The choice depends only on the seed and the path, never on the order requests arrive in, so a crawl at
any concurrency meets the same faults. Every injection is logged, so a test can compare what the crawler
reports with what was done to it.

Faults that live in the HTTP exchange itself — a reset connection, a stalled or truncated body, corrupt
gzip — are written straight to the socket by ``serve``; the rest are ordinary responses.
"""

from __future__ import annotations

import gzip
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

from kei_crawler.replica import pages

if TYPE_CHECKING:
    from kei_crawler.replica.content import Site

Response = tuple[int, dict[str, str], bytes]
HTML = "text/html; charset=utf-8"


class Fault(StrEnum):
    HTTP_500 = "500"
    HTTP_502 = "502"
    HTTP_503 = "503"
    RATE_LIMITED = "429"
    RESET = "reset"  # the connection is reset halfway through the body
    STALL = "stall"  # headers sent, then nothing for ``param`` seconds (default 30)
    TRUNCATED = "truncated"  # Content-Length promises more than is sent before the connection closes
    BAD_GZIP = "bad-gzip"  # Content-Encoding: gzip over bytes that do not inflate
    REDIRECT_LOOP = "redirect-loop"  # two URLs redirecting to each other
    SELF_REDIRECT = "self-redirect"  # a URL redirecting to itself
    OFFSITE_REDIRECT = "offsite-redirect"  # a redirect to ``param`` (default another host)
    CHARSET_LIE = "charset-lie"  # windows-1252 bytes under a header saying UTF-8
    EMPTY = "empty"  # 200 with no body at all
    LOGIN_PAGE = "login"  # 200: a sign-in wall instead of the page
    SOFT_404 = "soft-404"  # 200: the site's "page not found" page
    HUGE = "huge"  # a 200 of ``param`` bytes (default 20 MiB)
    SELF_LINKING_LISTING = "self-linking"  # a listing page that links to itself and to page 9999
    ROBOTS_DISALLOW = "robots-disallow"  # robots.txt disallowing ``param`` (default one brief's path)


# Faults that clear when retried; the default mix for random faults.
TRANSIENT = (
    Fault.HTTP_500,
    Fault.HTTP_502,
    Fault.HTTP_503,
    Fault.RATE_LIMITED,
    Fault.RESET,
    Fault.TRUNCATED,
    Fault.BAD_GZIP,
)
# Faults that are the page's answer, however often it is asked.
PERMANENT = (Fault.EMPTY, Fault.LOGIN_PAGE, Fault.SOFT_404, Fault.CHARSET_LIE, Fault.HTTP_500)
OFFSITE = "http://offsite.invalid"


@dataclass(frozen=True)
class FaultRule:
    fault: Fault
    times: int | None = None
    """The first ``times`` requests for the path get the fault, later ones the real page; None: all."""
    retry_after: str | None = None
    """Retry-After header value for 429/5xx (seconds or an HTTP date); None: no header."""
    param: str | None = None
    """The fault's parameter: stall seconds, huge size in bytes, redirect target, disallowed path."""


@dataclass(frozen=True)
class Injection:
    path: str
    rule: FaultRule
    attempt: int
    """1 for the first request of this path."""


@dataclass
class FaultPlan:
    """Which requests go wrong. ``rules`` match a path with its query first, then the path alone."""

    rules: dict[str, FaultRule] = field(default_factory=dict)
    rate: float = 0.0
    """Share of paths (other than robots.txt) given a random fault."""
    seed: int = 0
    kinds: tuple[Fault, ...] = TRANSIENT
    """Random faults are drawn from these."""
    permanent_share: float = 0.0
    """Share of random faults drawn from PERMANENT instead, and never clearing (brief pages only)."""
    random_times: int = 1
    """How many requests a random transient fault lasts."""
    retry_after: str | None = None
    """Retry-After sent with random 429/503 faults."""
    _attempts: Counter[str] = field(default_factory=Counter, init=False, repr=False)
    _injected: list[Injection] = field(default_factory=list, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def pick(self, path_and_query: str) -> Injection | None:
        """The fault for this request, if any (and count the attempt)."""
        with self._lock:
            self._attempts[path_and_query] += 1
            attempt = self._attempts[path_and_query]
            rule = self.rule_for(path_and_query)
            if rule is None or (rule.times is not None and attempt > rule.times):
                return None
            injection = Injection(path_and_query, rule, attempt)
            self._injected.append(injection)
            return injection

    def rule_for(self, path_and_query: str) -> FaultRule | None:
        path = path_and_query.split("?", 1)[0]
        rule = self.rules.get(path_and_query) or self.rules.get(path)
        if rule is not None or not self.rate or path == "/robots.txt":
            return rule
        # Seeded by the path alone: the same faults whatever order the crawler asks in.
        rng = random.Random(f"{self.seed}:{path_and_query}")
        if rng.random() >= self.rate:
            return None
        if self.permanent_share and _is_brief_path(path) and rng.random() < self.permanent_share:
            return FaultRule(rng.choice(PERMANENT))
        fault = rng.choice(self.kinds)
        retry_after = self.retry_after if fault in (Fault.RATE_LIMITED, Fault.HTTP_503) else None
        return FaultRule(fault, times=self.random_times, retry_after=retry_after)

    @property
    def injected(self) -> list[Injection]:
        """Every fault served, oldest first."""
        with self._lock:
            return list(self._injected)

    def faulty_paths(self, paths: Iterable[str]) -> dict[str, FaultRule]:
        """The rule each of ``paths`` meets (random ones included), for a test's expectations."""
        return {p: rule for p in paths if (rule := self.rule_for(p)) is not None}


def _is_brief_path(path: str) -> bool:
    parts = [p for p in path.split("/") if p]
    return len(parts) == 2 and parts[0] == "the-peninsula" and parts[1] != "page"


def serve(
    injection: Injection, handler: BaseHTTPRequestHandler, site: Site, base_url: str, send_body: bool
) -> int:
    """Answer ``handler``'s request with the fault; returns the status sent (0: none, the socket broke)."""
    rule, path = injection.rule, injection.path
    fault = rule.fault
    if fault in _SOCKET_FAULTS:
        return _SOCKET_FAULTS[fault](handler, site.render(path, base_url), rule)
    status, headers, body = _response(fault, rule, path, site, base_url)
    _send(handler, status, headers, body if send_body else b"", content_length=len(body))
    return status


def _response(fault: Fault, rule: FaultRule, path: str, site: Site, base_url: str) -> Response:
    if fault in (Fault.HTTP_500, Fault.HTTP_502, Fault.HTTP_503, Fault.RATE_LIMITED):
        headers = {"Content-Type": HTML}
        if rule.retry_after is not None:
            headers["Retry-After"] = rule.retry_after
        return int(fault.value), headers, f"<html><body><h1>Error {fault.value}</h1></body></html>".encode()
    if fault is Fault.REDIRECT_LOOP:
        # /x/ -> /x/?loop=1 -> /x/ -> ...: two URLs, each sending the crawler to the other.
        bare = path.split("?", 1)[0]
        target = bare if "loop=1" in path else f"{bare}?loop=1"
        return 302, {"Location": base_url + target, "Content-Type": HTML}, b""
    if fault is Fault.SELF_REDIRECT:
        return 302, {"Location": base_url + path, "Content-Type": HTML}, b""
    if fault is Fault.OFFSITE_REDIRECT:
        target = rule.param or OFFSITE
        return 301, {"Location": target.rstrip("/") + path, "Content-Type": HTML}, b""
    if fault is Fault.CHARSET_LIE:
        status, headers, body = site.render(path, base_url)
        lied = body.decode("utf-8").encode("windows-1252", errors="replace")
        return status, {**headers, "Content-Type": HTML}, lied
    if fault is Fault.EMPTY:
        return 200, {"Content-Type": HTML}, b""
    if fault is Fault.LOGIN_PAGE:
        return 200, {"Content-Type": HTML}, pages.LOGIN_PAGE
    if fault is Fault.SOFT_404:
        _status, headers, body = site.render("/no-such-page-anywhere/", base_url)
        return 200, headers, body
    if fault is Fault.HUGE:
        size = int(rule.param or 20 * 1024 * 1024)
        head = b"<!doctype html><html><head><title>Huge</title></head><body><p>"
        tail = b"</p></body></html>"
        return 200, {"Content-Type": HTML}, head + b"x" * max(0, size - len(head) - len(tail)) + tail
    if fault is Fault.SELF_LINKING_LISTING:
        status, headers, body = site.render(path, base_url)
        bare = path.split("?", 1)[0]
        links = (
            f'<a href="{base_url}{path}">this page again</a>'
            f'<a href="{base_url}{bare}?post%5Bpaged%5D=9999">9999</a>'
            f'<a href="{base_url}/the-peninsula/page/9999/">9999</a>'
        ).encode()
        return status, headers, body.replace(b"</body>", links + b"</body>", 1)
    if fault is Fault.ROBOTS_DISALLOW:
        disallowed = rule.param or "/the-peninsula/private/"
        robots = f"User-agent: *\nDisallow: {disallowed}\n"
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, robots.encode()
    raise ValueError(f"not a response fault: {fault}")


def _send(
    handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes, content_length: int
) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(content_length))
    handler.end_headers()
    if body:
        handler.wfile.write(body)


def _reset(handler: BaseHTTPRequestHandler, page: Response, rule: FaultRule) -> int:
    status, headers, body = page
    _send(handler, status, headers, body[: len(body) // 2], content_length=len(body))
    handler.wfile.flush()
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN: a reset, not an orderly end.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True
    return status


def _truncated(handler: BaseHTTPRequestHandler, page: Response, rule: FaultRule) -> int:
    status, headers, body = page
    _send(handler, status, headers, body, content_length=len(body) + 4096)
    handler.wfile.flush()
    handler.connection.shutdown(socket.SHUT_RDWR)
    handler.close_connection = True
    return status


def _stall(handler: BaseHTTPRequestHandler, page: Response, rule: FaultRule) -> int:
    status, headers, body = page
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body[:100])
    handler.wfile.flush()
    time.sleep(float(rule.param or 30))
    handler.close_connection = True
    return status


def _bad_gzip(handler: BaseHTTPRequestHandler, page: Response, rule: FaultRule) -> int:
    status, headers, body = page
    packed = bytearray(gzip.compress(body))
    # Keep the gzip header, scramble the deflate stream: the client knows it is gzip and cannot inflate it.
    for i in range(10, len(packed) - 8):
        packed[i] ^= 0x5A
    _send(handler, status, {**headers, "Content-Encoding": "gzip"}, bytes(packed), len(packed))
    return status


_SOCKET_FAULTS: dict[Fault, Callable[[BaseHTTPRequestHandler, Response, FaultRule], int]] = {
    Fault.RESET: _reset,
    Fault.TRUNCATED: _truncated,
    Fault.STALL: _stall,
    Fault.BAD_GZIP: _bad_gzip,
}


def parse_rule(text: str) -> tuple[str, FaultRule]:
    """``PATH=FAULT[:TIMES][,retry-after=S][,param=P]`` (the replica's ``--fault`` option)."""
    match = re.fullmatch(
        r"(?P<path>/[^=]*)=(?P<fault>[\w-]+)(?::(?P<times>\d+))?(?P<opts>(,[\w-]+=[^,]*)*)", text
    )
    if match is None:
        raise ValueError(f"not PATH=FAULT[:TIMES][,retry-after=S][,param=P]: {text!r}")
    try:
        fault = Fault(match["fault"])
    except ValueError:
        raise ValueError(
            f"unknown fault {match['fault']!r}; one of: {', '.join(f.value for f in Fault)}"
        ) from None
    opts = dict(opt.split("=", 1) for opt in match["opts"].split(",") if opt)
    unknown = set(opts) - {"retry-after", "param"}
    if unknown:
        raise ValueError(f"unknown fault option(s): {', '.join(sorted(unknown))}")
    times = int(match["times"]) if match["times"] else None
    return match["path"], FaultRule(fault, times, opts.get("retry-after"), opts.get("param"))
