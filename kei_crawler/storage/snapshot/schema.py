"""The snapshot's one Arrow schema, never inferred: each column's type, nullability and meaning are
declared with its field in ``items.Brief``, the meaning carried into the Parquet file as the field's
``description`` metadata. Also the schema's version history and the snapshot's key-value metadata, under
the ``kei_crawler.`` prefix.

A column added, removed or changing type, or a change in what a column holds, is a new entry at the end
of SCHEMA_HISTORY, which makes it SCHEMA_VERSION; the data dictionary (``storage.snapshot.dictionary``,
docs/schema.md) shows the history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from kei_crawler.items import FIELDS, Brief


@dataclass(frozen=True)
class SchemaVersion:
    version: int
    added: tuple[str, ...]
    """The columns this version added (a test holds every column of FIELDS added by exactly one version)."""
    why: str
    changed: tuple[str, ...] = ()
    """The columns whose content this version changed (their type, or what they hold)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "added": list(self.added),
            "changed": list(self.changed),
            "why": self.why,
        }


# fmt: off
SCHEMA_HISTORY: tuple[SchemaVersion, ...] = (
    SchemaVersion(
        1,
        ("brief_id", "url", "slug", "title", "published", "published_raw", "updated", "updated_raw",
         "authors", "categories", "series", "body", "credits", "photo_caption", "photo_url", "content_hash",
         "fetched_at", "first_seen", "last_seen", "removed_at", "http_etag", "http_last_modified",
         "provenance"),
        "The first schema: the brief's identity, its fields as the page shows them, lineage across crawls, "
        "HTTP validators and the extraction strategy behind each field.",
    ),
    SchemaVersion(
        2,
        ("warc_file", "warc_record_id", "warc_offset"),
        "Each row points to the WARC record it was extracted from.",
    ),
    SchemaVersion(
        3,
        ("refresh_error",),
        "A carried-forward row says why this crawl could not fetch it again.",
    ),
    SchemaVersion(4, ("photo_warc_record_id",), "Each row points to the capture of its photo."),
    SchemaVersion(
        5,
        (),
        '`authors` holds people only: a brief signed "Korea View" has the series in `series`. Older '
        "snapshots may list the series among the authors and are read without it.",
        changed=("authors",),
    ),
)
# fmt: on
"""Every version of the snapshot schema, oldest first."""

SCHEMA_VERSION = SCHEMA_HISTORY[-1].version
PEOPLE_ONLY_AUTHORS = 5
"""The first schema version whose ``authors`` never names the series (``carry.people_only``)."""

DESCRIPTION = b"description"
"""The field metadata key holding a column's meaning (``items.Column.doc``)."""

BRIEF_SCHEMA = pa.schema([
    pa.field(column.name, column.type, nullable=column.nullable, metadata={DESCRIPTION: column.doc.encode()})
    for column in FIELDS
])  # fmt: skip
"""One column per :data:`items.FIELDS` entry, with the type, nullability and meaning declared there.
pyarrow's schema and table equality ignores metadata unless asked, so files written before the
descriptions were (or with them stripped) compare equal to this schema."""

METADATA_PREFIX = "kei_crawler."


def to_table(briefs: Iterable[Brief]) -> pa.Table:
    """An Arrow table of ``briefs`` in the snapshot schema (an empty one when there are none)."""
    # Attributes read directly: dataclasses.asdict deep-copies every list, dict and datetime first, which
    # was most of the spool's cost per row; Arrow copies the values into its own buffers anyway.
    rows = list(briefs)
    columns = {name: [getattr(row, name) for row in rows] for name in BRIEF_SCHEMA.names}
    table = pa.Table.from_pydict(columns, schema=BRIEF_SCHEMA)
    # Arrow does not enforce nullable=False on construction; the contract says these are always set.
    for column in BRIEF_SCHEMA:
        if not column.nullable and table.column(column.name).null_count:
            raise ValueError(f"snapshot column {column.name!r} must not be null")
    return table


def encode_metadata(values: dict[str, Any]) -> dict[bytes, bytes]:
    """Key-value metadata under the ``kei_crawler.`` prefix; non-strings as JSON."""
    return {
        f"{METADATA_PREFIX}{key}".encode(): (
            v if isinstance(v, str) else json.dumps(v, sort_keys=True)
        ).encode()
        for key, v in values.items()
    }


def decode_metadata(raw: dict[bytes, bytes] | None) -> dict[str, str]:
    """The ``kei_crawler.*`` entries of a Parquet file's key-value metadata, prefix removed."""
    out: dict[str, str] = {}
    for key, value in (raw or {}).items():
        name = key.decode("utf-8", "replace")
        if name.startswith(METADATA_PREFIX):
            out[name[len(METADATA_PREFIX) :]] = value.decode("utf-8", "replace")
    return out
