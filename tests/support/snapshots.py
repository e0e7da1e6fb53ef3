"""Briefs and snapshots built in memory or on disk, for the diff, carry, feed and survey tests; a snapshot read back."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from kei_crawler.items import Brief, content_hash
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.schema import to_table
from kei_crawler.urls import brief_id

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)
BODY = "\n\n".join(
    f"Paragraph {n} says something about the Korean peninsula and its economy." for n in range(8)
)


def brief(slug: str, **fields: Any) -> Brief:
    url = f"https://keia.org/the-peninsula/{slug}/"
    values: dict[str, Any] = {
        "title": f"Title of {slug}",
        "published": date(2025, 5, 1),
        "published_raw": "May 1, 2025",
        "authors": ["Kim Min-ji"],
        "categories": ["Economics"],
        "body": f"{slug}: {BODY}",
        "photo_caption": "A caption.",
        "fetched_at": T0,
        "first_seen": T0,
        "last_seen": T0,
        **fields,
    }
    made = Brief(url=url, brief_id=brief_id(url), slug=slug, **values)
    return rehash(made)


def rehash(b: Brief) -> Brief:
    return dataclasses.replace(b, content_hash=content_hash(b.title, b.published, b.body, b.photo_caption))


def edit(b: Brief, **fields: Any) -> Brief:
    return rehash(dataclasses.replace(b, fetched_at=T1, last_seen=T1, **fields))


def move(b: Brief, slug: str) -> Brief:
    url = f"https://keia.org/the-peninsula/{slug}/"
    return dataclasses.replace(b, url=url, brief_id=brief_id(url), slug=slug)


def write_snapshot(out: Path, crawl_id: str, briefs: list) -> Path:
    path = store.snapshot_path(out, crawl_id)
    path.parent.mkdir(parents=True)
    pq.write_table(to_table(briefs), path)
    return path


def snapshot_rows(out: Path) -> dict[str, dict[str, Any]]:
    ref = store.latest(out)
    assert ref is not None
    return {row["url"]: row for row in pq.read_table(ref.path).to_pylist()}


def two_snapshots(out: Path) -> Path:
    """An archive of two snapshots: b0 kept, b1 gone, b2 new."""
    write_snapshot(out, "2026-01-01T000000Z", [brief("b0"), brief("b1")])
    write_snapshot(out, "2026-01-02T000000Z", [brief("b0"), brief("b2")])
    return out
