"""One crawl's WARC files while they are written: records in, seekable gzip members out, no Scrapy.

A crawl writes ``<crawl_id>.warc.gz``; a crawl resumed after Ctrl-C (``--resume``) adds
``<crawl_id>-1.warc.gz`` (then ``-2`` …) beside it, so the parts already written are never reopened.
Each response is written as a ``response`` record, or as a ``revisit`` record (profile
identical-payload-digest, WARC's own deduplication) when an earlier capture had the same payload, or
(server-not-modified, ``not_modified.py``) for a 304 confirming the capture a row holds, followed by its
``request`` record (``WARC-Concurrent-To`` the response). Every record is its own gzip member, so a
reader seeks straight to one by offset. WARC 1.1: WARC-Date to the microsecond.
"""

from __future__ import annotations

import contextlib
import http
import os
import shutil
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from kei_crawler.storage import failpoints
from kei_crawler.storage.atomic import fsync_path, move_file
from kei_crawler.storage.warc.capture import is_there
from kei_crawler.storage.warc.cdx import SUFFIX, CdxEntry, FirstCapture, index_part, mime_of, write_cdxj
from kei_crawler.storage.warc.link import WarcLink
from kei_crawler.storage.warc.not_modified import Held, confirmed_capture, not_modified_record

WARC_SUFFIX = ".warc.gz"


@dataclass
class Exchange:
    """One HTTP request and the response received for it, as they crossed the wire."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    """The payload as received: transfer coding removed, content coding (gzip) kept."""
    received_at: datetime
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    held: Held | None = None
    """For a conditional request: the capture whose validators it sent (a 304 confirms that one)."""


@dataclass
class Counts:
    responses: int = 0
    revisits: int = 0
    requests: int = 0
    earlier_gone: int = 0
    """Payloads an earlier crawl's index names, written in full because that capture is gone or damaged."""
    by_status: dict[int, int] = field(default_factory=dict)


def part_name(crawl_id: str, number: int) -> str:
    return f"{crawl_id}{WARC_SUFFIX}" if number == 0 else f"{crawl_id}-{number}{WARC_SUFFIX}"


def warc_date(when: datetime) -> str:
    return str(datetime_to_iso_date(when.astimezone(UTC).replace(tzinfo=None), use_micros=True))


class WarcParts:
    def __init__(
        self,
        directory: Path,
        crawl_id: str,
        info: dict[str, str],
        earlier_crawls: dict[str, FirstCapture] | None = None,
        published: Path | None = None,
    ) -> None:
        self.directory = directory
        self.published = published
        """The ``warc/`` folder the captures that snapshot rows hold are in (a 304 refers to one)."""
        self.crawl_id = crawl_id
        self.entries: list[CdxEntry] = []
        self.first: dict[str, FirstCapture] = dict(earlier_crawls or {})
        self._checked: set[str] = set()  # digests of earlier crawls' captures read back whole
        self.counts = Counts()
        directory.mkdir(parents=True, exist_ok=True)
        earlier = self.parts()
        for part in earlier:
            self._index_earlier_part(part)
        self.path = directory / part_name(crawl_id, len(earlier))
        self._file: BinaryIO | None = open(self.path, "xb")  # noqa: SIM115 — closed in close()
        # warcio serializes each record into this buffer uncompressed, and _write compresses it in one
        # call: warcio's own gzip mode compressed every header line apart and flushed the file after
        # each record, a third of the recorder's time per response. The members are the same gzip.
        self._plain = BytesIO()
        self._writer = WARCWriter(self._plain, gzip=False, warc_version="1.1")
        warcinfo = self._writer.create_warcinfo_record(self.path.name, info)
        self.warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        self._write(warcinfo)

    @property
    def cdxj_path(self) -> Path:
        return self.directory / f"{self.crawl_id}{SUFFIX}"

    def parts(self) -> list[Path]:
        found: list[Path] = []
        while (self.directory / part_name(self.crawl_id, len(found))).is_file():
            found.append(self.directory / part_name(self.crawl_id, len(found)))
        return found

    def capture(self, ex: Exchange) -> WarcLink:
        """Write the response (or revisit) record and its request record; where the response landed."""
        date = warc_date(ex.received_at)
        common = {"WARC-Date": date, "WARC-Warcinfo-ID": self.warcinfo_id}
        if ex.ip_address:
            common["WARC-IP-Address"] = ex.ip_address
        phrase = _reason(ex.status)
        response_http = StatusAndHeaders(f"{ex.status} {phrase}".strip(), ex.response_headers, ex.protocol)
        record = self._writer.create_warc_record(
            ex.url, "response", payload=BytesIO(ex.body), length=len(ex.body),
            http_headers=response_http, warc_headers_dict=dict(common),
        )  # fmt: skip
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        confirmed = (
            confirmed_capture(self.published, ex.held, self._still_there) if ex.status == 304 else None
        )
        earlier = self._still_there(digest) if ex.body else None  # an empty payload is not worth a pointer
        if confirmed is not None:
            digest = confirmed.digest
            record = not_modified_record(self._writer, ex.url, confirmed, ex.response_headers, common)
        elif earlier is not None:
            refers = {"WARC-Refers-To": earlier.record_id} if earlier.record_id else {}
            record = self._writer.create_revisit_record(
                ex.url, digest, earlier.url, earlier.date, http_headers=response_http,
                warc_headers_dict={**common, **refers},
            )  # fmt: skip
        if record.rec_type == "revisit":
            self.counts.revisits += 1
        else:
            self.counts.responses += 1
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        if record.rec_type == "response" and ex.body:
            self.first.setdefault(digest, FirstCapture(ex.url, date, record_id))
        offset, length = self._write(record)
        self.entries.append(
            CdxEntry(
                url=ex.url, date=date, mime=mime_of(_header(ex.response_headers, "content-type"), record.rec_type),
                status=int(record.http_headers.get_statuscode()), digest=digest, length=length, offset=offset,
                filename=self.path.name,
            )
        )  # fmt: skip
        self.counts.by_status[ex.status] = self.counts.by_status.get(ex.status, 0) + 1
        self._write_request(ex, {**common, "WARC-Concurrent-To": record_id})
        return WarcLink(file=self.path.name, record_id=record_id, offset=offset, date=date)

    def _still_there(self, digest: str) -> FirstCapture | None:
        """The first capture of ``digest`` a revisit may refer to: an earlier crawl's only once its record
        has been read back whole (once per payload); one that cannot be is forgotten, and the response
        is written in full — a revisit of a capture that is gone recovers nothing."""
        earlier = self.first.get(digest)
        if earlier is None or earlier.record_id is not None or digest in self._checked:
            return earlier
        if is_there(earlier.path, earlier.offset, digest):
            self._checked.add(digest)
            return earlier
        del self.first[digest]
        self.counts.earlier_gone += 1
        return None

    def _write_request(self, ex: Exchange, warc_headers: dict[str, str]) -> None:
        parts = urlsplit(ex.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = list(ex.request_headers)
        if _header(headers, "host") is None:
            # Twisted adds Host on the wire; Scrapy's request does not hold it.
            headers.insert(0, ("Host", parts.netloc))
        request_http = StatusAndHeaders(f"{ex.method} {target} HTTP/1.1", headers, is_http_request=True)
        record = self._writer.create_warc_record(
            ex.url, "request", payload=BytesIO(ex.request_body), length=len(ex.request_body),
            http_headers=request_http, warc_headers_dict=warc_headers,
        )  # fmt: skip
        self._write(record)
        self.counts.requests += 1

    def _write(self, record: Any) -> tuple[int, int]:
        """Append ``record`` as one gzip member; its offset and length in the file."""
        assert self._file is not None
        failpoints.hit("warc.record", self.path)
        self._plain.seek(0)
        self._plain.truncate()
        self._writer.write_record(record)
        member = _gzip_member(self._plain.getvalue())
        offset = self._file.tell()
        self._file.write(member)
        # Handed to the OS record by record: a full disk is reported by the WARC that met it, and a
        # killed crawl leaves whole records behind (one write call each).
        self._file.flush()
        return offset, len(member)

    def _index_earlier_part(self, part: Path) -> None:
        """What a resumed crawl needs from the parts its interrupted run wrote: index lines, first captures."""
        self.entries.extend(index_part(part, self.first))

    def close(self) -> None:
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None

    def size(self) -> int:
        return sum(part.stat().st_size for part in self.parts())

    def publish(self, destination: Path) -> list[Path]:
        """Close, index, and move every part and then the index into ``destination``: readers find whole
        files only (each moved by one rename), and an index only once the files it names are there. The
        index is the WARC's commit record: parts a crash left without one are indexed by the next crawl
        (``complete_interrupted_publish``)."""
        self.close()
        write_cdxj(self.cdxj_path, self.entries)
        destination.mkdir(parents=True, exist_ok=True)
        parts = self.parts()
        clashes = [
            destination / src.name
            for src in [*parts, self.cdxj_path]
            if os.path.lexists(destination / src.name)  # a dangling link too: never replaced
        ]
        if clashes:
            raise FileExistsError(f"{clashes[0]} already exists")
        failpoints.hit("warc.before_publish", destination)
        moved: list[Path] = []
        try:
            for src in parts:
                moved.append(move_file(src, destination / src.name))
            fsync_path(
                destination
            )  # the parts are there before the index that names them, even after a crash
            failpoints.hit("warc.before_index_rename", destination)
            moved.append(move_file(self.cdxj_path, destination / self.cdxj_path.name))
            fsync_path(destination)
        except OSError:
            withdraw(moved)  # parts without their index would be indexed, and so published, by the next crawl
            raise
        failpoints.hit("warc.after_publish")
        shutil.rmtree(self.directory, ignore_errors=True)
        return moved

    def discard(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):  # a full disk fails the last flush; the file goes anyway
                file.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def withdraw(published: list[Path]) -> None:
    """Take the files of one WARC that this run published back out of their folder: its index first (the
    WARC's commit record), so that no index is ever left naming a part that is gone."""
    for path in sorted(published, key=lambda p: not p.name.endswith(SUFFIX)):
        path.unlink(missing_ok=True)
    if published:
        with contextlib.suppress(OSError):
            fsync_path(published[0].parent)


def _gzip_member(data: bytes) -> bytes:
    """``data`` as one gzip member, compressed as warcio's GzippingWrapper does (level 9)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None
