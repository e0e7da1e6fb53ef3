"""Hostile sitemaps and feeds, table-driven: each case is a document a site could serve and what reading it
must give — a refusal whose one line names the problem, or what can safely be read of it.

``tests/unit/test_hostile_xml.py`` reads every case; ``python -m benchmarks.hostile_xml`` reads each in a
fresh process and holds its time and peak memory to a bound (a timed unit test would be flaky).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from kei_crawler.pages.feeds import Feed, read_feed
from kei_crawler.pages.sitemaps import Sitemap, read_sitemap
from kei_crawler.pages.xml_input import MAX_BYTES, MAX_ENTRIES, MAX_TAGS

MIRROR = "http://127.0.0.1:8123"
SITEMAP_URL = f"{MIRROR}/wp-sitemap.xml"
FEED_URL = f"{MIRROR}/feed/"
OTHER = "http://127.0.0.1:8124"  # the "other host": same address, another port
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
SECRET_FILE = "/etc/passwd"
LEAK = "LEAKED-FROM-HIDDEN"


def urlset(rows: str, head: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<urlset {NS}>{rows}</urlset>'.encode()


def url_row(loc: str, lastmod: str | None = None) -> str:
    return f"<url><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"


def brief(n: int) -> str:
    return f"{MIRROR}/the-peninsula/brief-{n}/"


def _billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    )
    return urlset(url_row("&lol9;"), f"<!DOCTYPE urlset [{entities}]>")


def _quadratic_blowup() -> bytes:
    return urlset(url_row("&a;" * 50_000), f'<!DOCTYPE urlset [<!ENTITY a "{"x" * 100_000}">]>')


def _external_entity() -> bytes:
    return urlset(
        url_row(f"{MIRROR}/&xxe;"), f'<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{SECRET_FILE}">]>'
    )


def _external_dtd() -> bytes:
    return urlset(url_row(f"{MIRROR}/&x;"), f'<!DOCTYPE urlset SYSTEM "{OTHER}/evil.dtd">')


def _deep_nesting() -> bytes:
    return urlset("<url>" * 100_000 + "</url>" * 100_000)


def _rows_of(size: int, count: int) -> bytes:
    """A well-formed sitemap of ``count`` on-site URLs, padded (in the URL paths) to ``size`` bytes."""
    pad = (size - len(urlset(""))) // count - len(url_row(brief(0), "2024-05-06")) - 1
    rows = url_row(brief(0).rstrip("/") + "-" + "x" * pad + "/", "2024-05-06") * count
    return urlset(rows) + b" " * (size - len(urlset(rows)))


def _no_records(elements: int) -> bytes:
    """One URL, then ``elements`` elements that are no record (each ``<x/>`` is one tag)."""
    return urlset(url_row(brief(1)) + "<x/>" * elements)


def _gzip_bomb() -> bytes:
    """10 GiB of zeros as 160 concatenated gzip members of 64 MiB each (RFC 1952 allows members to follow
    one another; ``gzip -d`` and Python's gzip read them as one stream): about 10 MB to send."""
    member = gzip.compress(b"\0" * (64 << 20), compresslevel=9, mtime=0)
    return member * 160


def _gzip_bomb_of_xml() -> bytes:
    """A well-formed sitemap that unpacks past the cap: one URL then 100 MB of white space."""
    return gzip.compress(urlset(url_row(brief(1)) + " " * (100 << 20)), compresslevel=1, mtime=0)


def _index_off_site_and_itself() -> bytes:
    rows = "".join(
        f"<sitemap><loc>{loc}</loc></sitemap>"
        for loc in (
            f"{OTHER}/sitemap.xml",
            "https://evil.example/sitemap.xml",
            "file:///etc/passwd",
            "javascript:alert(1)",
            f"{MIRROR}@evil.example/sitemap.xml",
            SITEMAP_URL,
            f"{MIRROR}/wp-sitemap-posts-post-1.xml",
        )
    )
    return f"<sitemapindex {NS}>{rows}</sitemapindex>".encode()


def _hostile_lastmods() -> bytes:
    values = (
        "9" * 5_000,
        "2024-13-45",
        "0000-00-00",
        "yesterday",
        "2024-05-06T25:61:00Z",
        "0001-01-01T00:00+01:00",
    )
    return urlset("".join(url_row(brief(i), value) for i, value in enumerate(values)))


def _feed_with_markup() -> bytes:
    items = (
        f"<item><title><![CDATA[<script>alert('{LEAK}')</script>]]></title><link>{brief(1)}</link>"
        f"<description><![CDATA[<img src=x onerror=alert(1)><iframe src='{OTHER}/'></iframe>]]></description>"
        "<pubDate>Tue, 02 Jan 2024 03:04:05 +0000</pubDate></item>"
        f"<item><title>&lt;b&gt;{LEAK}&lt;/b&gt;</title><link>javascript:alert('{LEAK}')</link></item>"
        f"<item><title>x</title><link>{OTHER}/the-peninsula/elsewhere/</link></item>"
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    )


@dataclass(frozen=True)
class XmlCase:
    name: str
    make: Callable[[], bytes]
    kind: str = "sitemap"
    """``sitemap`` (read with ``read_sitemap``) or ``feed`` (``read_feed``)."""
    refused: str | None = None
    """A refusal is expected, its line containing this text; None: the document is read."""
    check: Callable[[Sitemap | Feed], None] | None = None


def _only_the_site_and_not_itself(result: Sitemap | Feed) -> None:
    assert isinstance(result, Sitemap) and result.kind == "index"
    assert [e.url for e in result.entries] == [f"{MIRROR}/wp-sitemap-posts-post-1.xml"]
    assert (result.offsite, result.self_links) == (5, 1)


def _capped(result: Sitemap | Feed) -> None:
    assert isinstance(result, Sitemap) and len(result.entries) == MAX_ENTRIES
    assert result.beyond_cap > 0 and result.offsite == 0


def _no_lastmod_read(result: Sitemap | Feed) -> None:
    assert isinstance(result, Sitemap) and len(result.entries) == 6
    assert all(e.lastmod is None for e in result.entries) and result.bad_lastmod == 6


def _on_site_links_only(result: Sitemap | Feed) -> None:
    assert isinstance(result, Feed) and [i.url for i in result.items] == [brief(1)]
    assert result.offsite == 2 and LEAK not in repr(result)


def _one_kept(result: Sitemap | Feed) -> None:
    assert isinstance(result, Sitemap) and [e.url for e in result.entries] == [brief(1)]


def _offsite_only(result: Sitemap | Feed, dropped: int) -> None:
    assert isinstance(result, Sitemap) and not result.entries and result.offsite == dropped


CASES = (
    XmlCase("billion laughs", _billion_laughs, refused="entity amplification"),
    XmlCase("quadratic blowup", _quadratic_blowup, refused="entity amplification"),
    XmlCase("external entity (file:///etc/passwd)", _external_entity, refused="DTD"),
    XmlCase("external DTD on another host", _external_dtd, refused="DTD"),
    XmlCase("100,000 levels of nesting", _deep_nesting, refused="depth"),
    XmlCase("a 50 MB sitemap of 150,000 URLs", lambda: _rows_of(MAX_BYTES, 150_000), check=_capped),
    XmlCase("a sitemap over 50 MB", lambda: _rows_of(MAX_BYTES + 1_000, 1_000), refused="byte cap"),
    XmlCase("12 million empty elements (50 MB)", lambda: _no_records(12_000_000), refused="tag cap"),
    XmlCase("999,000 elements that are no record", lambda: _no_records(MAX_TAGS - 1_000), check=_one_kept),
    XmlCase("gzip bomb: 10 GiB of zeros", _gzip_bomb, refused="once gunzipped"),
    XmlCase("gzip bomb: a sitemap padded to 100 MB", _gzip_bomb_of_xml, refused="once gunzipped"),
    XmlCase("truncated gzip", lambda: gzip.compress(urlset(url_row(brief(1))))[:40], refused="gzip"),
    XmlCase(
        "invalid UTF-8",
        lambda: urlset(url_row(brief(1))).replace(b"brief-1", b"brief-\xff\xfe"),
        refused="well-formed",
    ),
    XmlCase(
        "NUL bytes", lambda: urlset(url_row(brief(1))).replace(b"<loc>", b"<loc>\0"), refused="well-formed"
    ),
    XmlCase("an undeclared entity", lambda: urlset(url_row(f"{MIRROR}/&nope;")), refused="well-formed"),
    XmlCase(
        "XInclude of a local file",
        lambda: urlset(
            f'<url><loc><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{SECRET_FILE}" '
            'parse="text"/></loc></url>'
        ),
        check=lambda r: _offsite_only(r, 1),
    ),
    XmlCase(
        "a 3 MB <loc>",
        lambda: urlset(url_row(brief(1) + "a" * 3_000_000)),
        check=lambda r: _offsite_only(r, 1),
    ),
    XmlCase("a 20 MB text node", lambda: urlset(url_row(brief(1) + "a" * 20_000_000)), refused="well-formed"),
    XmlCase(
        "an index pointing off-site and at itself",
        _index_off_site_and_itself,
        check=_only_the_site_and_not_itself,
    ),
    XmlCase("lastmods of 5,000 digits, month 13, hour 25", _hostile_lastmods, check=_no_lastmod_read),
    XmlCase("not XML at all (an HTML page)", lambda: b"<!doctype html><html><body>hi", refused="well-formed"),
    XmlCase("empty", lambda: b"", refused="well-formed"),
    XmlCase(
        "a feed with script and HTML in titles", _feed_with_markup, kind="feed", check=_on_site_links_only
    ),
)


@cache
def document(name: str) -> bytes:
    """A case's bytes, made once per process (the big ones take a second to build)."""
    return next(case for case in CASES if case.name == name).make()


def read(case: XmlCase, data: bytes) -> Sitemap | Feed:
    if case.kind == "feed":
        return read_feed(data, FEED_URL, MIRROR)
    return read_sitemap(data, SITEMAP_URL, MIRROR)
