"""``pages.sitemaps`` and ``pages.feeds`` on well-meant input: every W3C datetime form, RSS 2.0, RSS 1.0 and
Atom, gzip, the caps, and which URLs count as the site's. Hostile input: test_hostile_xml.py."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from kei_crawler.pages.feeds import read_feed
from kei_crawler.pages.sitemaps import SitemapEntry, read_sitemap
from kei_crawler.pages.xml_input import Limits, XmlRefused, rfc822_datetime, w3c_datetime
from tests.support.hostile_xml import MIRROR, SITEMAP_URL, brief, url_row, urlset


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-05", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-06", datetime(2024, 5, 6, tzinfo=UTC)),
        ("2024-05-06T07:08+09:00", datetime(2024, 5, 5, 22, 8, tzinfo=UTC)),
        ("2024-05-06T07:08:09Z", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("2024-05-06T07:08:09.5-05:00", datetime(2024, 5, 6, 12, 8, 9, 500000, tzinfo=UTC)),
        ("2024-05-06T07:08:09", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),  # no zone: taken as UTC
        ("  2024-05-06  ", datetime(2024, 5, 6, tzinfo=UTC)),
        ("", None),
        (None, None),
        ("May 6, 2024", None),
        ("2024-02-30", None),
    ],
)
def test_w3c_datetimes(text: str | None, expected: datetime | None) -> None:
    assert w3c_datetime(text) == expected


def test_rss_dates() -> None:
    assert rfc822_datetime("Tue, 02 Jan 2024 03:04:05 +0000") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert rfc822_datetime("Tue, 02 Jan 2024 03:04:05 -0500") == datetime(2024, 1, 2, 8, 4, 5, tzinfo=UTC)
    assert rfc822_datetime("Tue, 02 Jan 2024 03:04:05 GMT") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert rfc822_datetime("2024-01-02T03:04:05Z") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert rfc822_datetime("soon") is None


def test_a_sitemap_plain_and_gzipped() -> None:
    data = urlset(url_row(f" {brief(1)}\n", "2024-05-06") + url_row(brief(2)) + url_row(brief(3), "soon"))
    for body in (data, gzip.compress(data)):
        sitemap = read_sitemap(body, SITEMAP_URL, MIRROR)
        assert sitemap.kind == "urlset"
        assert sitemap.entries == (
            SitemapEntry(brief(1), datetime(2024, 5, 6, tzinfo=UTC)),
            SitemapEntry(brief(2), None),
            SitemapEntry(brief(3), None),
        )
        assert (sitemap.offsite, sitemap.beyond_cap, sitemap.bad_lastmod) == (0, 0, 1)


def test_off_site_urls_are_dropped_and_counted() -> None:
    locs = ["https://keia.org/the-peninsula/x/", "http://127.0.0.1:8124/x/", "ftp://127.0.0.1:8123/x/",
            "/the-peninsula/relative/", "", f"{MIRROR}@evil.example/x/", "https://127.0.0.1:8123/x/", brief(1)]  # fmt: skip
    sitemap = read_sitemap(urlset("".join(url_row(loc) for loc in locs)), SITEMAP_URL, MIRROR)
    # The same host and port under https counts as the site (old pages link to http://, as urls.same_site says).
    assert [e.url for e in sitemap.entries] == ["https://127.0.0.1:8123/x/", brief(1)]
    assert sitemap.offsite == 6


def test_caps() -> None:
    data = urlset("".join(url_row(brief(i)) for i in range(10)))
    sitemap = read_sitemap(data, SITEMAP_URL, MIRROR, Limits(max_entries=4))
    assert [e.url for e in sitemap.entries] == [brief(i) for i in range(4)] and sitemap.beyond_cap == 6
    with pytest.raises(XmlRefused, match=r"over the 100-byte cap$"):
        read_sitemap(data, SITEMAP_URL, MIRROR, Limits(max_bytes=100))
    with pytest.raises(XmlRefused, match="once gunzipped"):
        read_sitemap(gzip.compress(data), SITEMAP_URL, MIRROR, Limits(max_bytes=len(data) - 1))
    assert read_sitemap(gzip.compress(data), SITEMAP_URL, MIRROR, Limits(max_bytes=len(data))).entries


def test_neither_kind_is_refused() -> None:
    with pytest.raises(XmlRefused, match="neither a <urlset> nor a <sitemapindex>"):
        read_sitemap(b"<rss version='2.0'/>", SITEMAP_URL, MIRROR)
    with pytest.raises(XmlRefused, match="neither an RSS"):
        read_feed(urlset(""), f"{MIRROR}/feed/", MIRROR)


def test_rss_rdf_and_atom_feeds() -> None:
    rss = (f"<rss version='2.0'><channel><item><link>{brief(1)}</link><pubDate>Tue, 02 Jan 2024 03:04:05 +0000"
           f"</pubDate></item><item><link>{brief(2)}</link></item></channel></rss>").encode()  # fmt: skip
    feed = read_feed(rss, f"{MIRROR}/feed/", MIRROR)
    assert feed.kind == "rss"
    assert [(i.url, i.published) for i in feed.items] == [(brief(1), datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)), (brief(2), None)]  # fmt: skip
    rdf = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
           b'xmlns:dc="http://purl.org/dc/elements/1.1/"><item><link>' + brief(3).encode() +
           b"</link><dc:date>2024-01-02</dc:date></item></rdf:RDF>")  # fmt: skip
    assert read_feed(rdf, f"{MIRROR}/feed/", MIRROR).items[0].published == datetime(2024, 1, 2, tzinfo=UTC)
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="edit" href="/wp-admin/1"/>'
            b'<link href="/the-peninsula/four/"/><published>2024-01-01T00:00:00Z</published>'
            b"<updated>2024-02-01T00:00:00+01:00</updated></entry><entry><title>no link</title></entry></feed>")  # fmt: skip
    feed = read_feed(atom, f"{MIRROR}/feed/atom/", MIRROR)
    assert feed.kind == "atom" and feed.offsite == 1
    (item,) = feed.items
    assert item.url == f"{MIRROR}/the-peninsula/four/"
    assert (item.published, item.updated) == (
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 31, 23, tzinfo=UTC),
    )
