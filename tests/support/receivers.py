"""Notification receivers on 127.0.0.1: a real SMTP server (aiosmtpd) and an HTTP webhook receiver.

Each keeps what it received and can be told to fail, so a test sees exactly what ``notify`` delivered.
"""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

SENDER, RECIPIENT = "kei-crawler@example.org", "monitor@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailServer:
    """aiosmtpd on 127.0.0.1; ``messages`` holds each mail received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(message_from_bytes(content, policy=policy.default))
        return "250 Message accepted for delivery"

    @property
    def url(self) -> str:
        """The Apprise URL of this server: plain SMTP, no login."""
        return f"mailto://127.0.0.1:{self.controller.port}?from={SENDER}&to={RECIPIENT}"

    def texts(self) -> list[str]:
        """Each message's subject and every text part (plain and HTML), as one string."""
        out = []
        for message in self.messages:
            parts = [str(message["subject"])]
            for part in message.walk():
                if part.get_content_maintype() == "text":
                    parts.append(part.get_content())
            out.append("\n".join(parts))
        return out

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class Webhook:
    """An HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it, or answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if webhook.status == 200:
                    webhook.received.append(json.loads(body))
                self.send_response(webhook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The Apprise URL posting to this receiver (``json://``: title, message, type as JSON)."""
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
