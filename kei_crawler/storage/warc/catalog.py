"""Indexes of published WARCs: a whole file's CDXJ lines, parts left unindexed by a killed crawl, and the
payloads earlier crawls captured (what a new crawl writes as revisits)."""

from __future__ import annotations

from pathlib import Path

from warcio.timeutils import timestamp_to_iso_date

from kei_crawler.storage.warc.capture import warc_in
from kei_crawler.storage.warc.cdx import SUFFIX, FirstCapture, index_part, read_cdxj, write_cdxj
from kei_crawler.storage.warc.parts import WARC_SUFFIX, part_name


def unindexed_parts(warc_dir: Path) -> dict[str, list[Path]]:
    """WARC parts in ``warc_dir`` whose crawl has no CDXJ index, by crawl id: what a crawl killed while
    it published its WARC left (the parts are moved in first, the index last)."""
    found: dict[str, list[Path]] = {}
    for path in sorted(warc_dir.glob(f"*{WARC_SUFFIX}")):
        if not path.is_file():  # a crawl publishes files only: a folder of that name is no WARC
            continue
        stem = path.name.removesuffix(WARC_SUFFIX)
        base, _, number = stem.rpartition("-")
        # A later part's crawl is the one whose first part is here (crawl ids may hold dashes too).
        crawl_id = base if number.isdigit() and (warc_dir / part_name(base, 0)).is_file() else stem
        if not (warc_dir / f"{crawl_id}{SUFFIX}").is_file():
            found.setdefault(crawl_id, []).append(path)
    return found


def complete_interrupted_publish(warc_dir: Path) -> list[Path]:
    """Index the parts of any WARC whose publishing was interrupted, so that the next crawl's revisits
    and readers find them; the new CDXJ paths. The parts themselves are whole: they were closed and
    synced before they were moved."""
    written = []
    for crawl_id, parts in unindexed_parts(warc_dir).items():
        entries = [entry for part in parts for entry in index_part(part)]
        write_cdxj(warc_dir / f"{crawl_id}{SUFFIX}", entries)
        written.append(warc_dir / f"{crawl_id}{SUFFIX}")
    return written


def earlier_captures(warc_dir: Path) -> dict[str, FirstCapture]:
    """The first capture of each payload the WARCs already published in ``warc_dir`` hold, from their
    CDXJ indexes: a crawl writes a revisit record instead of a payload one of them already has.

    Only captures whose file is still there and long enough to hold them count (a deleted or cut WARC's
    index lines are passed over, so a later capture of the payload, or none, is used); the writer reads
    the record itself before its first revisit of it (``capture.is_there``)."""
    found: dict[str, FirstCapture] = {}
    sizes: dict[str, int] = {}
    for index in sorted(path for path in warc_dir.glob(f"*{SUFFIX}") if path.is_file()):
        for _key, timestamp, fields in read_cdxj(index):
            digest = fields.get("digest")
            if not isinstance(digest, str) or fields.get("mime") == "warc/revisit" or digest in found:
                continue
            path = warc_in(warc_dir, str(fields.get("filename", "")))
            offset, length = int(fields.get("offset", -1)), int(fields.get("length", 0))
            if path is None or offset < 0 or _size(path, sizes) < offset + length:
                continue
            when = timestamp_to_iso_date(timestamp)
            found[digest] = FirstCapture(fields["url"], when, None, path=path, offset=offset)
    return found


def _size(path: Path, sizes: dict[str, int]) -> int:
    if path.name not in sizes:
        try:
            sizes[path.name] = path.stat().st_size if path.is_file() else -1
        except OSError:
            sizes[path.name] = -1
    return sizes[path.name]
