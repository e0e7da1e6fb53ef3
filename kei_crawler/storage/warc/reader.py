"""Archived responses read back from WARC files, as Scrapy would have handed them to the spider.

Files are read in the order their crawl wrote them (by their warcinfo's date, so a resumed crawl's
``-1`` part follows the first), records in file order — the order the crawl received the responses.
A ``revisit`` of a 304 (``not_modified.py``) reads as the 304 it was; any other gets the payload of
the capture it refers to (by payload digest, in any of the files
given, or in another WARC of the same ``warc/`` folder, found through its CDXJ index). The body is
decoded from its content coding (gzip …) as HttpCompressionMiddleware does during a crawl; the chain of
3xx records that led to a response is kept, as RedirectMiddleware keeps ``redirect_urls``.

A file cut short or corrupt is read up to the last whole record, and a revisit whose capture is missing
or damaged is passed over; both are recorded (:class:`Damage`: where the file broke, after how many
records, which responses were lost) rather than raised, so the rest is still read. Index lines lead only
to plain file names in the index's own folder, never to a symlink (``capture.warc_in``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from kei_crawler.storage.warc.capture import MISSING, CaptureUnavailable, payload_at, warc_in, whole_member
from kei_crawler.storage.warc.cdx import SUFFIX, read_cdxj
from kei_crawler.storage.warc.link import WarcLink
from kei_crawler.storage.warc.not_modified import is_not_modified

_DROPPED_BY_DECODING = ("content-encoding", "content-length")


class WarcReadError(Exception):
    """A file that is not a WARC at all (it does not begin with a warcinfo record); one line. Damage further
    in — a file cut short, a revisit of a capture that is gone — is recorded in a :class:`Damage` instead."""


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


@dataclass
class Damage:
    """What could not be read of the WARCs: each damaged or missing file, and the responses lost with it."""

    files: dict[Path, str] = field(default_factory=dict)
    """One line per file: a WARC given that is cut short or corrupt, where it broke and after how much."""
    lost: list[tuple[str, CaptureUnavailable]] = field(default_factory=list)
    """(URL, why) of each response whose payload could not be read: a revisit of a capture not there."""

    def lines(self) -> list[str]:
        """One line per damaged or missing file, saying what it cost."""
        refused: dict[Path, list[CaptureUnavailable]] = {}
        for _url, why in self.lost:
            refused.setdefault(why.path, []).append(why)
        shown = dict(self.files)
        for path, whys in refused.items():
            cost = f"{len(whys)} revisit(s) refer to captures in it that cannot be read"
            shown[path] = f"{shown[path]}; {cost}" if path in shown else f"{whys[0]}; {cost}"
        return list(shown.values())

    def __bool__(self) -> bool:
        return bool(self.files or self.lost)


class PayloadLocator:
    """Where the payload with a given digest was captured: the files read so far, then sibling WARCs."""

    def __init__(self) -> None:
        self.seen: dict[str, list[tuple[Path | None, int, str]]] = {}
        self._indexed_dirs: set[Path] = set()

    def add(self, digest: str, path: Path | None, offset: int, name: str = "") -> None:
        self.seen.setdefault(digest, []).append((path, offset, name))

    def payload(self, digest: str, near: Path) -> bytes:
        """CaptureUnavailable when no capture of ``digest`` can be read whole (each known one is tried)."""
        if digest not in self.seen:
            self._index_siblings(near.parent)
        if digest not in self.seen:
            raise CaptureUnavailable(
                MISSING, near, f"{near}: a revisit refers to payload {digest}, in none of the WARCs there"
            )
        first: CaptureUnavailable | None = None
        for path, offset, name in self.seen[digest]:
            try:
                return payload_at(path, offset, digest, name=name)
            except CaptureUnavailable as exc:
                first = first or exc
        assert first is not None
        raise first

    def _index_siblings(self, directory: Path) -> None:
        if directory in self._indexed_dirs:
            return
        self._indexed_dirs.add(directory)
        for index in sorted(directory.glob(f"*{SUFFIX}")):
            try:
                lines = list(read_cdxj(index))
            except (OSError, ValueError):  # a damaged index only costs the revisits it would have found
                continue
            for _key, _ts, fields in lines:
                digest, name, offset = (
                    fields.get("digest"),
                    str(fields.get("filename", "")),
                    str(fields.get("offset")),
                )
                if (
                    fields.get("mime") != "warc/revisit"
                    and isinstance(digest, str)
                    and digest
                    and offset.isdigit()
                ):
                    self.add(digest, warc_in(directory, name), int(offset), name)


def read_responses(paths: list[Path], damage: Damage | None = None) -> Iterator[ArchivedResponse]:
    """Every response and revisit in ``paths``, in capture order. What cannot be read — a file cut short,
    a revisit whose capture is gone — is recorded in ``damage`` and passed over."""
    damage = damage if damage is not None else Damage()
    sources = sorted((describe(p) for p in paths), key=lambda s: (s.date, s.path.name))
    locator = PayloadLocator()
    redirected_from: dict[str, str] = {}
    for source in sources:
        yield from _read_file(source.path, locator, redirected_from, damage)


def _read_file(
    path: Path, locator: PayloadLocator, redirected_from: dict[str, str], damage: Damage
) -> Iterator[ArchivedResponse]:
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        records = ArchiveIterator(stream)
        whole, end = 0, 0
        while True:
            try:
                record = next(records, None)
                if record is None:
                    break
                kind = record.rec_type
                # The payload first: asking for the offset reads the record to its end.
                payload = bytes(record.content_stream().read()) if kind == "response" else b""
                offset, length = records.get_record_offset(), records.get_record_length()
            except Exception as exc:  # warcio meets a damaged file with errors of many kinds
                damage.files[path] = f"{_broken(path, end, whole)} ({type(exc).__name__}: {exc})"
                return
            if offset + length >= size and not _ends_whole(stream, offset):
                # The last member ends with the file: warcio read what there was without a word.
                damage.files[path] = _broken(path, offset, whole)
                return
            whole, end = whole + 1, offset + length
            if kind not in ("response", "revisit") or record.http_headers is None:
                continue
            archived = _archived(path, record, payload, offset, locator, redirected_from, damage)
            if archived is not None:
                yield archived
        if end != size:
            damage.files[path] = _broken(path, end, whole)


def _broken(path: Path, at: int, whole: int) -> str:
    return f"{path}: cut short or damaged at byte {at} after {whole} whole records; the rest is not read"


def _ends_whole(stream: BinaryIO, offset: int) -> bool:
    """The gzip member at ``offset`` is whole; the stream is left where warcio's reader had it."""
    position = stream.tell()
    try:
        return whole_member(stream, offset) is not None
    finally:
        stream.seek(position)


def _archived(
    path: Path,
    record: Any,
    payload: bytes,
    offset: int,
    locator: PayloadLocator,
    redirected_from: dict[str, str],
    damage: Damage,
) -> ArchivedResponse | None:
    warc = record.rec_headers
    url = warc.get_header("WARC-Target-URI")
    http = record.http_headers
    code = http.get_statuscode() or ""
    status = int(code) if code.isdigit() else 0  # a garbled status line: not a page, skipped as a 0
    if record.rec_type == "revisit" and is_not_modified(warc):
        # The server answered 304 (its block is the confirmed response, for replay): nothing new to read,
        # as a 304 recorded as a response before these revisits existed.
        status = 304
    digest = warc.get_header("WARC-Payload-Digest") or ""
    location = http.get_header("Location")
    if 300 <= status < 400 and location:
        redirected_from[urljoin(url, location)] = url
    if record.rec_type == "response":
        body = payload
        if digest and record.length:
            locator.add(digest, path, offset)
    elif 200 <= status < 300:
        try:
            body = locator.payload(digest, path)
        except CaptureUnavailable as exc:
            damage.lost.append((url, exc))
            return None
    else:
        body = b""
    link = WarcLink(file=path.name, record_id=warc.get_header("WARC-Record-ID"), offset=offset,
                    date=warc.get_header("WARC-Date"))  # fmt: skip
    return ArchivedResponse(
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
