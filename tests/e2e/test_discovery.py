"""The sitemaps and the feed in a crawl (``spiders.index_requests``): found through robots.txt or the usual
locations, a brief only they list archived, the disagreements counted, and a site without them costing
only the requests that find that out. Counted from the replica's own log and the run manifest."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from kei_crawler.extensions.manifest import latest_manifest
from kei_crawler.replica import Fault, FaultPlan, FaultRule, ReplicaServer, build_site
from tests.support.crawling import run_crawl
from tests.support.faulty_site import FaultySite, Rendered
from tests.support.snapshots import snapshot_rows

ORIGIN = "https://keia.org"
DISCOVERY = ("-s", "KEI_SITEMAPS=on")


def crawl(server: ReplicaServer, out: Path, *flags: str) -> tuple[dict[str, object], str]:
    done = run_crawl(server.base_url, out, *flags)
    assert done.returncode == 0, done.stderr[-3000:]
    return latest_manifest(out)["counts"], done.stderr


def paths(server: ReplicaServer) -> list[str]:
    return [r.path for r in server.requests]


def test_a_brief_only_the_sitemap_lists_is_archived_by_the_next_incremental_crawl(tmp_path: Path) -> None:
    site = build_site(60, theme="modern", sitemaps="core", feed=True)
    out = tmp_path / "out"
    with ReplicaServer(site) as server:
        first, _ = crawl(server, out, *DISCOVERY)
        assert first["index_disagreements"] == {
            "briefs_from_indexes": 0, "feed_not_in_listing": 0,
            "listing_not_in_sitemap": 0, "sitemap_not_in_listing": 0,
        }  # fmt: skip
        assert first["sitemap_briefs"] == 60 and first["feed_briefs"] == 10
        hidden, shown = (brief.slug for brief in site.publish(2))
        site.disagree(sitemap_only=hidden)
        server.clear_log()
        counts, _ = crawl(server, out, *DISCOVERY)
    archived = snapshot_rows(out)
    assert f"{ORIGIN}/the-peninsula/{hidden}/" in archived and f"{ORIGIN}/the-peninsula/{shown}/" in archived
    assert counts["briefs_new"] == 2
    disagreements = counts["index_disagreements"]
    assert isinstance(disagreements, dict)
    assert disagreements["sitemap_not_in_listing"] == 1 and disagreements["briefs_from_indexes"] == 1
    assert disagreements["listing_not_in_sitemap"] == 0
    assert latest_manifest(out)["counts"]["index_disagreements"] == disagreements
    briefs = [
        p for p in paths(server) if p.startswith("/the-peninsula/") and p.count("/") == 3 and "?" not in p
    ]
    assert sorted(briefs) == sorted(f"/the-peninsula/{slug}/" for slug in (hidden, shown))  # each once


def test_a_brief_only_the_listing_shows_is_counted(tmp_path: Path) -> None:
    site = build_site(
        60, theme="flat", sitemaps="plugin", gzip_sitemaps=True, feed=True, sitemap_disagrees=True
    )
    with ReplicaServer(site) as server:
        counts, _ = crawl(server, tmp_path / "out", *DISCOVERY)
    assert counts["briefs_new"] == 60  # the sitemap-only brief too
    assert counts["index_disagreements"] == {
        "briefs_from_indexes": 1, "feed_not_in_listing": 0,
        "listing_not_in_sitemap": 1, "sitemap_not_in_listing": 1,
    }  # fmt: skip
    assert counts["sitemap_files"] == 3  # the index, the posts' sitemap, the pages' (gzipped)
    assert any(p.endswith(".xml.gz") for p in paths(server))


def test_without_sitemaps_discovery_costs_the_named_sitemap_and_the_feed(tmp_path: Path) -> None:
    """robots.txt names /sitemap.xml, which answers 404, as does /feed/: two requests, no error, no probe."""
    logs = []
    for setting in ("off", "on"):
        with ReplicaServer(build_site(60, theme="flat")) as server:
            counts, stderr = crawl(server, tmp_path / setting, "-s", f"KEI_SITEMAPS={setting}")
            logs.append(Counter(paths(server)))
        assert counts["sitemap_errors"] == {} and counts["feed_errors"] == {}
        assert "Could not read" not in stderr  # a missing sitemap or feed is no warning
    off, on = logs
    assert on - off == Counter({"/sitemap.xml": 1, "/feed/": 1}) and not off - on
    rows = [
        {url: row["content_hash"] for url, row in snapshot_rows(tmp_path / s).items()} for s in ("off", "on")
    ]
    assert rows[0] == rows[1] and len(rows[0]) == 60


def test_the_usual_locations_are_tried_when_robots_txt_names_none(tmp_path: Path) -> None:
    site = build_site(60, theme="flat", sitemaps="plugin")
    plan = FaultPlan({"/robots.txt": FaultRule(Fault.ROBOTS_DISALLOW, param="/private/")})  # no Sitemap line
    with ReplicaServer(site, faults=plan) as server:
        counts, _ = crawl(server, tmp_path / "out", *DISCOVERY)
        asked = [p for p in paths(server) if "sitemap" in p]
    assert asked[:2] == ["/wp-sitemap.xml", "/sitemap_index.xml"] and "/sitemap.xml" not in asked
    assert counts["sitemap_briefs"] == 60


def test_a_sitemap_the_parser_refuses_is_one_warning_and_counted(tmp_path: Path) -> None:
    site = build_site(60, theme="flat", sitemaps="core")
    plan = FaultPlan({"/wp-sitemap-posts-post-1.xml": FaultRule(Fault.LOGIN_PAGE)})  # HTML, not a sitemap
    with ReplicaServer(site, faults=plan) as server:
        counts, stderr = crawl(server, tmp_path / "out", *DISCOVERY)
    assert counts["sitemap_errors"] == {"refused": 1}
    assert counts["briefs_new"] == 60  # the listing still finds every brief
    # What the sitemaps list is incomplete: nothing is concluded from a brief's absence from them.
    disagreements = counts["index_disagreements"]
    assert isinstance(disagreements, dict) and disagreements["listing_not_in_sitemap"] == 0
    warned = [line for line in stderr.splitlines() if "wp-sitemap-posts-post-1.xml" in line]
    assert len(warned) == 1 and "WARNING" in warned[0]


# Columns that name the run or the moment rather than the brief: each crawl sets its own.
PER_RUN = {"fetched_at", "first_seen", "last_seen", "removed_at", "warc_file", "warc_record_id", "warc_offset",
           "photo_warc_record_id", "crawl_id", "refresh_error"}  # fmt: skip


def comparable(out: Path, before: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """Each row without its per-run columns, plus whether this crawl moved its last_seen or removed it."""
    return {
        url: {**{k: v for k, v in row.items() if k not in PER_RUN},
              "seen_again": url in before and row["last_seen"] != before[url]["last_seen"],
              "removed": row["removed_at"] is not None}
        for url, row in snapshot_rows(out).items()
    }  # fmt: skip


def test_revalidation_by_lastmod_asks_only_for_what_changed(tmp_path: Path) -> None:
    site = build_site(60, theme="modern", sitemaps="core", feed=True)
    first = tmp_path / "first"
    with ReplicaServer(site) as server:
        crawl(server, first, *DISCOVERY)
        before = snapshot_rows(first)
        edited, removed = site.briefs[20].slug, site.briefs[30].slug
        new = [brief.slug for brief in site.publish(3)]
        site.edit(edited)
        site.remove(removed)
        results = {}
        for name, flags in (("lastmod", ()), ("per_brief", ("-s", "KEI_REVALIDATE_BY_LASTMOD=False"))):
            out = tmp_path / name
            shutil.copytree(first, out)
            server.clear_log()
            counts, _ = crawl(server, out, "--revalidate", *DISCOVERY, *flags)
            results[name] = (counts, Counter(paths(server)), comparable(out, before))
    (by_lastmod, asked, rows), (per_brief, asked_each, rows_each) = results["lastmod"], results["per_brief"]
    assert rows == rows_each
    assert (
        rows[url(edited)]["content_hash"] != before[url(edited)]["content_hash"]
        and rows[url(removed)]["removed"]
    )
    briefs = sorted(
        p for p in asked if p.startswith("/the-peninsula/") and p.count("/") == 3 and "?" not in p
    )
    assert briefs == sorted(f"/the-peninsula/{slug}/" for slug in [*new, edited, removed])
    photos = sum(n for p, n in asked.items() if p.startswith("/wp-content/"))
    # robots.txt + the index and its two sitemaps + the feed + 2 listing pages + 5 briefs, and their photos
    assert sum(asked.values()) - photos <= 1 + 3 + 1 + 2 + 5
    assert (
        by_lastmod["briefs_dated_unchanged"] == 60 - 2
    )  # the archive's briefs but the edited and the removed
    assert sum(asked_each.values()) > 60 and per_brief["briefs_dated_unchanged"] == 0
    assert by_lastmod["briefs_changed"] == per_brief["briefs_changed"] == 1


def url(slug: str) -> str:
    return f"{ORIGIN}/the-peninsula/{slug}/"


def test_without_sitemaps_revalidation_asks_for_every_brief_as_before(tmp_path: Path) -> None:
    site = build_site(60, theme="flat")
    out = tmp_path / "out"
    with ReplicaServer(site) as server:
        crawl(server, out, *DISCOVERY)
        site.edit(site.briefs[20].slug)
        server.clear_log()
        counts, _ = crawl(server, out, "--revalidate", *DISCOVERY)
        conditional = [r for r in server.requests if any(h.lower() == "if-none-match" for h in r.headers)]
    assert len(conditional) == 60 and counts["briefs_changed"] == 1 and counts["briefs_dated_unchanged"] == 0


def test_sitemaps_and_entries_on_another_host_are_never_requested(tmp_path: Path) -> None:
    site = build_site(60, theme="flat", sitemaps="core")
    with ReplicaServer(build_site(3, theme="flat")) as other:
        elsewhere = other.base_url

        def robots(_path: str, base: str) -> Rendered:
            text = f"User-agent: *\nDisallow:\nSitemap: {elsewhere}/wp-sitemap.xml\nSitemap: {base}/wp-sitemap.xml\n"
            return 200, {"Content-Type": "text/plain"}, text.encode()

        def posts(_path: str, base: str) -> Rendered:
            locs = [f"{elsewhere}/the-peninsula/{site.briefs[0].slug}/", f"{base}{site.briefs[1].path}"]
            body = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
            xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
            return 200, {"Content-Type": "application/xml"}, xml.encode()

        faulty = FaultySite(site, {"/robots.txt": robots, "/wp-sitemap-posts-post-1.xml": posts})
        with ReplicaServer(faulty) as server:  # type: ignore[arg-type]
            counts, _ = crawl(server, tmp_path / "out", *DISCOVERY)
        assert other.requests == []
    assert counts["sitemap_briefs"] == 1 and counts["briefs_new"] == 60
