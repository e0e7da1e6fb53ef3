"""What the archive already holds, read from the newest snapshot — there is no second database to drift.

``ArchiveState`` keeps, per canonical URL, only what a crawl needs to decide what to fetch and how to
carry a row forward (hash, validators, lineage); the bodies stay on disk until the snapshot is written.
During a crawl it also records what this run learned about known briefs: listed again, confirmed
unchanged by a 304, or gone (404/410).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kei_crawler.run import index_absence, outstanding
from kei_crawler.run.listing_walk import SWEPT_AT_KEY
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.reading import open_snapshot
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, decode_metadata
from kei_crawler.storage.snapshot.store import SnapshotError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)  # one per archived brief: slots keep a million of them small
class KnownBrief:
    url: str
    content_hash: str
    http_etag: str | None
    http_last_modified: str | None
    first_seen: datetime
    removed_at: datetime | None
    warc_file: str | None = None
    """The capture the row holds (with ``warc_offset``): what a 304 to a revalidation confirms."""
    warc_offset: int | None = None
    fetched_at: datetime | None = None
    """When the row's capture was fetched: what a sitemap's ``<lastmod>`` is compared with when the
    capture has no ``Last-Modified`` (``run.indexes.revalidation_due``)."""


_COLUMNS = [spec.name for spec in fields(KnownBrief)]  # read from the snapshot, column by column
_PHOTO_RECORD = "photo_warc_record_id"


@dataclass
class ArchiveState:
    snapshot: store.SnapshotRef | None = None
    known: dict[str, KnownBrief] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)
    """Known URLs this crawl saw on a listing page."""
    not_modified: set[str] = field(default_factory=set)
    """Known URLs the site answered 304 for."""
    gone: dict[str, datetime] = field(default_factory=dict)
    """Known or outstanding URLs the site answered 404/410 for, with when."""
    outstanding: dict[str, outstanding.Outstanding] = field(default_factory=dict)
    """Briefs listed before but never captured: every crawl asks for them again (``outstanding``)."""
    swept_at: datetime | None = None
    """When a crawl last read the whole listing in one state (``run.listing_walk``); None: never."""
    indexes_absent: index_absence.Absence | None = None
    """The last asking for the sitemaps and the feed found neither (``run.index_absence``); None: ask."""
    photo_links: dict[str, str] = field(default_factory=dict)
    """Photo URL → the WARC-Record-ID of its capture, for the rows that name one: a photo the archive
    holds is not fetched again, and a fresh row showing it links to that capture (``run.photo_links``)."""

    @classmethod
    def empty(cls) -> ArchiveState:
        return cls()

    @classmethod
    def load(cls, output_dir: str | os.PathLike[str]) -> ArchiveState:
        """The state after the newest usable snapshot in ``output_dir`` (empty when there is none).

        Snapshots are published atomically, so one that cannot be carried forward (unreadable, a column
        missing or of another type) means damage after the fact (a disk error, a hand edit): the crawl
        starts from the newest good one and names the damaged one in one line.
        """
        found = store.scan(output_dir)
        for line in found.ignored:
            logger.warning("Snapshots: %s", line)
        for ref in reversed(found.refs):
            try:
                return cls._of(ref)
            except SnapshotError as exc:
                logger.error("Not carrying the archive forward from snapshot %s: %s", ref.crawl_id, exc)
        return cls.empty()

    @classmethod
    def _of(cls, ref: store.SnapshotRef) -> ArchiveState:
        snapshot = open_snapshot(ref.path)
        present = [name for name in _COLUMNS if name in snapshot.parquet.schema_arrow.names]
        try:
            table = snapshot.parquet.read(columns=present)
            # Column by column: to_pylist() would first build a dict for every row of the archive.
            columns = [
                table.column(name).cast(BRIEF_SCHEMA.field(name).type).to_pylist() if name in present
                else [None] * table.num_rows  # a column later schema versions added (nullable)
                for name in _COLUMNS
            ]  # fmt: skip
        except (pa.ArrowException, OSError) as exc:
            raise snapshot.error(exc) from exc
        known = {values[0]: KnownBrief(*values) for values in zip(*columns, strict=True)}
        metadata = decode_metadata(snapshot.parquet.metadata.metadata)
        pending = outstanding.decode(metadata.get(outstanding.METADATA_KEY))
        return cls(
            snapshot=ref, known=known, outstanding=pending, swept_at=_when(metadata.get(SWEPT_AT_KEY)),
            photo_links=_photo_links(snapshot.parquet),
            indexes_absent=index_absence.decode(metadata.get(index_absence.METADATA_KEY)),
        )  # fmt: skip

    @property
    def path(self) -> Path | None:
        return self.snapshot.path if self.snapshot else None

    def is_known(self, url: str) -> bool:
        return url in self.known

    def live_urls(self) -> list[str]:
        """Known briefs not marked removed, in a stable order: what a revalidating crawl re-requests."""
        return sorted(url for url, brief in self.known.items() if brief.removed_at is None)


def _photo_links(parquet: pq.ParquetFile) -> dict[str, str]:
    """Photo URL → record id from a snapshot's rows; empty for one written before schema version 4."""
    if _PHOTO_RECORD not in parquet.schema_arrow.names:
        return {}
    try:
        table = parquet.read(columns=["photo_url", _PHOTO_RECORD]).filter(
            pc.is_valid(pc.field(_PHOTO_RECORD))
        )
    except (pa.ArrowException, OSError):
        return {}  # the links cost refetches when unreadable, never the crawl
    return dict(zip(table["photo_url"].to_pylist(), table[_PHOTO_RECORD].to_pylist(), strict=True))


def _when(raw: object) -> datetime | None:
    """A time the snapshot's metadata records; None when absent or unreadable (a sweep is then due)."""
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        return None
