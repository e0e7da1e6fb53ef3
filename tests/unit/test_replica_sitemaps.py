"""The replica's sitemaps and feed: off by default (today's bytes), and when on, what WordPress core or a
plugin publishes — every live brief with its lastmod, paged, gzipped on request, updated by publish, edit
and remove, and a sitemap that disagrees with the listing on request. Read back with ``pages.sitemaps`` and
``pages.feeds``, so the replica and the parser are checked against each other as well as against the truth.
"""

from __future__ import annotations

import gzip
import hashlib
from email.utils import parsedate_to_datetime

import lxml.html
import pytest

from kei_crawler.pages.feeds import read_feed
from kei_crawler.pages.sitemaps import Sitemap, read_sitemap
from kei_crawler.replica import THEMES, Site, build_site
from kei_crawler.replica import __main__ as replica_command
from kei_crawler.replica.rss import FEED_ITEMS
from kei_crawler.replica.sitemap_xml import INDEX_PATHS, PAGE_SIZES
from kei_crawler.urls import is_brief_url

BASE = "http://replica.test"
STYLES = tuple(INDEX_PATHS)


def fetch(site: Site, path: str) -> tuple[int, dict[str, str], bytes]:
    return site.render(path, BASE)


def sitemap_of(site: Site) -> tuple[Sitemap, list[Sitemap]]:
    """The index robots.txt names, and each sitemap it lists, read as a crawler would."""
    robots = fetch(site, "/robots.txt")[2].decode()
    index_url = next(line.split(": ", 1)[1] for line in robots.splitlines() if line.startswith("Sitemap: "))
    status, _, body = fetch(site, index_url.removeprefix(BASE))
    assert status == 200
    index = read_sitemap(body, index_url, BASE)
    assert index.kind == "index"
    children = []
    for entry in index.entries:
        status, _, body = fetch(site, entry.url.removeprefix(BASE))
        assert status == 200
        children.append(read_sitemap(body, entry.url, BASE))
    return index, children


def brief_lastmods(site: Site) -> dict[str, object]:
    _, children = sitemap_of(site)
    return {e.url: e.lastmod for child in children for e in child.entries if is_brief_url(e.url)}


@pytest.mark.parametrize("theme", THEMES)
def test_off_by_default_the_site_serves_what_it_served_before(theme: str) -> None:
    site = build_site(12, theme=theme)
    assert fetch(site, "/robots.txt")[2] == (
        b"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
        b"Sitemap: http://replica.test/sitemap.xml\n"
    )
    for path in ("/sitemap.xml", "/wp-sitemap.xml", "/sitemap_index.xml", "/post-sitemap.xml", "/feed/"):
        assert fetch(site, path)[0] == 404, path
    assert site.listed() is site.briefs


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("style", STYLES)
def test_the_sitemaps_list_every_brief_with_its_modified_time(theme: str, style: str) -> None:
    site = build_site(30, theme=theme, sitemaps=style)
    index, children = sitemap_of(site)
    lastmods = {e.url: e.lastmod for child in children for e in child.entries if is_brief_url(e.url)}
    assert lastmods == {BASE + b.path: b.modified for b in site.briefs}
    # The lastmod is the Last-Modified the brief's page is served with.
    brief = site.briefs[7]
    served = parsedate_to_datetime(fetch(site, brief.path)[1]["Last-Modified"])
    assert lastmods[BASE + brief.path] == served
    assert index.entries[-1].url.endswith(("page-1.xml", "page-sitemap.xml"))
    assert (index.offsite, index.self_links) == (0, 0)
    assert fetch(site, "/sitemap.xml")[1]["Location"] == BASE + INDEX_PATHS[style]


@pytest.mark.parametrize("style", STYLES)
def test_sitemaps_are_paged_as_wordpress_pages_them(style: str) -> None:
    size = PAGE_SIZES[style]
    site = build_site(2 * size + 5, sitemaps=style)
    index, children = sitemap_of(site)
    posts = [len(child.entries) for child in children[:-1]]
    assert posts == [size, size, 5]
    # Oldest first: the first page holds the oldest briefs, so publishing changes only the last page.
    assert children[0].entries[0].url == BASE + site.briefs[-1].path
    first_page = fetch(site, index.entries[0].url.removeprefix(BASE))[2]
    site.publish(2)
    assert fetch(site, index.entries[0].url.removeprefix(BASE))[2] == first_page
    assert [len(child.entries) for child in sitemap_of(site)[1][:-1]] == [size, size, 7]
    if style == "plugin":  # Yoast dates each sitemap by its newest entry; core's index has no lastmod
        assert all(e.lastmod is not None for e in sitemap_of(site)[0].entries[:-1])
    else:
        assert all(e.lastmod is None for e in index.entries)


@pytest.mark.parametrize("style", STYLES)
def test_gzipped_sitemaps(style: str) -> None:
    site = build_site(20, sitemaps=style, gzip_sitemaps=True)
    index, children = sitemap_of(site)
    assert all(e.url.endswith(".xml.gz") for e in index.entries)
    status, headers, body = fetch(site, index.entries[0].url.removeprefix(BASE))
    assert status == 200
    assert headers["Content-Type"] == "application/x-gzip" and body.startswith(b"\x1f\x8b")
    assert (
        gzip.decompress(body) == fetch(site, index.entries[0].url.removeprefix(BASE).removesuffix(".gz"))[2]
    )
    assert len(children[0].entries) == 20


def test_publish_edit_and_remove_show_in_the_sitemap() -> None:
    site = build_site(40, sitemaps="core")
    before = brief_lastmods(site)
    new = site.publish(3)
    edited = site.edit(site.briefs[10].slug)
    removed = site.remove(site.briefs[20].slug)
    after = brief_lastmods(site)
    assert set(after) == set(before) - {BASE + removed.path} | {BASE + b.path for b in new}
    changed = {url for url in before.keys() & after.keys() if before[url] != after[url]}
    assert changed == {BASE + edited.path}
    assert after[BASE + edited.path] == edited.modified
    assert all(after[BASE + b.path] == b.modified for b in new)


def test_a_sitemap_that_disagrees_with_the_listing() -> None:
    site = build_site(30, sitemaps="plugin", feed=True, sitemap_disagrees=True)
    sitemap_only, listing_only = site.briefs[1], site.briefs[2]
    in_sitemap = set(brief_lastmods(site))
    assert BASE + sitemap_only.path in in_sitemap and BASE + listing_only.path not in in_sitemap
    listing = lxml.html.document_fromstring(fetch(site, "/the-peninsula/")[2])
    hrefs = " ".join(listing.xpath("//a/@href"))
    assert sitemap_only.slug not in hrefs and listing_only.slug in hrefs
    assert fetch(site, sitemap_only.path)[0] == 200  # only unlisted, not gone
    feed = read_feed(fetch(site, "/feed/")[2], BASE + "/feed/", BASE)
    assert BASE + sitemap_only.path not in {item.url for item in feed.items}
    site.remove(listing_only.slug)
    assert not site.listing_only
    with pytest.raises(ValueError, match="at least 3"):
        build_site(2, sitemaps="core", sitemap_disagrees=True)


@pytest.mark.parametrize("theme", THEMES)
def test_the_feed_holds_the_newest_briefs_of_the_listing(theme: str) -> None:
    site = build_site(25, theme=theme, feed=True)
    status, headers, body = fetch(site, "/feed/")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    feed = read_feed(body, BASE + "/feed/", BASE)
    assert feed.kind == "rss" and feed.offsite == 0
    assert [item.url for item in feed.items] == [BASE + b.path for b in site.briefs[:FEED_ITEMS]]
    assert all(item.published is not None and item.published.date() >= b.published
               for item, b in zip(feed.items, site.briefs, strict=False))  # fmt: skip
    assert fetch(site, "/feed")[1]["Location"] == BASE + "/feed/"
    newest = site.publish(1)[0]
    assert read_feed(fetch(site, "/feed/")[2], BASE + "/feed/", BASE).items[0].url == BASE + newest.path


def test_the_same_options_give_the_same_bytes() -> None:
    def digest() -> str:
        site = build_site(50, sitemaps="core", gzip_sitemaps=True, feed=True)
        paths = ["/robots.txt", "/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml.gz", "/feed/"]
        return hashlib.sha256(b"".join(fetch(site, p)[2] for p in paths)).hexdigest()

    assert digest() == digest()
    with pytest.raises(ValueError, match="unknown sitemaps"):
        build_site(5, sitemaps="yoast")


def test_the_replica_command_publishes_what_its_flags_ask(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[Site] = []

    class Server:
        def __init__(self, site: Site, **_: object) -> None:
            served.append(site)

        def start(self) -> str:
            return BASE

        def serve_forever(self) -> None:
            """Returns at once: the test needs the site, not a server."""

    monkeypatch.setattr(replica_command, "ReplicaServer", Server)
    flags = ["--briefs", "10", "--sitemaps", "plugin", "--gzip-sitemaps", "--feed", "--sitemap-disagrees"]
    assert replica_command.main(flags) == 0
    (site,) = served
    assert (site.publishing.sitemaps, site.publishing.gzip, site.publishing.feed) == ("plugin", True, True)
    assert site.sitemap_only == {site.briefs[1].slug} and site.listing_only == {site.briefs[2].slug}
    assert replica_command.main(["--briefs", "2", "--sitemap-disagrees"]) == 2
    assert "--sitemap-disagrees needs --briefs 3 or more" in capsys.readouterr().out
