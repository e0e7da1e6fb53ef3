"""The machine-readable data dictionary: ``<output>/datapackage.json``, a Frictionless Data Package whose
one resource is the newest snapshot, described by a Table Schema made from the snapshot's Arrow schema.

It lies outside ``snapshots/`` so that nothing reading that folder (the hive glob
``snapshots/*/briefs.parquet``, a directory handed to Spark or pyarrow, ``store.scan``) meets a file that
is not a snapshot, and it names the snapshot by its path relative to the output directory, so the folder
can be moved whole. Rewritten atomically after each publish; the descriptions, types and nullability come
from :data:`BRIEF_SCHEMA` (so from ``items.FIELDS``), as do the Parquet field metadata and docs/schema.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from kei_crawler.storage.atomic import os_error_line, write_atomic
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, DESCRIPTION, SCHEMA_HISTORY, SCHEMA_VERSION

FILENAME = "datapackage.json"
PRIMARY_KEY = "brief_id"
MEDIATYPE = "application/vnd.apache.parquet"

logger = logging.getLogger(__name__)

# The closest Table Schema type of each Arrow type the snapshot uses; the Arrow type itself is recorded
# beside it (``arrowType``), since a list or a map has no exact Table Schema counterpart.
_TYPES: list[tuple[Callable[[pa.DataType], bool], str]] = [
    (pa.types.is_string, "string"),
    (pa.types.is_date, "date"),
    (pa.types.is_timestamp, "datetime"),
    (pa.types.is_integer, "integer"),
    (pa.types.is_list, "array"),
    (pa.types.is_map, "object"),
]
_FORMATS = {"url": "uri", "photo_url": "uri"}


def table_type(kind: pa.DataType) -> str:
    """The Table Schema type of an Arrow type; ValueError for one the snapshot does not use yet (a new
    column's type needs its entry in ``_TYPES``)."""
    for test, name in _TYPES:
        if test(kind):
            return name
    raise ValueError(f"no Table Schema type for the Arrow type {kind}")


def table_field(column: pa.Field) -> dict[str, Any]:
    """One column as a Table Schema field."""
    descriptor: dict[str, Any] = {
        "name": column.name,
        "type": table_type(column.type),
        "format": _FORMATS.get(column.name, "default"),
        "description": (column.metadata or {}).get(DESCRIPTION, b"").decode(),
        "arrowType": str(column.type),
        "constraints": {"required": not column.nullable},
    }
    if pa.types.is_list(column.type):
        descriptor["arrayItem"] = {"type": table_type(column.type.value_type)}
    return descriptor


def table_schema() -> dict[str, Any]:
    """The snapshot's Table Schema. Parquet keeps real nulls, so no text stands for a missing value (an
    empty ``published_raw`` is an empty string, not a null)."""
    return {
        "fields": [table_field(column) for column in BRIEF_SCHEMA],
        "primaryKey": [PRIMARY_KEY],
        "missingValues": [],
    }


def datapackage(output_dir: Path, snapshot: store.SnapshotRef) -> dict[str, Any]:
    """The Data Package describing ``snapshot`` (a snapshot of ``output_dir``)."""
    meta = store.metadata(snapshot.path)
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "kei-crawler-briefs",
        "title": "The Peninsula briefs, as archived by kei-crawler",
        "description": (
            "The newest snapshot: the whole archive as known after its crawl, one row per brief; a brief "
            "is live while removed_at is null. Every snapshot is under snapshots/ in the same layout."
        ),
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "briefs",
                "path": snapshot.path.relative_to(output_dir).as_posix(),
                "format": "parquet",
                "mediatype": MEDIATYPE,
                "schema": table_schema(),
            }
        ],
        "kei_crawler": {
            "crawl_id": snapshot.crawl_id,
            "base_url": meta.get("base_url", ""),
            "version": meta.get("version", ""),
            "schema_version": SCHEMA_VERSION,
            "schema_history": [version.to_json() for version in SCHEMA_HISTORY],
        },
    }
    if meta.get("finished_at"):
        package["created"] = meta["finished_at"]
    return package


def write_datapackage(output_dir: Path, snapshot: store.SnapshotRef) -> Path:
    """``<output>/datapackage.json`` for ``snapshot``, replaced whole."""
    package = datapackage(output_dir, snapshot)
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    return write_atomic(output_dir / FILENAME, text)


def describe_newest(output_dir: Path) -> None:
    """Point ``datapackage.json`` at the newest snapshot, after a publish. The snapshot is published
    already: failing to write its description loses no data (a warning says so), and the next publish
    writes it again."""
    newest = store.latest(output_dir)
    try:
        if newest is not None:
            write_datapackage(output_dir, newest)
    except OSError as exc:
        logger.warning("Could not write the data package: %s", os_error_line(exc, output_dir / FILENAME))
    except store.SnapshotError as exc:
        logger.warning("Could not write the data package: %s", exc)
