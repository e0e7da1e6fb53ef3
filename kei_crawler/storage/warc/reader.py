"""Archived responses read back from WARC files, as Scrapy would have handed them to the spider.

Files are read in the order their crawl wrote them (by their warcinfo's date, so a resumed crawl's
``-1`` part follows the first), records in file order — the order the crawl received the responses.
A ``revisit`` gets the payload of the capture it refers to (by payload digest, in any of the files
given, or in another WARC of the same ``warc/`` folder, found through its CDXJ index). The body is
decoded from its content coding (gzip …) as HttpCompressionMiddleware does during a crawl; the chain of
3xx records that led to a response is kept, as RedirectMiddleware keeps ``redirect_urls``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from kei_crawler.storage.warc.cdx import SUFFIX, read_cdxj
from kei_crawler.storage.warc.link import WarcLink

_DROPPED_BY_DECODING = ("content-encoding", "content-length")


class WarcReadError(Exception):
    """A file that is not a readable WARC, or a revisit whose payload cannot be found; one line."""


@dataclass
class ArchivedResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    link: WarcLink
    redirect_urls: list[str] = field(default_factory=list)
    """The URLs that redirected here, first one first (empty when none did)."""

    @property
    def requested_url(self) -> str:
        """The URL first requested: where the chain of redirects began."""
        return self.redirect_urls[0] if self.redirect_urls else self.url


@dataclass(frozen=True)
class WarcSource:
    path: Path
    crawl_id: str
    base_url: str
    date: str


def describe(path: Path) -> WarcSource:
    """The crawl a WARC belongs to, from its warcinfo record."""
    try:
        with open(path, "rb") as stream:
            first = next(iter(ArchiveIterator(stream)), None)
            if first is None or first.rec_type != "warcinfo":
                raise WarcReadError(f"{path}: does not begin with a warcinfo record")
            fields = dict(
                line.split(": ", 1)
                for line in first.content_stream().read().decode("utf-8", "replace").splitlines()
                if ": " in line
            )
            date = first.rec_headers.get_header("WARC-Date") or ""
    except (OSError, ArchiveLoadFailed, ValueError) as exc:
        raise WarcReadError(f"{path}: not a readable WARC ({exc})") from exc
    return WarcSource(path, fields.get("isPartOf", ""), fields.get("kei-base-url", ""), date)


class PayloadLocator:
    """Where the payload with a given digest was captured: the files read so far, then sibling WARCs."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[Path, int]] = {}
        self._indexed_dirs: set[Path] = set()

    def add(self, digest: str, path: Path, offset: int) -> None:
        self.seen.setdefault(digest, (path, offset))

    def payload(self, digest: str, near: Path) -> bytes:
        if digest not in self.seen:
            self._index_siblings(near.parent)
        if digest not in self.seen:
            raise WarcReadError(f"{near}: a revisit refers to payload {digest}, in none of the WARCs given")
        path, offset = self.seen[digest]
        with open(path, "rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            return bytes(record.content_stream().read())

    def _index_siblings(self, directory: Path) -> None:
        if directory in self._indexed_dirs:
            return
        self._indexed_dirs.add(directory)
        for index in sorted(directory.glob(f"*{SUFFIX}")):
            for _key, _ts, fields in read_cdxj(index):
                if fields.get("mime") != "warc/revisit" and fields.get("digest"):
                    self.add(fields["digest"], directory / fields["filename"], int(fields["offset"]))


def read_responses(paths: list[Path]) -> Iterator[ArchivedResponse]:
    """Every response and revisit in ``paths``, in capture order."""
    sources = sorted((describe(p) for p in paths), key=lambda s: (s.date, s.path.name))
    locator = PayloadLocator()
    redirected_from: dict[str, str] = {}
    for source in sources:
        try:
            yield from _read_file(source.path, locator, redirected_from)
        except ArchiveLoadFailed as exc:
            raise WarcReadError(f"{source.path}: not a readable WARC ({exc})") from exc


def _read_file(
    path: Path, locator: PayloadLocator, redirected_from: dict[str, str]
) -> Iterator[ArchivedResponse]:
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type not in ("response", "revisit") or record.http_headers is None:
                continue
            # The payload first: asking for the offset reads the record to its end.
            payload = bytes(record.content_stream().read()) if record.rec_type == "response" else b""
            offset = records.get_record_offset()
            warc = record.rec_headers
            url = warc.get_header("WARC-Target-URI")
            http = record.http_headers
            status = int(http.get_statuscode() or 0)
            digest = warc.get_header("WARC-Payload-Digest") or ""
            location = http.get_header("Location")
            if 300 <= status < 400 and location:
                redirected_from[urljoin(url, location)] = url
            if record.rec_type == "response":
                body = payload
                if digest and record.length:
                    locator.add(digest, path, offset)
            else:
                body = locator.payload(digest, path) if 200 <= status < 300 else b""
            link = WarcLink(file=path.name, record_id=warc.get_header("WARC-Record-ID"), offset=offset,
                            date=warc.get_header("WARC-Date"))  # fmt: skip
            yield ArchivedResponse(
                url=url, status=status, headers=_decoded_headers(http.headers), body=body, link=link,
                redirect_urls=_chain(url, redirected_from),
            )  # fmt: skip


def _chain(url: str, redirected_from: dict[str, str]) -> list[str]:
    chain: list[str] = []
    # Each redirect leads to one response: a later, direct fetch of the same URL has no chain.
    while url in redirected_from and len(chain) < 20:
        url = redirected_from.pop(url)
        chain.insert(0, url)
    return chain


def _decoded_headers(headers: list[Any]) -> list[tuple[str, str]]:
    """The headers a spider sees once the body is decoded (HttpCompressionMiddleware drops these too)."""
    return [(str(k), str(v)) for k, v in headers if str(k).lower() not in _DROPPED_BY_DECODING]
