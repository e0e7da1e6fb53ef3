"""CDXJ: the index replay tools (pywb, cdxj-indexer's format) read to find a capture by URL.

One line per response or revisit record: ``<SURT key> <14-digit timestamp> <JSON>``, the JSON holding
url, mime, status, digest, length, offset and filename, sorted as plain text — the same lines
``cdxj-indexer --sort`` writes for the file (a test holds them equal). Request records are not indexed,
as pywb's own indexer does not index them by default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from kei_crawler.storage.atomic import write_atomic

SUFFIX = ".cdxj"
INDEXED = ("response", "revisit")
_MIME_END = re.compile(r"[;\s]")


@dataclass(frozen=True)
class CdxEntry:
    url: str
    date: str
    """The record's WARC-Date (ISO 8601)."""
    mime: str | None
    status: int | None
    digest: str | None
    length: int
    offset: int
    filename: str

    def line(self) -> str:
        fields: dict[str, str] = {"url": self.url}
        if self.mime:
            fields["mime"] = self.mime
        if self.status is not None:
            fields["status"] = str(self.status)
        if self.digest:
            fields["digest"] = self.digest
        fields.update(length=str(self.length), offset=str(self.offset), filename=self.filename)
        return f"{url_key(self.url)} {iso_date_to_timestamp(self.date)} {json.dumps(fields)}"


def url_key(url: str) -> str:
    """The SURT form pywb sorts and looks URLs up by, e.g. ``org,keia)/the-peninsula/x``."""
    return str(surt.surt(url))


def mime_of(content_type: str | None, record_type: str) -> str | None:
    if record_type == "revisit":
        return "warc/revisit"
    if not content_type:
        return None
    return _MIME_END.split(content_type, maxsplit=1)[0].strip() or None


def write_cdxj(path: Path, entries: Iterable[CdxEntry]) -> None:
    """The index, sorted, written atomically."""
    lines = sorted(entry.line() for entry in entries)
    write_atomic(path, "".join(line + "\n" for line in lines))


def read_cdxj(path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(SURT key, timestamp, fields) for each line of a CDXJ file."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and not line.startswith("!"):
                key, timestamp, fields = line.rstrip("\n").split(" ", 2)
                parsed = json.loads(fields)
                if not isinstance(parsed, dict):
                    raise ValueError(f"{path}: not a CDXJ line: {line[:80]!r}")
                yield key, timestamp, parsed


@dataclass(frozen=True)
class FirstCapture:
    url: str
    date: str
    record_id: str | None
    """None for a capture of an earlier crawl, known from its CDXJ index (which names no record ids)."""
    path: Path | None = None
    """Where an earlier crawl's capture is (its offset below): checked before a revisit refers to it."""
    offset: int = 0


def index_part(part: Path, first: dict[str, FirstCapture] | None = None) -> list[CdxEntry]:
    """The index lines of a whole WARC file; each payload's first capture is added to ``first``."""
    entries: list[CdxEntry] = []
    with open(part, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            kind = record.rec_type
            headers = record.rec_headers
            offset = records.get_record_offset()
            records.read_to_end(record)
            if kind not in INDEXED:
                continue
            url = headers.get_header("WARC-Target-URI")
            date = headers.get_header("WARC-Date")
            digest = headers.get_header("WARC-Payload-Digest")
            http_headers = record.http_headers
            status = int(http_headers.get_statuscode()) if http_headers else None
            entries.append(
                CdxEntry(
                    url=url, date=date,
                    mime=mime_of(http_headers.get_header("Content-Type") if http_headers else None, kind),
                    status=status, digest=digest, length=records.get_record_length(), offset=offset,
                    filename=part.name,
                )
            )  # fmt: skip
            if first is not None and kind == "response" and record.length and digest:
                first.setdefault(digest, FirstCapture(url, date, headers.get_header("WARC-Record-ID")))
    return entries
