"""Scheduled crawls against a replica that changes between them: counted from the server's own log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.snapshots import snapshot_rows

ORIGIN = "https://keia.org"


def counts_of(out: Path) -> dict[str, object]:
    ref = store.latest(out)
    assert ref is not None
    counts: dict[str, object] = json.loads(store.metadata(ref.path)["counts"])
    return counts


def brief_paths(server: ReplicaServer) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith("/the-peninsula/") and r.path.count("/") == 3
            and "?" not in r.path and not r.path.startswith("/the-peninsula/page/")]  # fmt: skip


def photo_paths(server: ReplicaServer) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith("/wp-content/uploads/")]


def listing_paths(server: ReplicaServer) -> list[str]:
    others = {*brief_paths(server), *photo_paths(server), "/robots.txt"}
    return [r.path for r in server.requests if r.path not in others]


@pytest.fixture
def changed_site(tmp_path: Path) -> Iterator[tuple[ReplicaServer, Path, dict[str, str]]]:
    """A first full crawl of 60 briefs; then the site publishes 3, edits 1 and removes 1."""
    site = build_site(60, theme="modern")
    server = ReplicaServer(site)
    base_url = server.start()
    out = tmp_path / "out"
    first = run_crawl(base_url, out)
    assert first.returncode == 0, first.stderr[-2000:]
    assert counts_of(out)["briefs_new"] == 60
    edited, removed = site.briefs[20].slug, site.briefs[30].slug
    new = [b.slug for b in site.publish(3)]
    site.edit(edited)
    site.remove(removed)
    server.clear_log()
    yield server, out, {"edited": edited, "removed": removed, **{f"new{i}": s for i, s in enumerate(new)}}
    server.stop()


def recrawl(server: ReplicaServer, out: Path, *flags: str) -> None:
    """The scheduled run after the site changed; every one of them publishes."""
    done = run_crawl(server.base_url, out, *flags)
    assert done.returncode == 0, done.stderr[-2000:]


def url(slug: str) -> str:
    return f"{ORIGIN}/the-peninsula/{slug}/"


def test_incremental_fetches_only_the_new_briefs(
    changed_site: tuple[ReplicaServer, Path, dict[str, str]],
) -> None:
    server, out, slugs = changed_site
    before = snapshot_rows(out)
    recrawl(server, out)
    new = [slugs[f"new{i}"] for i in range(3)]
    assert sorted(brief_paths(server)) == sorted(f"/the-peninsula/{s}/" for s in new)
    assert len(listing_paths(server)) <= 2
    photos = sorted(p for p in (server.site.brief(s).photo_path for s in new) if p)  # type: ignore[union-attr]
    assert sorted(photo_paths(server)) == photos  # the new briefs' photos, no other
    assert len(server.requests) <= 2 + 3 + 1 + len(photos)  # listing pages, new briefs, robots.txt, photos

    rows = snapshot_rows(out)
    assert rows.keys() == before.keys() | {url(s) for s in new}
    for key, old in before.items():
        assert rows[key]["content_hash"] == old["content_hash"]  # carried forward unchanged
        assert rows[key]["first_seen"] == old["first_seen"] and rows[key]["fetched_at"] == old["fetched_at"]
    listed_again = [k for k in before if rows[k]["last_seen"] != before[k]["last_seen"]]
    assert listed_again and all(rows[k]["last_seen"] > before[k]["last_seen"] for k in listed_again)
    counts = counts_of(out)
    assert (counts["briefs_new"], counts["briefs_changed"], counts["briefs_carried"]) == (3, 0, 60)
    assert counts["snapshot_rows"] == 63


def test_revalidate_uses_validators_picks_up_the_edit_and_marks_the_removal(
    changed_site: tuple[ReplicaServer, Path, dict[str, str]],
) -> None:
    server, out, slugs = changed_site
    before = snapshot_rows(out)
    recrawl(server, out, "--revalidate")
    conditional = [r for r in server.requests if "If-None-Match" in r.headers or "if-none-match" in r.headers]
    assert len(conditional) == 60  # every archived brief, with its ETag
    statuses = {r.path: r.status for r in server.requests}
    assert statuses[f"/the-peninsula/{slugs['edited']}/"] == 200
    assert statuses[f"/the-peninsula/{slugs['removed']}/"] == 404
    assert sum(1 for r in conditional if r.status == 304) == 58

    rows = snapshot_rows(out)
    assert len(rows) == 63
    edited = rows[url(slugs["edited"])]
    assert edited["content_hash"] != before[url(slugs["edited"])]["content_hash"]
    assert edited["fetched_at"] > before[url(slugs["edited"])]["fetched_at"]
    assert edited["first_seen"] == before[url(slugs["edited"])]["first_seen"]
    removed = rows[url(slugs["removed"])]
    assert removed["removed_at"] is not None and removed["body"] == before[url(slugs["removed"])]["body"]
    assert sum(1 for row in rows.values() if row["removed_at"] is not None) == 1
    counts = counts_of(out)
    assert counts["briefs_changed"] == 1 and counts["briefs_removed"] == 1 and counts["briefs_new"] == 3
    assert counts["briefs_not_modified"] == 58


def test_full_crawl_refetches_everything_and_keeps_lineage(
    changed_site: tuple[ReplicaServer, Path, dict[str, str]],
) -> None:
    server, out, _slugs = changed_site
    before = snapshot_rows(out)
    recrawl(server, out, "--full")
    assert len(set(brief_paths(server))) == 62  # 60 - 1 removed (no longer listed) + 3 new
    rows = snapshot_rows(out)
    assert len(rows) == 63  # the removed brief, no longer listed, is carried forward, not lost
    for key, old in before.items():
        assert rows[key]["first_seen"] == old["first_seen"]
    counts = counts_of(out)
    assert counts["briefs_new"] == 3 and counts["briefs_changed"] == 1 and counts["briefs_unchanged"] == 58
