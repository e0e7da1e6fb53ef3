"""Bad pages among the listed briefs: each is a counted, logged drop or error, and the crawl goes on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.faulty_site import FaultySite, Rendered, status

EMPTY_BRIEF = b"""<!doctype html><html><head><title>Nothing here</title></head><body>
<p>The Peninsula</p><h1>A brief with no words</h1><p>Published March 3, 2021</p>
<p>Return to the Peninsula</p></body></html>"""


def test_bad_briefs_are_counted_and_the_crawl_completes(tmp_path: Path) -> None:
    site = build_site(60, theme="flat")
    victims = [b.path for b in site.briefs if b.slug != "renewed-south-korea-mexico-ties"][3:8]

    def news_page(_path: str, base: str) -> Rendered:
        return site.render("/news/kei-announces-new-fellows/", base)

    def undated(path: str, base: str) -> Rendered:
        code, headers, body = site.render(path, base)
        body = re.sub(rb"Published\s+\w+\s+\d{1,2},\s+\d{4}", b"", body)
        return code, headers, body

    faults = {
        victims[0]: status(500),
        victims[1]: status(404),
        victims[2]: news_page,
        victims[3]: undated,
        victims[4]: lambda _p, _b: (200, {"Content-Type": "text/html; charset=utf-8"}, EMPTY_BRIEF),
    }
    server = ReplicaServer(FaultySite(site, faults))  # type: ignore[arg-type]
    base_url = server.start()
    try:
        done = run_crawl(base_url, tmp_path / "out", "-s", "RETRY_TIMES=1")
    finally:
        server.stop()
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-3000:]  # published, five briefs lost
    snapshot = store.latest(tmp_path / "out")
    assert snapshot is not None
    slugs = set(pq.read_table(snapshot.path, columns=["slug"]).column("slug").to_pylist())
    assert len(slugs) == 55
    assert not slugs & {path.split("/")[2] for path in victims}

    counts = json.loads(store.metadata(snapshot.path)["counts"])
    assert counts["briefs_dropped"] == {"EmptyBody": 1, "MissingDate": 1, "NotABrief": 1}
    assert counts["brief_errors"] == {"http_404": 1, "http_500": 1}
    assert {(e["reason"], e["url"].split("/")[-2]) for e in counts["errors"]} == {
        ("http_500", victims[0].split("/")[2]),
        ("http_404", victims[1].split("/")[2]),
    }
    # The summary shows them; the log names each dropped page's URL and reason.
    for shown in ("dropped: EmptyBody", "dropped: MissingDate", "dropped: NotABrief", "http_404", "http_500"):
        assert shown in done.stdout
    for path in victims[2:]:
        assert path in done.stderr
    assert "Traceback" not in done.stderr


def test_a_brief_that_moved_is_archived_under_its_new_url(tmp_path: Path) -> None:
    site = build_site(20, theme="modern")
    brief = site.briefs[4]
    new_path = f"/the-peninsula/{brief.slug}-renamed/"

    def moved(_path: str, base: str) -> Rendered:
        return 301, {"Location": f"{base}{new_path}", "Content-Type": "text/html"}, b""

    def renamed(_path: str, base: str) -> Rendered:
        return site.render(brief.path, base)

    with ReplicaServer(FaultySite(site, {brief.path: moved, new_path: renamed})) as server:  # type: ignore[arg-type]
        done = run_crawl(server.base_url, tmp_path / "out")
    assert done.returncode == 0, done.stderr[-3000:]
    ref = store.latest(tmp_path / "out")
    assert ref is not None
    urls = pq.read_table(ref.path, columns=["url"]).column("url").to_pylist()
    assert len(urls) == 20
    assert f"https://keia.org{new_path}" in urls  # the row names where the brief lives now
    assert f"https://keia.org{brief.path}" not in urls
