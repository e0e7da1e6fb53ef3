"""How a brief row points at the WARC record it was extracted from.

Kept apart from ``parts.py`` (no warcio import) because the spider and the pipelines read it: the WARC
middleware puts a :data:`WARC_META` entry into ``request.meta`` when it records a response, the spider
copies it into the RawBrief, and ``reextract`` sets the same entry on the responses it rebuilds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypedDict, cast

WARC_META = "kei_warc"
HELD_META = "kei_warc_held"
"""On a revalidation request: ``{"file": …, "offset": …}`` of the capture the row holds, whose validators
it sends; a 304 to it is recorded as a revisit of that capture (``not_modified.py``)."""


class WarcLink(TypedDict):
    file: str
    """The WARC file's name, relative to ``<output>/warc/``."""
    record_id: str
    """The response (or revisit) record's WARC-Record-ID, ``<urn:uuid:…>``."""
    offset: int
    """Byte offset of that record's gzip member in the file."""
    date: str
    """Its WARC-Date (ISO 8601, microseconds): the moment the response was received."""


def warc_link(meta: dict[str, Any]) -> WarcLink | None:
    link = meta.get(WARC_META)
    return cast(WarcLink, link) if isinstance(link, dict) else None


def fetched_at(meta: dict[str, Any]) -> datetime:
    """When the response was received: its WARC-Date when it was archived (so that re-extraction from
    the WARC gives the same value), else now."""
    link = warc_link(meta)
    return datetime.fromisoformat(link["date"]).astimezone(UTC) if link else datetime.now(UTC)
