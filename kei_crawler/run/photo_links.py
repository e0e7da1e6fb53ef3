"""Which capture each brief's photo has: the link between a snapshot row and the image's WARC record.

A brief's row is written before its photo is downloaded (the photo is requested from the brief's page),
so the row cannot carry the link itself. The spider records every requisite it captured here, by the
URL a row names it with (``photo_url``: on the site's own origin); the snapshot assembly fills
``photo_warc_record_id`` from it as it writes the fresh rows into the snapshot (``run.assembly``).
Rows carried forward keep the link they had. Seeded with the previous snapshot's links
(``ArchiveState.photo_links``): a photo the archive already holds is not fetched again, and a fresh row
that shows it links to that capture. ``--resume`` keeps this run's captures (``run.resume``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

COLUMN = "photo_warc_record_id"


@dataclass
class RequisiteLinks:
    archived: dict[str, str] = field(default_factory=dict)
    """Photo URL → record id, from the previous snapshot's rows."""
    captured: dict[str, str] = field(default_factory=dict)
    """Requisite URL (on the site's origin) → the record id of this run's capture of it."""

    def record(self, url: str, record_id: str) -> None:
        self.captured.setdefault(url, record_id)  # the first capture: later ones were never requested

    def is_archived(self, url: str) -> bool:
        """True when the archive or this run holds a capture of ``url``: it is not fetched again."""
        return url in self.captured or url in self.archived

    def link(self, url: str | None) -> str | None:
        if url is None:
            return None
        return self.captured.get(url) or self.archived.get(url)

    def fill(self, table: pa.Table) -> pa.Table:
        """Fresh rows with ``photo_warc_record_id`` set from their ``photo_url`` (where it was captured)."""
        links = pa.array([self.link(url) for url in table["photo_url"].to_pylist()], type=pa.string())
        index = table.schema.get_field_index(COLUMN)
        return table.set_column(index, table.schema.field(COLUMN), links)
