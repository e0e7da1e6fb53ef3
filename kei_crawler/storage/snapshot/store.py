"""Where snapshots live and how they are found and loaded.

``<output>/snapshots/snapshot=<crawl_id>/briefs.parquet``: published, complete, never rewritten (the rest
of the output directory is ``run.layout``'s). A snapshot is written elsewhere and renamed into place, so
readers, who only ever look under ``snapshots/``, never see half a file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kei_crawler.storage.snapshot.schema import decode_metadata

SNAPSHOTS = "snapshots"
FILENAME = "briefs.parquet"
_CRAWL_ID = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}(?:\.\d{1,6})?Z$")
# A crawl id names a folder and files (snapshot=<id>/, .tmp/<id>/, runs/<id>.json, warc/<id>.warc.gz): one
# plain name, never a path ("../../x", "a/b", NUL), whatever a -s setting or a scheduler passed.
_SAFE_CRAWL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class SnapshotError(Exception):
    """A snapshot that cannot be found or read; the message is one line for the user."""


def new_crawl_id(now: datetime | None = None) -> str:
    """``2026-11-29T043512Z`` — UTC, sortable as text."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H%M%SZ")


def is_crawl_id(text: str) -> bool:
    return bool(_CRAWL_ID.match(text))


def is_safe_crawl_id(text: str) -> bool:
    """True when ``text`` can name a crawl's folder and files: letters, digits, ".", "_", "-"."""
    return _SAFE_CRAWL_ID.fullmatch(text) is not None


def plain_name(crawl_id: str) -> str:
    """``crawl_id``, checked to be a plain name that can name files (ValueError otherwise)."""
    if not is_safe_crawl_id(crawl_id):
        raise ValueError(f"crawl id {crawl_id!r} is not a plain name (letters, digits, '.', '_', '-')")
    return crawl_id


def snapshot_dir(output_dir: str | os.PathLike[str], crawl_id: str) -> Path:
    return Path(output_dir) / SNAPSHOTS / f"snapshot={plain_name(crawl_id)}"


def snapshot_path(output_dir: str | os.PathLike[str], crawl_id: str) -> Path:
    return snapshot_dir(output_dir, crawl_id) / FILENAME


@dataclass(frozen=True)
class SnapshotRef:
    crawl_id: str
    path: Path


def list_snapshots(output_dir: str | os.PathLike[str]) -> list[SnapshotRef]:
    """Published snapshots, oldest first (crawl ids sort as time)."""
    root = Path(output_dir) / SNAPSHOTS
    if not root.is_dir():
        return []
    refs = []
    for child in root.iterdir():
        name = child.name
        if name.startswith("snapshot=") and (child / FILENAME).is_file():
            refs.append(SnapshotRef(name.removeprefix("snapshot="), child / FILENAME))
    return sorted(refs, key=lambda ref: ref.crawl_id)


def latest(output_dir: str | os.PathLike[str]) -> SnapshotRef | None:
    refs = list_snapshots(output_dir)
    return refs[-1] if refs else None


def load(path: str | os.PathLike[str]) -> pa.Table:
    """The snapshot's table; SnapshotError with a one-line reason when it is missing or unreadable."""
    p = Path(path)
    if not p.exists():
        raise SnapshotError(f"{p}: no such file")
    if p.is_dir():
        p = p / FILENAME
        if not p.is_file():
            raise SnapshotError(f"{p}: no such file")
    try:
        return pq.read_table(p)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SnapshotError(f"{p}: not a readable Parquet file ({_first_line(exc)})") from exc


def metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``kei_crawler.*`` key-value metadata of a snapshot file."""
    try:
        return decode_metadata(pq.read_metadata(path).metadata)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SnapshotError(f"{path}: not a readable Parquet file ({_first_line(exc)})") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
