"""A site without sitemaps and a feed (``run.index_absence``): the crawl that finds that out asks, the
incremental crawls after it send today's requests, and every other mode asks again, so a site that gains
them is noticed. Counted from the replica's own log."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from kei_crawler.extensions.manifest import latest_manifest
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.sitemap_xml import Publishing
from kei_crawler.run.outcome import ExitCode
from tests.support.crawling import run_crawl

NOTHING_NEW = ExitCode.NOTHING_NEW  # a crawl that confirms the archive and finds nothing to add
DISCOVERY = ("-s", "KEI_SITEMAPS=on")
ASKED = Counter({"/sitemap.xml": 1, "/feed/": 1})  # robots.txt names /sitemap.xml: both answer 404


def crawl(server: ReplicaServer, out: Path, *flags: str) -> tuple[dict[str, object], Counter[str]]:
    server.clear_log()
    done = run_crawl(server.base_url, out, *DISCOVERY, *flags)  # a -s among the flags wins
    assert done.returncode in (0, NOTHING_NEW), done.stderr[-3000:]
    return latest_manifest(out)["counts"], Counter(r.path for r in server.requests)


def test_without_sitemaps_incremental_crawls_send_todays_requests(tmp_path: Path) -> None:
    site = build_site(40, theme="flat")
    on, off = tmp_path / "on", tmp_path / "off"
    with ReplicaServer(site) as server:
        _, full_on = crawl(server, on)
        _, full_off = crawl(server, off, "-s", "KEI_SITEMAPS=off")
        assert full_on - full_off == ASKED  # the first crawl asks, and finds neither
        site.publish(2)
        counts, incremental_on = crawl(server, on)
        _, incremental_off = crawl(server, off, "-s", "KEI_SITEMAPS=off")
        assert counts["briefs_new"] == 2
        assert incremental_on == incremental_off  # exactly today's: nothing asked again
        _, revalidated = crawl(server, on, "--revalidate")
        assert revalidated["/sitemap.xml"] == revalidated["/feed/"] == 1  # every other mode asks again
        _, again = crawl(server, on)
        assert "/feed/" not in again and "/sitemap.xml" not in again


def test_a_site_that_gains_a_feed_or_sitemaps_is_noticed(tmp_path: Path) -> None:
    site = build_site(40, theme="modern")
    out = tmp_path / "out"
    with ReplicaServer(site) as server:
        crawl(server, out)
        site.publishing = Publishing(feed=True)  # robots.txt still names the same missing /sitemap.xml
        _, skipped = crawl(server, out)
        assert "/feed/" not in skipped  # not until the next asking
        counts, revalidated = crawl(server, out, "--revalidate")
        assert revalidated["/feed/"] == 1 and counts["feed_briefs"] == 10
        site.publishing = Publishing(sitemaps="plugin", feed=True)
        counts, incremental = crawl(server, out)  # a feed was found last time: asked again
        assert incremental["/sitemap_index.xml"] == 1 and counts["sitemap_briefs"] == 40


def test_a_sitemap_robots_txt_starts_to_name_is_read_at_once(tmp_path: Path) -> None:
    site = build_site(40, theme="flat")
    out = tmp_path / "out"
    with ReplicaServer(site) as server:
        crawl(server, out)
        site.publishing = Publishing(sitemaps="core")  # robots.txt now names /wp-sitemap.xml
        counts, incremental = crawl(server, out)
    assert incremental["/wp-sitemap.xml"] == 1 and counts["sitemap_briefs"] == 40
