"""The replica with chosen pages replaced: what the e2e tests serve to put bad pages among good ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.content import Site
from kei_crawler.run.outcome import ExitCode
from tests.support.crawling import run_crawl

Rendered = tuple[int, dict[str, str], bytes]


class FaultySite:
    """The replica, except that chosen brief paths answer with what a test tells them to."""

    def __init__(self, site: Any, faults: dict[str, Callable[[str, str], Rendered]]) -> None:
        self.site = site
        self.faults = faults

    def render(self, path_and_query: str, base_url: str) -> Rendered:
        fault = self.faults.get(path_and_query.split("?")[0])
        return fault(path_and_query, base_url) if fault else self.site.render(path_and_query, base_url)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)


def status(code: int) -> Callable[[str, str], Rendered]:
    return lambda _path, _base: (code, {"Content-Type": "text/html; charset=utf-8"}, b"<html>error</html>")


@dataclass
class Archived:
    """A replica served with no fault yet (``faulty.faults`` takes them) and an archive of one crawl."""

    site: Site
    faulty: FaultySite
    server: ReplicaServer
    out: Path


@contextmanager
def archived_replica(out: Path, briefs: int) -> Iterator[Archived]:
    """A replica of ``briefs`` briefs (flat theme: the date is plain text) and a first crawl of it (exit 0:
    the first crawl always finds something)."""
    site = build_site(briefs, theme="flat")
    faulty = FaultySite(site, {})
    server = ReplicaServer(faulty)  # type: ignore[arg-type]
    server.start()
    try:
        first = run_crawl(server.base_url, out)
        assert first.returncode == ExitCode.OK, first.stderr[-2000:]
        yield Archived(site, faulty, server, out)
    finally:
        server.stop()
