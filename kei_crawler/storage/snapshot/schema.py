"""The snapshot's one Arrow schema, never inferred: each column's type is declared with its field in
``items.Brief``. Also the snapshot's key-value metadata, under the ``kei_crawler.`` prefix.

Bump SCHEMA_VERSION whenever a column is added, removed or changes type, or what a column holds changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from kei_crawler.items import FIELDS, Brief

SCHEMA_VERSION = 5  # 2: warc_file, warc_record_id, warc_offset; 3: refresh_error; 4: photo_warc_record_id
# 5: authors holds people only; older snapshots may list the series ("Korea View") and are read without it.
PEOPLE_ONLY_AUTHORS = 5
"""The first schema version whose ``authors`` never names the series (``carry.people_only``)."""

BRIEF_SCHEMA = pa.schema([pa.field(column.name, column.type, nullable=column.nullable) for column in FIELDS])
"""One column per :data:`items.FIELDS` entry, with the type and nullability declared there."""

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
