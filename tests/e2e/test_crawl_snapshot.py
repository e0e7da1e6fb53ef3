"""End to end: crawl the replica over real HTTP in every theme and pagination style, check the snapshot."""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kei_crawler.pages.strategies import VOCABULARY
from kei_crawler.replica import THEMES, ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, SCHEMA_VERSION
from tests.support import FIXTURES
from tests.support.crawling import run_crawl

COMPARED = ("url", "slug", "title", "published", "authors", "categories", "series", "body", "credits",
            "photo_caption", "photo_url")  # fmt: skip
NOT_BRIEF_SECTIONS = ("/news/", "/podcasts/", "/contributor/", "/category/", "/region/", "/location/")


def crawl_replica(
    tmp_path: Path, theme: str, pagination: str, n: int = 60
) -> tuple[ReplicaServer, Path, str]:
    site = build_site(n, theme=theme, pagination=pagination)
    server = ReplicaServer(site)
    base_url = server.start()
    try:
        done = run_crawl(base_url, tmp_path / "out")
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    return server, tmp_path / "out", done.stdout


@pytest.mark.parametrize("pagination", ["query", "path"])
@pytest.mark.parametrize("theme", THEMES)
def test_snapshot_equals_the_replicas_truth(tmp_path: Path, theme: str, pagination: str) -> None:
    server, out, stdout = crawl_replica(tmp_path, theme, pagination)
    snapshot = store.latest(out)
    assert snapshot is not None
    # The snapshot's path is the last line printed.
    assert stdout.strip().splitlines()[-1] == str(snapshot.path)
    table = pq.read_table(snapshot.path)
    assert table.schema.remove_metadata() == BRIEF_SCHEMA
    rows = {row["url"]: row for row in table.to_pylist()}
    truth = {record["url"]: record for record in server.site.expected_records()}
    assert table.num_rows == len(truth) == 60
    assert rows.keys() == truth.keys()
    mismatches = [
        (url, name, rows[url][name], truth[url][name])
        for url in truth
        for name in COMPARED
        if rows[url][name] != truth[url][name]
    ]
    assert mismatches == []
    assert len({row["brief_id"] for row in rows.values()}) == 60
    for row in rows.values():
        assert row["fetched_at"].tzinfo is not None and row["fetched_at"].utcoffset().total_seconds() == 0
        assert row["first_seen"] == row["last_seen"] == row["fetched_at"]
        assert row["removed_at"] is None
        assert row["http_etag"] and row["http_last_modified"]
        assert row["published_raw"]
        provenance = dict(row["provenance"])
        assert {"title", "published_raw", "body"} <= provenance.keys()
        assert set(provenance.values()) <= VOCABULARY
        assert ("photo_caption" in provenance) is (row["photo_caption"] is not None)

    # Each brief and its photo requested once, nothing outside The Peninsula's listing, briefs and their
    # photos (and robots.txt): no logo, no stylesheet, no other section.
    paths = [r.path for r in server.requests]
    brief_paths = [p for p in paths if p.split("?")[0] in {urlpath(u) for u in truth}]
    assert sorted(brief_paths) == sorted(urlpath(u) for u in truth)
    photos = sorted(urlpath(t["photo_url"]) for t in truth.values() if t["photo_url"])
    assert sorted(p for p in paths if p.startswith("/wp-content/")) == photos
    assert not [p for p in paths if p.startswith(NOT_BRIEF_SECTIONS)]
    assert all(p == "/robots.txt" or p.startswith(("/the-peninsula", "/wp-content/uploads/")) for p in paths)

    meta = store.metadata(snapshot.path)
    assert meta["crawl_id"] == snapshot.crawl_id
    assert meta["finish_reason"] == "finished"
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    counts = json.loads(meta["counts"])
    assert counts["briefs_written"] == 60
    assert counts["briefs_dropped"] == {}
    # Fill rates are the truth's own: a field missed on some pages would show here first.
    for name in ("title", "authors", "categories", "series", "credits", "photo_caption", "photo_url"):
        share = sum(1 for record in truth.values() if record[name]) / 60
        assert counts["fill_rates"][name] == round(share, 4), name
    assert counts["fill_rates"]["updated"] == 0.0
    assert "fields filled" in stdout


def urlpath(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def captured_fields() -> dict[str, str]:
    """Title, body, credits and caption as the capture of the real page shows them."""
    # The capture has a no-break space or two; the snapshot's text has white space collapsed.
    text = (FIXTURES / "captured-brief.txt").read_text()
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    title = lines[lines.index("The Peninsula") + 1]
    start = next(i for i, line in enumerate(lines) if line.startswith("Published ")) + 1
    blurb = next(i for i, line in enumerate(lines) if line.startswith("This briefing comes from Korea View"))
    credit_line = lines[blurb + 1]
    split = credit_line.index(" Picture of ")
    return {
        "title": title,
        "body": "\n\n".join(lines[start:blurb]),
        "credits": credit_line[:split],
        "photo_caption": credit_line[split + 1 :],
    }


def test_the_captured_brief_word_for_word(tmp_path: Path) -> None:
    _, out, _ = crawl_replica(tmp_path, "flat", "query")
    table = pq.read_table(store.latest(out).path)  # type: ignore[union-attr]
    row = next(r for r in table.to_pylist() if r["slug"] == "renewed-south-korea-mexico-ties")
    expected = captured_fields()
    assert row["title"] == expected["title"] == "Renewed South Korea-Mexico Ties"
    assert row["published"] == date(2022, 7, 24)
    assert row["body"] == expected["body"]
    assert row["body"].count("\n\n") == 2 and "Korea View" not in row["body"]
    assert row["credits"] == expected["credits"]
    assert row["credits"].startswith("Korea View was edited by Yong Kwon with the help of Jae Chang,")
    assert row["photo_caption"] == expected["photo_caption"]
    assert row["photo_caption"].startswith("Picture of South Korea and Mexico")
    assert row["series"] == "Korea View"
    assert row["authors"] == [] and row["categories"] == []
    assert row["url"] == "https://keia.org/the-peninsula/renewed-south-korea-mexico-ties/"
    assert row["fetched_at"].tzinfo == UTC or row["fetched_at"].utcoffset().total_seconds() == 0
