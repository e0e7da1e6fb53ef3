"""A crawl of the replica with what an archive must keep (retries, a 404, a 301, a revisit, a gzip body),
and what it left: shared by the WARC tests and the reextract tests (``crawled`` in tests/e2e/conftest.py)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import store

HTML = {"Content-Type": "text/html; charset=utf-8"}


class ArchivedSite:
    """The replica with the cases an archive must keep: an error retried (the same payload four times,
    so revisits), a 404, a 301 to a moved brief, one brief's bytes served again under a second URL (a
    revisit of a 200) and one served gzip-encoded."""

    def __init__(self, site: Any) -> None:
        self.site = site
        paths = [b.path for b in site.briefs if b.slug != "renewed-south-korea-mexico-ties"]
        self.failing, self.missing, self.moved, self.copied, self.original, self.zipped = paths[3:9]
        self.moved_to = self.moved.rstrip("/") + "-moved/"

    def render(self, path_and_query: str, base_url: str) -> tuple[int, dict[str, str], bytes]:
        path = path_and_query.split("?")[0]
        if path == self.failing:
            return 500, HTML, b"<html><body>Internal error</body></html>"
        if path == self.missing:
            return 404, HTML, b"<html><body>Not found</body></html>"
        if path == self.moved:
            return 301, {**HTML, "Location": base_url.rstrip("/") + self.moved_to}, b""
        if path == self.moved_to:
            return self.site.render(self.moved, base_url)
        if path == self.copied:
            return self.site.render(self.original, base_url)
        if path == self.zipped:
            status, headers, body = self.site.render(path, base_url)
            return status, {**headers, "Content-Encoding": "gzip"}, gzip.compress(body, mtime=0)
        return self.site.render(path_and_query, base_url)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)


@dataclass
class Crawled:
    site: ArchivedSite
    base_url: str
    out: Path
    requests: list[Any]
    stderr: str

    @property
    def warc(self) -> Path:
        (path,) = OutputLayout.of(self.out).warc.glob("*.warc.gz")
        return path

    @property
    def snapshot(self) -> Path:
        ref = store.latest(self.out)
        assert ref is not None
        return ref.path

    def records(self) -> list[dict[str, Any]]:
        found = []
        with open(self.warc, "rb") as stream:
            for record in ArchiveIterator(stream):
                found.append({
                    "type": record.rec_type,
                    "headers": dict(record.rec_headers.headers),
                    "http": record.http_headers,
                    "raw": record.raw_stream.read(),
                })  # fmt: skip
        return found
