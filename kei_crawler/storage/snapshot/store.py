"""Where snapshots live and how they are found and loaded.

``<output>/snapshots/snapshot=<crawl_id>/briefs.parquet``: published, complete, never rewritten (the rest
of the output directory is ``run.layout``'s). A snapshot is written elsewhere and renamed into place, so
readers, who only ever look under ``snapshots/``, never see half a file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kei_crawler.storage.snapshot.schema import decode_metadata

SNAPSHOTS = "snapshots"
FILENAME = "briefs.parquet"
PREFIX = "snapshot="
CRAWL_ID_FORMAT = "%Y-%m-%dT%H%M%SZ"
EXAMPLE_CRAWL_ID = "2026-11-29T043512Z"
# A crawl id is one form only, so that ids sort as time when sorted as text, and so that it names a folder
# and files (snapshot=<id>/, .tmp/<id>/, runs/<id>.json, warc/<id>.warc.gz) and never a path.
_CRAWL_ID = re.compile(r"\d{4}-\d{2}-\d{2}T\d{6}Z")


class SnapshotError(Exception):
    """A snapshot that cannot be found or read; the message is one line for the user."""


def new_crawl_id(now: datetime | None = None) -> str:
    """``2026-11-29T043512Z`` — UTC, sortable as text."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime(CRAWL_ID_FORMAT)


def is_crawl_id(text: str) -> bool:
    """True for a crawl id: the UTC time ``2026-11-29T043512Z``, a real date and time."""
    return _CRAWL_ID.fullmatch(text) is not None and crawl_time(text) is not None


def crawl_time(crawl_id: str) -> datetime | None:
    """The UTC time a crawl id names; None when it names none."""
    try:
        return datetime.strptime(crawl_id, CRAWL_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def crawl_id_after(crawl_id: str) -> str:
    """The crawl id one second after ``crawl_id``."""
    when = crawl_time(crawl_id)
    if when is None:
        raise ValueError(f"{crawl_id!r} is not a crawl id like {EXAMPLE_CRAWL_ID}")
    return new_crawl_id(when + timedelta(seconds=1))


def plain_name(crawl_id: str) -> str:
    """``crawl_id``, checked to be a crawl id, so that it names a file and never a path (ValueError)."""
    if not is_crawl_id(crawl_id):
        raise ValueError(f"{crawl_id!r} is not a crawl id like {EXAMPLE_CRAWL_ID}")
    return crawl_id


def snapshot_dir(output_dir: str | os.PathLike[str], crawl_id: str) -> Path:
    return Path(output_dir) / SNAPSHOTS / f"{PREFIX}{plain_name(crawl_id)}"


def snapshot_path(output_dir: str | os.PathLike[str], crawl_id: str) -> Path:
    return snapshot_dir(output_dir, crawl_id) / FILENAME


@dataclass(frozen=True)
class SnapshotRef:
    crawl_id: str
    path: Path


@dataclass(frozen=True)
class Scan:
    """What ``snapshots/`` holds: the snapshots, oldest first, and one line for each entry that is not one."""

    refs: list[SnapshotRef]
    ignored: list[str]


def scan(output_dir: str | os.PathLike[str]) -> Scan:
    """The snapshots in ``output_dir``: the real folders ``snapshot=<crawl id>`` holding a regular
    ``briefs.parquet``. A symlink, another name or an empty folder is never one: a ``snapshot=latest`` link
    or a name sorting after every time would otherwise be "the newest" for ever."""
    root = Path(output_dir) / SNAPSHOTS
    if not root.is_dir():
        return Scan([], [])
    refs, ignored = [], []
    for child in sorted(root.iterdir()):
        if child.name.startswith("."):
            continue
        try:
            why = _not_a_snapshot(child)
        except OSError as exc:  # a folder it may not enter
            why = f"cannot be read ({exc.strerror or exc})"
        if why:
            # A name with a newline or bytes that are not UTF-8 is quoted: the warning stays one printable line.
            shown = child if child.name.isprintable() else f"{child.parent}/{child.name!r}"
            ignored.append(f"ignoring {shown}: {why}")
        else:
            refs.append(SnapshotRef(child.name.removeprefix(PREFIX), child / FILENAME))
    return Scan(sorted(refs, key=lambda ref: ref.crawl_id), ignored)


def _not_a_snapshot(entry: Path) -> str | None:
    """Why ``entry`` of ``snapshots/`` is not a snapshot; None when it is one."""
    crawl_id = entry.name.removeprefix(PREFIX)
    if entry.is_symlink():
        return "a symlink, not a snapshot folder"
    if not entry.name.startswith(PREFIX) or not is_crawl_id(crawl_id):
        return f"not named snapshot=<crawl id>: {crawl_id!r} is not a crawl id like {EXAMPLE_CRAWL_ID}"
    if not entry.is_dir():
        return "not a folder"
    file = entry / FILENAME
    if file.is_symlink() or not file.is_file():
        return f"holds no regular {FILENAME}"
    return None


def list_snapshots(output_dir: str | os.PathLike[str]) -> list[SnapshotRef]:
    """Published snapshots, oldest first (crawl ids sort as time)."""
    return scan(output_dir).refs


def latest(output_dir: str | os.PathLike[str]) -> SnapshotRef | None:
    """The newest snapshot, whether or not its file reads."""
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
        raise SnapshotError(f"{p}: not a readable Parquet file ({first_line(exc)})") from exc


def metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``kei_crawler.*`` key-value metadata of a snapshot file."""
    try:
        return decode_metadata(pq.read_metadata(path).metadata)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SnapshotError(f"{path}: not a readable Parquet file ({first_line(exc)})") from exc


def first_line(exc: BaseException) -> str:
    """An exception as one line for the user: its message's first line, or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
