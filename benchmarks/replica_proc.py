"""The replica for crawl benchmarks: its own process, answers pre-rendered, so it measures the crawler.

``kei_crawler.replica.ReplicaServer`` runs in the test's process on ``http.server`` threads, rendering
each page on request: right for tests (a test mutates the site between two requests and sees it), wrong
for timing a crawler — it shares the crawler's GIL when run in-process, and on two cores every
millisecond it spends is one the crawler may wait for. This server is a separate process serving the
same ``Site``'s bytes (``Site.render``, so the same statuses, headers and bodies, 304s included) from a
cache filled before the clock starts: each answer is one dict lookup and one write on an asyncio
event loop. Both the bare spider and ours crawl the same server, so whatever it costs, it costs both.

Driven over its stdin/stdout, one JSON object per line (``ReplicaProcess`` is the client): the log of
requests (method, target, status — the URL list the bare spider replays), mutations (publish, edit,
remove: the cache is rebuilt), and its own CPU time.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any

from kei_crawler.replica import build_site
from kei_crawler.replica.content import Site
from kei_crawler.replica.listing import PER_PAGE, page_url
from kei_crawler.replica.server import _not_modified

HOST = "127.0.0.1"
Entry = tuple[int, dict[str, str], bytes, bytes]  # status, headers, body, the head before Date/length


def head_of(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Server: Apache"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


class Pages:
    """``Site.render`` behind a cache keyed by the request target exactly as sent."""

    def __init__(self, site: Site, base_url: str, *, prerender: bool) -> None:
        self.site = site
        self.base_url = base_url
        self.prerender = prerender
        self.cache: dict[str, Entry] = {}
        self.misses = 0  # targets rendered while a crawl waited: should stay 0 when prerendering
        self.fill()

    def targets(self) -> list[str]:
        """What a crawl of the whole site asks for: robots.txt, every listing page, every brief."""
        pages = -(-len(self.site.briefs) // PER_PAGE)
        listing = [page_url(self.site.pagination, n) for n in range(1, pages + 1)]
        # The crawler drops the site's trailing "&" (urls.canonical_listing_url); keep both forms.
        listing += [target.rstrip("&") for target in listing if target.endswith("&")]
        return ["/robots.txt", *listing, *(brief.path for brief in self.site.briefs)]

    def fill(self) -> None:
        self.cache.clear()
        if self.prerender:
            for target in self.targets():
                self.cache[target] = self.render(target)
        self.misses = 0

    def render(self, target: str) -> Entry:
        status, headers, body = self.site.render(target, self.base_url)
        return status, headers, body, head_of(status, headers)

    def get(self, target: str) -> Entry:
        entry = self.cache.get(target)
        if entry is None:
            self.misses += 1
            entry = self.render(target)
            if self.prerender:
                self.cache[target] = entry
        return entry


class HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, GET and HEAD, as much as a crawler needs and nothing more."""

    def __init__(self, server: BenchServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            self.respond(head)

    def respond(self, head: bytes) -> None:
        assert self.transport is not None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        status, headers, body, response_head = self.server.pages.get(target)
        if status == 200 and ("ETag" in headers or "Last-Modified" in headers):
            conditional = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() in ("if-none-match", "if-modified-since"):
                    conditional["-".join(p.capitalize() for p in name.strip().split("-"))] = value.strip()
            if conditional and _not_modified(conditional, headers):
                status, body = 304, b""
                kept = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
                response_head = head_of(304, kept)
        self.server.log.append((method, target, status))
        length = b"" if status == 304 else b"Content-Length: %d\r\n" % len(body)
        parts = [response_head, self.server.date(), length, b"\r\n"]
        if method != "HEAD" and status != 304:
            parts.append(body)
        self.transport.write(b"".join(parts))


class BenchServer:
    def __init__(self, site: Site, *, prerender: bool) -> None:
        self.site = site
        self.prerender = prerender
        self.log: list[tuple[str, str, int]] = []
        self.connections = 0  # a crawler keeping its connections alive opens a handful
        self.pages: Pages
        self._date = (0, b"")

    def date(self) -> bytes:
        now = int(time.time())
        if now != self._date[0]:
            self._date = (now, f"Date: {formatdate(now, usegmt=True)}\r\n".encode("latin-1"))
        return self._date[1]

    def command(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request["cmd"]
        if name == "log":
            return {"requests": self.log}
        if name == "clear":
            self.log = []
            return {}
        if name == "stats":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return {"cpu": usage.ru_utime + usage.ru_stime, "misses": self.pages.misses,
                    "cached": len(self.pages.cache), "requests": len(self.log),
                    "connections": self.connections}  # fmt: skip
        if name == "publish":
            self.site.publish(int(request["n"]))
        elif name == "edit":
            self.site.edit(self.site.briefs[int(request["index"])].slug)
        elif name == "remove":
            self.site.remove(self.site.briefs[int(request["index"])].slug)
        else:
            return {"error": f"unknown command {name!r}"}
        self.pages.fill()
        return {}

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: HttpProtocol(self), HOST, 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        self.pages = Pages(self.site, f"http://{HOST}:{port}", prerender=self.prerender)
        print(json.dumps({"base_url": self.pages.base_url, "cached": len(self.pages.cache)}), flush=True)
        done = loop.create_future()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while not done.done():
            line = await reader.readline()
            if not line or json.loads(line)["cmd"] == "quit":
                break
            print(json.dumps(self.command(json.loads(line))), flush=True)
        server.close()


def main(argv: list[str]) -> int:
    briefs, theme, prerender = int(argv[0]), argv[1], argv[2] == "prerender"
    sitemaps, feed = (argv[3], argv[4] == "feed") if len(argv) > 4 else ("none", False)
    site = build_site(briefs, theme=theme, sitemaps=sitemaps, feed=feed)
    asyncio.run(BenchServer(site, prerender=prerender).serve())
    return 0


class ReplicaProcess:
    """The client: ``with ReplicaProcess(6384) as replica: crawl(replica.base_url)``."""

    def __init__(
        self, briefs: int, *, theme: str = "modern", prerender: bool = True, sitemaps: str = "none",
        feed: bool = False,
    ) -> None:  # fmt: skip
        # sitemaps and feed: what the site publishes besides its pages (replica.build_site's arguments).
        self.argv = [sys.executable, "-m", "benchmarks.replica_proc", str(briefs), theme,
                     "prerender" if prerender else "lazy", sitemaps, "feed" if feed else "no-feed"]  # fmt: skip
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> ReplicaProcess:
        root = Path(__file__).resolve().parent.parent
        self.process = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        cwd=root)  # fmt: skip
        self.base_url = self._read()["base_url"]
        return self

    def _read(self) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the replica process exited ({self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def command(self, cmd: str, **args: Any) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def requests(self) -> list[tuple[str, str, int]]:
        return [(m, t, int(s)) for m, t, s in self.command("log")["requests"]]

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.process is None:
            return
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.process = None


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
