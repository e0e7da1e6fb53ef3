"""A WACZ (Web Archive Collection Zipped, 1.1.1): the WARCs, one index, the briefs as pages, a manifest.

Built by hand to the spec (specs.webrecorder.net/wacz/1.1.1) with ``zipfile``; ``wacz validate`` (py-wacz)
is how the tests check it, and ReplayWeb.page how an archivist opens it::

    archive/<crawl_id>.warc.gz     the WARCs, STORED (already gzip: replay reads records by byte range)
    indexes/index.cdx              one sorted CDXJ index of them (selection.py); ``filename`` = the WARC's name
    pages/pages.jsonl              a header line, then each live brief of the newest snapshot: its URL as
                                   captured, the capture's timestamp, its title, its brief_id as ``id``
    datapackage.json               every file above with its sha256 and size; wacz_version, created, …
    datapackage-digest.json        the sha256 of datapackage.json

A page's URL is the one its capture was fetched from (the replica's when a mirror was crawled; the
snapshot's ``url`` stays canonical), found through the row's ``warc_file`` and ``warc_offset``; a row
whose capture is not in the packed index is left out of the pages and counted.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from kei_crawler import __version__
from kei_crawler.storage.atomic import atomic_path
from kei_crawler.storage.snapshot.carry import conform
from kei_crawler.storage.snapshot.reading import open_snapshot
from kei_crawler.storage.warc.selection import IndexLine, Selection
from kei_crawler.urls import listing_page_number

WACZ_VERSION = "1.1.1"
SUFFIX = ".wacz"
ARCHIVE = "archive/"
INDEX = "indexes/index.cdx"
"""CDXJ lines, as the spec asks, under the name both readers load: ReplayWeb.page (wabac.js) reads
``.cdx``, ``.cdxj`` and ``.idx`` (not a bare ``.cdxj.gz``), pywb's ``wb-manager add --unpack-wacz`` only
``.cdx`` and ``.cdx.gz``; py-wacz writes its CDXJ as ``index.cdx.gz`` too."""
PAGES = "pages/pages.jsonl"
DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
PAGE_COLUMNS = ["brief_id", "url", "title", "removed_at", "warc_file", "warc_offset", "photo_url"]
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Resource:
    path: str
    hash: str
    bytes: int

    def entry(self) -> dict[str, Any]:
        # Frictionless names are lower case; the WARC names hold "T" and "Z".
        return {
            "name": Path(self.path).name.lower(),
            "path": self.path,
            "hash": self.hash,
            "bytes": self.bytes,
        }


@dataclass
class Pages:
    lines: list[dict[str, str]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    """Canonical URLs of live briefs whose capture is not in the packed index."""


def rfc3339(timestamp: str) -> str:
    """A CDXJ 14-digit timestamp as the RFC 3339 instant ``pages.jsonl`` wants."""
    when = datetime.strptime(timestamp[:14], "%Y%m%d%H%M%S")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def live_rows(snapshot: Path) -> list[dict[str, Any]]:
    """The rows of the snapshot's live briefs (``removed_at`` null), in URL order."""
    opened = open_snapshot(snapshot)
    present = [name for name in PAGE_COLUMNS if name in opened.parquet.schema_arrow.names]
    try:
        table = conform(opened.parquet.read(columns=present)).select(PAGE_COLUMNS)
    except Exception as exc:  # ArrowInvalid, OSError, a failed cast: all mean the file is unusable
        raise opened.error(exc) from exc
    table = table.filter(pc.is_null(table["removed_at"])).sort_by("url")
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def page_list(rows: list[dict[str, Any]], captures: dict[tuple[str, int], IndexLine]) -> Pages:
    """One page per row whose capture (``warc_file`` at ``warc_offset``) is in the packed index."""
    pages = Pages()
    for row in rows:
        line = captures.get(
            (row["warc_file"] or "", -1 if row["warc_offset"] is None else row["warc_offset"])
        )
        if line is None:
            pages.left_out.append(row["url"])
            continue
        url = str(line.fields["url"])
        pages.lines.append(
            {"id": row["brief_id"], "url": url, "ts": rfc3339(line.timestamp), "title": row["title"]}
        )
    return pages


def pages_document(pages: Pages, crawl_id: str) -> bytes:
    header = {
        "format": "json-pages-1.0",
        "id": "pages",
        "title": f"The Peninsula's briefs, snapshot {crawl_id}",
    }
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in [header, *pages.lines]).encode()


def main_page(lines: list[IndexLine]) -> IndexLine | None:
    """The newest capture of the listing's first page that the server answered with 200: where replay opens."""
    firsts = [
        line
        for line in lines
        if line.fields.get("status") == "200" and listing_page_number(line.fields["url"]) == 1
    ]
    return max(firsts, key=lambda line: line.timestamp, default=None)


def datapackage(
    resources: list[Resource], crawl_id: str, start: IndexLine | None, created: datetime
) -> bytes:
    package: dict[str, Any] = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": f"The Peninsula (keia.org), archived by kei-crawler: snapshot {crawl_id}",
        "description": "WARCs of kei-crawler's crawls of keia.org's The Peninsula; one page per live brief.",
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": f"kei-crawler {__version__}",
        "resources": [resource.entry() for resource in resources],
    }
    if start is not None:
        package["mainPageUrl"] = start.fields["url"]
        package["mainPageDate"] = rfc3339(start.timestamp)
    return json.dumps(package, indent=2).encode()


def digest_document(package: bytes) -> bytes:
    return json.dumps({"path": DATAPACKAGE, "hash": sha256(package)}, indent=2).encode()


def sha256(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


@dataclass(frozen=True)
class Packed:
    path: Path
    size: int
    warcs: int
    captures: int
    pages: Pages


def write_wacz(target: Path, selection: Selection, rows: list[dict[str, Any]], crawl_id: str) -> Packed:
    """The WACZ of ``selection`` with the snapshot's live ``rows`` (:func:`live_rows`) as pages, written
    atomically."""
    pages = page_list(rows, selection.capture_at())
    now = datetime.now(UTC)
    stamp = now.timetuple()[:6]
    resources: list[Resource] = []
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as wacz:
        for warc in selection.warcs:
            resources.append(
                _copy_stored(wacz, warc, ARCHIVE + warc.name, selection.whole_bytes.get(warc.name))
            )
        for name, data in (
            (INDEX, selection.index_text().encode()),
            (PAGES, pages_document(pages, crawl_id)),
        ):
            _write(wacz, name, data, stamp)
            resources.append(Resource(name, sha256(data), len(data)))
        package = datapackage(resources, crawl_id, main_page(selection.lines), now)
        _write(wacz, DATAPACKAGE, package, stamp)
        _write(wacz, DIGEST, digest_document(package), stamp)
    size = target.stat().st_size
    return Packed(target, size, len(selection.warcs), len(selection.lines), pages)


def _copy_stored(wacz: zipfile.ZipFile, source: Path, name: str, length: int | None = None) -> Resource:
    """``source`` (its first ``length`` bytes when given) copied in uncompressed, hashed on the way."""
    info = zipfile.ZipInfo.from_file(source, name, strict_timestamps=False)
    info.compress_type = zipfile.ZIP_STORED
    if length is not None:
        info.file_size = length
    hasher, left = hashlib.sha256(), info.file_size
    # The size is known before the copy, so zipfile uses ZIP64 only for a WARC past 4 GiB, as py-wacz does.
    with open(source, "rb") as reader, wacz.open(info, "w") as writer:
        while left and (chunk := reader.read(min(_CHUNK, left))):
            hasher.update(chunk)
            writer.write(chunk)
            left -= len(chunk)
    return Resource(name, f"sha256:{hasher.hexdigest()}", info.file_size - left)


def _write(wacz: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, date_time=(stamp[0], stamp[1], stamp[2], stamp[3], stamp[4], stamp[5]))
    info.compress_type = zipfile.ZIP_DEFLATED  # text: the spec allows DEFLATE for .cdxj, .jsonl and .json
    wacz.writestr(info, data)
