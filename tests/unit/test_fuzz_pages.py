"""Property tests of the page objects (BriefPage, IndexPage) on arbitrary bytes, generated HTML trees and
mutations of real pages (the gold-set fixtures, the replica's pages in every theme).

On any input: no method raises, each returns its documented types, provenance names only known strategies,
the photo URL is http(s), no script/style/template content reaches the body, and every link IndexPage
returns is a brief or listing page on the page's own site — as is every request the spider would build
from it. ``benchmarks/fuzz.py`` runs the same ``PROPERTIES`` with many more cases.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import strategies as st

from benchmarks.fuzz import SUITE_EXAMPLES, Property, run_property
from kei_crawler import urls
from kei_crawler.items import PAGE_FIELDS
from kei_crawler.pages import STRATEGIES, BriefPage, IndexPage
from kei_crawler.replica import THEMES, build_site
from tests.support import FIXTURES
from tests.support.strategies import hostile_urls

MIRROR = "http://127.0.0.1:8123"
BRIEF_URLS = [
    f"{MIRROR}/the-peninsula/a-brief/",
    "https://keia.org/the-peninsula/renewed-south-korea-mexico-ties/",
]
LISTING_URLS = [f"{MIRROR}/the-peninsula/", f"{MIRROR}/the-peninsula/?post%5Bpaged%5D=2", "https://keia.org/the-peninsula/page/3/"]  # fmt: skip
LEAK = "LEAKED-FROM-HIDDEN"  # written only inside script/style/template/noscript/iframe/svg content

INVALID_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TEXT_FIELDS = ("title", "published_raw", "updated_raw", "body")
LIST_FIELDS = ("authors", "categories")
OPTIONAL_FIELDS = ("section", "series", "credits", "photo_caption", "photo_url")


def check_brief_page(case: tuple[str, str | bytes]) -> None:
    url, html = case
    page = BriefPage(url, html)
    fields, provenance = page.fields(), page.provenance()
    assert tuple(fields) == PAGE_FIELDS
    for name in TEXT_FIELDS:
        assert isinstance(fields[name], str)
    for name in LIST_FIELDS:
        assert isinstance(fields[name], list) and all(isinstance(v, str) and v for v in fields[name])
    for name in OPTIONAL_FIELDS:
        assert fields[name] is None or isinstance(fields[name], str)
    assert all(field in STRATEGIES and via in STRATEGIES[field] for field, via in provenance.items())
    assert page.read()[:2] == (fields, {**provenance, **page.read().provenance})
    requisites = page.requisites()
    assert all(
        urlsplit(url).scheme in ("http", "https") for url in (*requisites.images, *requisites.stylesheets)
    )
    if fields["photo_url"] is not None:
        assert requisites.images[0] == fields["photo_url"]  # the photo is the first image fetched
    if fields["photo_url"] is not None:
        assert urlsplit(fields["photo_url"]).scheme in ("http", "https")
    for name in ("body", "photo_caption", "credits"):
        assert LEAK not in (fields[name] or ""), name
    for value in fields.values():  # nothing an XML 1.0 document (the Atom feed) could not hold
        assert not INVALID_IN_XML.search(" ".join(value) if isinstance(value, list) else value or "")


def check_index_page(case: tuple[str, str | bytes]) -> None:
    url, html = case
    page = IndexPage(url, html)
    briefs, listings, located = page.brief_links(), page.listing_links(), page.posts_located()
    assert located is None or (isinstance(located, int) and located >= 0)
    canonical = [urls.canonical_brief_url(link) for link in briefs]
    assert len(set(canonical)) == len(canonical)
    for link in briefs:
        assert urls.same_site(link, url) and urls.is_brief_url(link)
        fetched = urlsplit(urls.fetch_url(urls.canonical_brief_url(link), url))
        assert fetched[:2] == urlsplit(url)[:2]
    for link in listings:
        assert urls.same_site(link, url) and urls.is_listing_url(link)
        request = urlsplit(urls.canonical_listing_url(link))
        assert request.netloc == urlsplit(url).netloc and request.scheme in ("http", "https")


def check_both(case: tuple[str, str | bytes]) -> None:
    check_brief_page(case)
    check_index_page(case)


# --- generated HTML trees ---------------------------------------------------------------------------

TAGS = ["div", "span", "b", "strong", "i", "p", "a", "img", "h1", "h2", "h3", "h6", "article", "main", "header",
        "footer", "nav", "aside", "section", "figure", "figcaption", "ul", "ol", "li", "table", "tr", "td", "br",
        "time", "form", "input", "button", "pre", "blockquote", "dl", "dt", "dd", "center", "font", "base",
        "meta", "title", "head", "body", "html", "label", "object", "canvas", "details", "summary", "x-custom",
        "frameset", "marquee"]  # fmt: skip
HIDDEN = ["script", "style", "template", "noscript", "iframe", "svg", "textarea"]
TEXTS = ["Published July 24, 2022", "Updated July 3, 2021", "By Jane Doe and John Roe", "Author: Korea View",
         "Category: North Korea", "The Peninsula", "Korea View was edited by A. B. Picture of a ship.",
         "This briefing comes from Korea View, a weekly newsletter; sign up", "Photo: a ship", "Return to the Peninsula",
         "1,234 Posts located", "A long sentence of prose that a reader would take for the body of a brief.",
         "&amp;", "&lt;script&gt;", "&#0;", "&#1;", "&#x1f;", "&#xFFFF;", "&amp;#1;", "&#x110000;", "&#xD800;",
         "&nosuch;", "&", "<", "]]>", "\x00",
         "KEI | KEI | KEI", "x" * 3000, "9" * 5000, "1 " * 300]  # fmt: skip
ATTRS = ["href", "src", "data-src", "srcset", "width", "height", "style", "hidden", "aria-hidden", "role", "type",
         "content", "property", "name", "charset", "http-equiv", "datetime", "class", "onload"]  # fmt: skip
VALUES = ["display:none", "true", "navigation", "application/ld+json", "og:title", "article:author",
          "refresh", "0;url=http://evil.example/", "utf-8", "idna", "undefined", "x-user-defined", "300",
          "9" * 5000, "", "2021-07-01T00:00:00Z", "javascript:alert(1)", "file:///etc/passwd", "data:,x"]  # fmt: skip
JSON_LD = ['{"@type":"Article","headline":"Json title","author":{"name":"Ann Lee"},"datePublished":"2021-01-02"}',
           '{"@graph":[{"@type":["BlogPosting"],"headline":[[["deep"]]],"author":[[{"name":{"name":"x"}}]]}]}',
           "[" * 5000 + "]" * 5000, '{"@type":"Article","headline":' * 400 + "1" + "}" * 400, "{broken"]  # fmt: skip


def pick(items: list[Any]) -> st.SearchStrategy[Any]:
    """``sampled_from`` that shows as an index: a failing example's report then does not print every
    long value of the list."""
    return st.sampled_from(range(len(items))).map(items.__getitem__)


attribute = st.tuples(st.sampled_from(ATTRS), pick(VALUES) | hostile_urls() | st.text(max_size=20))
leaf = st.one_of(
    pick(TEXTS),
    st.text(max_size=30),
    st.sampled_from(
        ["<!-- comment -->", "<!--", "-->", "<![CDATA[x]]>", "<?php echo 1 ?>", "<!DOCTYPE html>"]
    ),
    # The ">" ends a tag a "<" leaf may have opened before it ("<" then "Published July 24, 2022"): a
    # browser, and lxml, would read "<script>" as one of that tag's attributes and show the text after it.
    st.builds(lambda t: f"><{t}>{LEAK} <p>{LEAK}</p></{t}>", st.sampled_from(HIDDEN)),
    st.builds(lambda j: f'<script type="application/ld+json">{j}</script>', pick(JSON_LD)),
)


def _element(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    def render(tag: str, attrs: list[tuple[str, str]], inner: list[str], closed: bool) -> str:
        quoted = "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in attrs)
        return f"<{tag}{quoted}>{''.join(inner)}" + (f"</{tag}>" if closed else "")

    return st.builds(render, st.sampled_from(TAGS), st.lists(attribute, max_size=3), children, st.booleans())


html_trees = st.recursive(leaf, lambda inner: _element(st.lists(inner, max_size=5)), max_leaves=40)


@st.composite
def generated_documents(draw: st.DrawFn) -> str | bytes:
    """A page of generated markup, as text or as bytes in some encoding, with or without a lie about it."""
    doc = "".join(draw(st.lists(html_trees, min_size=1, max_size=4)))
    doc = draw(st.sampled_from(["", "<!doctype html>", '<?xml version="1.0" encoding="latin-1"?>'])) + doc
    how = draw(st.sampled_from(["text", "utf-8", "cp1252", "utf-16", "meta-lie", "bom", "nul"]))
    if how == "text":
        return doc
    if how == "utf-16":
        return doc.encode("utf-16", errors="replace")
    if how == "cp1252":
        return doc.encode("cp1252", errors="replace")
    data = doc.encode("utf-8", errors="surrogatepass")
    if how == "meta-lie":
        label = draw(
            st.sampled_from(["idna", "undefined", "utf-7", "utf-16", "rot13", "x-nonsense", "latin1"])
        )
        return f'<meta charset="{label}">'.encode() + data
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "nul":
        return data.replace(b">", b">\x00\xff", draw(st.integers(0, 20)))
    return data


# --- mutations of real pages ------------------------------------------------------------------------

SNIPPETS = [b"<div>" * 300, b"<script>", b"<!--", b"<style>", b"</body>", b"</html><html>", b"<![CDATA[",
            b"\x00", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"&#0;", b'<base href="http://evil.example/">',
            b'<meta charset="idna">', b'<a href="javascript:alert(1)">x</a>', b'<a href="//evil.example/the-peninsula/x/">x</a>',
            b'<a href="../../etc/passwd">x</a>', b'<a href="/the-peninsula/%2e%2e/%2e%2e/admin">x</a>',
            b'<img src="file:///etc/passwd" width="300">', b'<p title="' + b"a" * 100_000 + b'">',
            b'<script type="application/ld+json">' + b"[" * 5000 + b"</script>"]  # fmt: skip


@cache
def seed_pages() -> list[tuple[str, bytes]]:
    """(URL, bytes) of every gold-set fixture and of a listing and a brief page of each replica theme."""
    pages = [(BRIEF_URLS[0], p.read_bytes()) for p in sorted(FIXTURES.glob("*/page.html"))]
    for theme in THEMES:
        site = build_site(12, theme=theme, pagination="path" if theme == "classic" else "query")
        pages.append((LISTING_URLS[0], site.render("/the-peninsula/", MIRROR)[2]))
        pages.append((BRIEF_URLS[0], site.render(site.briefs[1].path, MIRROR)[2]))
    return pages


@st.composite
def mutated_pages(draw: st.DrawFn) -> tuple[str, bytes]:
    url, data = draw(pick(seed_pages()))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        size = draw(st.integers(0, 400))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "truncate", "flip", "random"]))
        if kind == "insert":
            data = data[:at] + draw(pick(SNIPPETS)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + size :]
        elif kind == "duplicate":
            data = data[:at] + data[at : at + size] * draw(st.integers(2, 50)) + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif kind == "random":
            data = data[:at] + draw(st.binary(max_size=64)) + data[at:]
    return url, data


def _on(urls_: list[str], pages: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[str, Any]]:
    return st.tuples(st.sampled_from(urls_), pages)


PROPERTIES: dict[str, Property] = {
    "brief_page.arbitrary_bytes": (_on(BRIEF_URLS, st.binary(max_size=2000)), check_brief_page),
    "index_page.arbitrary_bytes": (_on(LISTING_URLS, st.binary(max_size=2000)), check_index_page),
    "arbitrary_text": (_on(BRIEF_URLS + LISTING_URLS, st.text(max_size=2000)), check_both),
    "generated_html": (_on(BRIEF_URLS + LISTING_URLS, generated_documents()), check_both),
    "mutated_real_pages": (mutated_pages(), check_both),
}


@pytest.mark.parametrize("name", list(PROPERTIES))
def test_page_property(name: str) -> None:
    strategy, check = PROPERTIES[name]
    assert run_property(strategy, check, SUITE_EXAMPLES) > 0


def test_the_seed_pages_are_real_pages() -> None:
    """The mutations start from pages the page objects read fully: a broken seed would fuzz nothing."""
    pages = seed_pages()
    assert len(pages) == len(list(FIXTURES.glob("*/page.html"))) + 2 * len(THEMES)
    listing = next(data for url, data in pages if url == LISTING_URLS[0])
    assert IndexPage(LISTING_URLS[0], listing).brief_links()
    assert all(BriefPage(url, data).fields()["title"] for url, data in pages if url == BRIEF_URLS[0])
