"""Named cursors: the last snapshot a reader of the archive has been shown.

``notify`` keeps one per notification target, ``diff --since-last`` one of its own; each names the crawl
id of the newest snapshot that reader has seen, so the next run shows what came after it, however many
crawls ran in between, and nothing twice. A cursor is a small JSON file in ``<output>/cursors/``, written
atomically (a reader finds the old cursor or the new one, never half of one) and only ever replaced by a
later one: a cursor moves forward or not at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kei_crawler.run.layout import SYMLINK, OutputLayout, kind_of
from kei_crawler.storage.atomic import write_atomic
from kei_crawler.storage.snapshot import store

FOLDER = "cursors"
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class CursorError(Exception):
    """A cursor that cannot be read or written, as one line."""


@dataclass(frozen=True)
class Cursor:
    name: str
    crawl_id: str
    """The newest snapshot this reader has been shown."""
    moved_at: str
    """When the cursor was last moved, ISO 8601 UTC."""
    extra: dict[str, Any] = field(default_factory=dict)
    """What the cursor's owner keeps beside it (e.g. the last failed delivery), JSON-serialisable."""


def folder(layout: OutputLayout) -> Path:
    return layout.root / FOLDER


def path_of(layout: OutputLayout, name: str) -> Path:
    if not NAME.fullmatch(name):
        raise CursorError(f"a cursor name is lower-case letters, digits and '-', got {name!r}")
    return folder(layout) / f"{name}.json"


def read(layout: OutputLayout, name: str) -> Cursor | None:
    """The cursor ``name``, or None when there is none yet."""
    path = path_of(layout, name)
    kind = kind_of(path)
    if kind is None:
        return None
    if kind == SYMLINK:
        raise CursorError(
            f"{path} is a symbolic link, which kei-crawler never writes; move it out of the way"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        cursor = Cursor(name, str(data["crawl_id"]), str(data["moved_at"]), dict(data.get("extra") or {}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CursorError(
            f"cursor {path} cannot be read ({exc}); remove it to start that reader afresh"
        ) from exc
    if not store.is_crawl_id(cursor.crawl_id):
        raise CursorError(f"cursor {path} names {cursor.crawl_id!r}, which is not a crawl id")
    return cursor


def write(layout: OutputLayout, name: str, crawl_id: str, extra: dict[str, Any] | None = None) -> Cursor:
    """Move the cursor ``name`` to ``crawl_id``; never backwards (a ``CursorError`` says so)."""
    if not store.is_crawl_id(crawl_id):
        raise CursorError(f"a cursor names a crawl id, got {crawl_id!r}")
    current = read(layout, name)
    if current is not None and crawl_id < current.crawl_id:
        raise CursorError(f"cursor {name} is at {current.crawl_id}; it does not move back to {crawl_id}")
    where = folder(layout)
    kind = kind_of(where)
    if kind not in (None, "a folder"):
        raise CursorError(f"{where} is {kind}, where kei-crawler keeps its cursors; move it out of the way")
    where.mkdir(parents=True, exist_ok=True)
    cursor = Cursor(name, crawl_id, datetime.now(UTC).isoformat(timespec="seconds"), dict(extra or {}))
    payload = {k: v for k, v in asdict(cursor).items() if k != "name"}
    write_atomic(path_of(layout, name), json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return cursor
