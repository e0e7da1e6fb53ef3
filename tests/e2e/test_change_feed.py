"""The story of issue 16 for monitors, on the replica: a full crawl; the site publishes 3 briefs dated
2020-12 (late, with old dates), edits 1 and removes 1; two crawls. The change feed holds the 3 new briefs
and the edit whatever their dates; ``diff --since`` the first snapshot is the net change, and
``--since-last`` shows it once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import feedparser
import pytest

from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl

ORIGIN = "https://keia.org"


def url(slug: str) -> str:
    return f"{ORIGIN}/the-peninsula/{slug}/"


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    site = build_site(30, theme="modern")
    out = tmp_path_factory.mktemp("story") / "out"
    with ReplicaServer(site) as server:
        first = run_crawl(server.base_url, out, "--full")
        assert first.returncode == 0, first.stderr[-2000:]
        new = [b.slug for b in site.publish(3, on=date(2020, 12, 10))]
        edited, removed = site.briefs[12].slug, site.briefs[17].slug
        site.edit(edited)
        site.remove(removed)
        for flags in ([], ["--revalidate"]):
            crawl = run_crawl(server.base_url, out, *flags)
            assert crawl.returncode in (0, 6), crawl.stderr[-2000:]
    assert len(store.list_snapshots(out)) == 3
    return out, {"added": new, "changed": [edited], "removed": [removed]}


def test_the_feed_holds_the_late_briefs_and_the_edit(
    story: tuple[Path, dict[str, list[str]]], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    out, truth = story
    assert main(["feed", "--output", "-", "--output-dir", str(out)]) == 0
    parsed = feedparser.parse(capsysbinary.readouterr().out)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    entries = {entry.id: entry for entry in parsed.entries}
    for slug in truth["added"]:
        entry = entries[url(slug)]
        assert entry.published.startswith("2020-12-10")
    # Dated 2020 among 30 briefs of 2024-2026, yet within the feed's first entries: seen last.
    top = {entry.link for entry in parsed.entries[:5]}
    assert {url(slug) for slug in truth["added"]} <= top
    crawl_ids = [ref.crawl_id for ref in store.list_snapshots(out)]
    edits = [e for e in parsed.entries if e.id.startswith(url(truth["changed"][0]) + "#changed-")]
    assert len(edits) == 1 and edits[0].title.startswith("Updated: ")
    saw_it = edits[0].id.rsplit("#changed-", 1)[1]
    assert saw_it in crawl_ids[1:]
    assert edits[0].updated == store.crawl_time(saw_it).strftime("%Y-%m-%dT%H:%M:%SZ")  # type: ignore[union-attr]
    assert "body" in edits[0].summary and edits[0].content[0].value.startswith("--- body (before)")
    assert any(e.id.startswith(url(truth["removed"][0]) + "#removed-") for e in parsed.entries)


def test_diff_since_the_full_crawl_and_since_last(
    story: tuple[Path, dict[str, list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, truth = story
    first = store.list_snapshots(out)[0].crawl_id
    assert main(["diff", "--since", first, "--format", "json", "--output-dir", str(out)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert sorted(e["url"] for e in document["added"]) == sorted(url(s) for s in truth["added"])
    assert [e["url"] for e in document["changed"]] == [url(truth["changed"][0])]
    assert document["changed"][0]["text_diff"].startswith("--- body (before)")
    assert [e["url"] for e in document["removed"]] == [url(truth["removed"][0])]
    assert main(["diff", "--since-last", "--format", "json", "--output-dir", str(out)]) == 1
    capsys.readouterr()
    assert main(["diff", "--since-last", "--output-dir", str(out)]) == 0  # nothing twice
    assert "No changes from" in capsys.readouterr().out
