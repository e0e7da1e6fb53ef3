"""The replica served over real HTTP on 127.0.0.1, with a request log tests can read.

Only socket concerns live here (HEAD, conditional requests, delay, logging); what a URL answers is
``Site.render``'s business, so a test may mutate the site between two requests and see the effect.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from kei_crawler.replica.content import Site
from kei_crawler.replica.faults import FaultPlan, serve


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    """Path and query exactly as requested."""
    status: int
    """The status sent; 0 when a fault was injected instead (see ``fault``)."""
    headers: dict[str, str]
    timestamp: float
    """``time.time()`` when the response was sent."""
    fault: str | None = None
    """The fault injected into this response (``faults.Fault`` value), if any."""


def _not_modified(request_headers: Any, response_headers: dict[str, str]) -> bool:
    """RFC 9110: If-None-Match decides when present; If-Modified-Since only without it."""
    etag = response_headers.get("ETag")
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        if etag is None:
            return False
        candidates = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in candidates or etag in candidates
    last_modified = response_headers.get("Last-Modified")
    if_modified_since = request_headers.get("If-Modified-Since")
    if last_modified is None or if_modified_since is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        owner = self.server.owner
        if owner.delay:
            time.sleep(owner.delay)
        injection = owner.faults.pick(self.path) if owner.faults is not None else None
        if injection is not None:
            fault = injection.rule.fault
            # Logged first: a stalled or reset response may never finish being sent.
            owner.log(
                RequestRecord(self.command, self.path, 0, dict(self.headers.items()), time.time(), fault)
            )
            serve(injection, self, owner.site, owner.base_url, send_body=self.command != "HEAD")
            return
        status, headers, body = owner.site.render(self.path, owner.base_url)
        if status == 200 and _not_modified(self.headers, headers):
            status, body = 304, b""
            headers = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
        # Logged before the reply goes out, so a client that has its answer also finds it in the log.
        owner.log(RequestRecord(self.command, self.path, status, dict(self.headers.items()), time.time()))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read ``ReplicaServer.requests`` instead of stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a crawler opening 16 connections at once overflows it,
    # and the kernel drops the extra SYNs, which the client resends only after a second.
    request_queue_size = 128
    owner: ReplicaServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Silent: a crawler killed mid-download resets its connections; that is the test, not an error."""


class ReplicaServer:
    """``site`` served on ``http://127.0.0.1:<port>`` from a daemon thread (port 0: any free port),
    with ``faults`` injected when a plan is given (``replica.faults``)."""

    def __init__(
        self,
        site: Site,
        *,
        delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultPlan | None = None,
    ) -> None:
        self.site = site
        self.delay = delay
        self.faults = faults
        self.host = host
        self.port = port
        self.base_url = ""
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()

    def start(self) -> str:
        """Start serving and return the base URL, e.g. ``http://127.0.0.1:54321``."""
        if self._httpd is not None:
            return self.base_url
        httpd = _Server((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="replica-server", daemon=True)
        self._thread.start()
        return self.base_url

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the ``python -m`` entry point)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def log(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._log.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def __enter__(self) -> ReplicaServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
