"""Property tests of the sitemap and feed parsers on arbitrary bytes, generated documents and mutations of
the replica's own sitemaps and feed (plain and gzipped).

On any input: the parser returns its dataclass or raises ``XmlRefused`` with a one-line reason — nothing
else; every URL it returns is http(s) on the site (``urls.same_site``), every date is aware UTC, and
the counts add up. ``benchmarks/fuzz.py`` runs the same ``PROPERTIES`` with many more cases.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from hypothesis import strategies as st

from benchmarks.fuzz import SUITE_EXAMPLES, Property, run_property
from kei_crawler.pages.feeds import Feed, read_feed
from kei_crawler.pages.sitemaps import Sitemap, read_sitemap
from kei_crawler.pages.xml_input import Limits, XmlRefused
from kei_crawler.replica import build_site
from kei_crawler.urls import same_site
from tests.support.hostile_xml import MIRROR
from tests.support.strategies import hostile_urls

SITEMAP_URL = f"{MIRROR}/wp-sitemap.xml"
FEED_URL = f"{MIRROR}/feed/"
# Small caps, so generated input reaches them too.
LIMITS = Limits(max_bytes=4_000, max_entries=5)
TAGS = ["urlset", "sitemapindex", "url", "sitemap", "loc", "lastmod", "rss", "channel", "item", "link",
        "pubDate", "feed", "entry", "updated", "published", "title", "rdf:RDF", "dc:date", "xi:include"]  # fmt: skip
TEXTS = ["2024-05-06", "2024-05-06T07:08+09:00", "Tue, 02 Jan 2024 03:04:05 +0000", "9" * 300, "&amp;",
         "&lt;script&gt;", "&nope;", "&#0;", "&#xFFFF;", "<![CDATA[<b>x</b>]]>", "<!-- c -->", "<?pi x?>",
         "\x00", "\udcff", "é", "\u202e"]  # fmt: skip
HEADS = ["", '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="latin-1"?>',
         '<?xml version="1.0" encoding="idna"?>', "\ufeff", "<!DOCTYPE urlset>",
         '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>']  # fmt: skip
NAMESPACES = ["", ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"', ' xmlns="http://www.w3.org/2005/Atom"',
              ' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"']  # fmt: skip


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(st.sampled_from(["", ' href="{}"', ' rel="alternate"', ' rel="self" href="{}"']))
    attrs = attrs.format(
        draw(hostile_urls()).replace('"', "&quot;").replace("&", "&amp;").replace("<", "&lt;")
    )
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 4 else 0))):
        kind = draw(st.sampled_from(["element", "url", "text"]))
        if kind == "element":
            parts.append(draw(element(depth + 1)))
        elif kind == "url":
            parts.append(draw(hostile_urls()).replace("&", "&amp;").replace("<", "&lt;"))
        else:
            parts.append(draw(st.sampled_from(TEXTS) | st.text(max_size=20)))
    closed = draw(st.booleans()) or depth > 0
    return f"<{tag}{attrs}>{''.join(parts)}" + (f"</{tag}>" if closed else "")


@st.composite
def generated_documents(draw: st.DrawFn) -> bytes:
    root = draw(st.sampled_from(["urlset", "sitemapindex", "rss", "feed", "rdf:RDF"]))
    body = "".join(draw(st.lists(element(1), max_size=6)))
    text = f"{draw(st.sampled_from(HEADS))}<{root}{draw(st.sampled_from(NAMESPACES))}>{body}</{root}>"
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), errors="replace")
    return gzip.compress(data) if draw(st.booleans()) else data


@cache
def seed_documents() -> list[bytes]:
    site = build_site(12, sitemaps="plugin", feed=True)
    paths = ["/sitemap_index.xml", "/post-sitemap.xml", "/page-sitemap.xml", "/feed/"]
    return [site.render(path, MIRROR)[2] for path in paths]


@st.composite
def mutated_documents(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(seed_documents()))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "truncate", "flip"]))
        if kind == "insert":
            data = data[:at] + draw(st.sampled_from(TEXTS + HEADS)).encode("utf-8", "replace") + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(0, 200)) :]
        elif kind == "duplicate":
            data = data[:at] + data[at : at + 300] * draw(st.integers(2, 20)) + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return gzip.compress(data) if draw(st.booleans()) else data


def _refusal_or(read: Any, data: bytes, url: str, limits: Limits) -> Any:
    """What ``read`` returns, or None after checking its refusal is one line."""
    try:
        return read(data, url, MIRROR, limits)
    except XmlRefused as refusal:
        reason = str(refusal)
        assert reason and "\n" not in reason and len(reason) <= 250, reason
        return None


def _on_site(url: str) -> None:
    assert same_site(url, MIRROR), url


def _aware(when: datetime | None) -> None:
    assert when is None or when.tzinfo == UTC


def check_sitemap(data: bytes) -> None:
    for limits in (LIMITS, Limits()):
        sitemap = _refusal_or(read_sitemap, data, SITEMAP_URL, limits)
        if sitemap is None:
            continue
        assert isinstance(sitemap, Sitemap) and sitemap.kind in ("index", "urlset")
        assert len(sitemap.entries) <= limits.max_entries
        assert min(sitemap.offsite, sitemap.self_links, sitemap.beyond_cap, sitemap.bad_lastmod) >= 0
        for entry in sitemap.entries:
            _on_site(entry.url)
            _aware(entry.lastmod)
            assert sitemap.kind == "urlset" or entry.url != SITEMAP_URL


def check_feed(data: bytes) -> None:
    for limits in (LIMITS, Limits()):
        feed = _refusal_or(read_feed, data, FEED_URL, limits)
        if feed is None:
            continue
        assert isinstance(feed, Feed) and feed.kind in ("rss", "atom")
        assert len(feed.items) <= limits.max_entries and min(feed.offsite, feed.beyond_cap) >= 0
        for item in feed.items:
            _on_site(item.url)
            _aware(item.published)
            _aware(item.updated)


def check_both(data: bytes) -> None:
    check_sitemap(data)
    check_feed(data)


PROPERTIES: dict[str, Property] = {
    "arbitrary_bytes": (st.binary(max_size=2000), check_both),
    "arbitrary_text": (st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")), check_both),
    "generated_xml": (generated_documents(), check_both),
    "mutated_replica_xml": (mutated_documents(), check_both),
}


@pytest.mark.parametrize("name", list(PROPERTIES))
def test_xml_property(name: str) -> None:
    strategy, check = PROPERTIES[name]
    assert run_property(strategy, check, SUITE_EXAMPLES) > 0


def test_the_seed_documents_are_read_whole() -> None:
    """The mutations start from documents the parsers read fully: a broken seed would fuzz nothing."""
    index, posts, pages, feed = seed_documents()
    assert len(read_sitemap(index, SITEMAP_URL, MIRROR).entries) == 2
    assert len(read_sitemap(posts, f"{MIRROR}/post-sitemap.xml", MIRROR).entries) == 12
    assert len(read_sitemap(pages, f"{MIRROR}/page-sitemap.xml", MIRROR).entries) == 4
    assert len(read_feed(feed, FEED_URL, MIRROR).items) == 10
