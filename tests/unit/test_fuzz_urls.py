"""Property tests of the URL rules (``kei_crawler.urls``) on arbitrary and on hostile URL-ish strings.

Whatever a page links to, the rules never raise (except the ValueError their docstrings name), a canonical
URL is always on the canonical origin with no dot-segment and canonicalizing it again changes nothing, and
no URL that passes ``same_site`` — nor any request built from one — names another host or scheme.
``benchmarks/fuzz.py`` runs the same ``PROPERTIES`` with many more cases.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import strategies as st
from w3lib.url import safe_url_string

from benchmarks.fuzz import SUITE_EXAMPLES, Property, run_property
from kei_crawler import urls
from tests.support.strategies import OTHER_HOSTS, SCHEMES, SEPARATORS, hostile_urls

SITE = "https://keia.org"
MIRROR = "http://127.0.0.1:8123"
BASES = (SITE, MIRROR)


def any_url() -> st.SearchStrategy[str]:
    return st.one_of(
        hostile_urls(), st.text(max_size=60), st.binary(max_size=60).map(lambda b: b.decode("latin-1"))
    )


def _parses(url: str) -> tuple[Any, Any]:
    """The URL as Python reads it and as Scrapy will request it (w3lib: WHATWG rules for ``\\``)."""
    return urlsplit(url), urlsplit(safe_url_string(url))


def _no_dot_segments(path: str) -> bool:
    decoded = unquote(path)
    return not any(seg in (".", "..") for seg in path.split("/") + decoded.split("/") + decoded.split("\\"))


def check_total(url: str) -> None:
    """No rule raises on any string; the three that build URLs raise only ValueError, and only when the
    predicate said the URL is not of their kind."""
    assert isinstance(urls.brief_slug(url), str | None)
    assert isinstance(urls.is_brief_url(url), bool)
    number = urls.listing_page_number(url)
    assert number is None or (isinstance(number, int) and 0 <= number < 10**9)
    assert isinstance(urls.is_listing_url(url), bool)
    for base in BASES:
        assert isinstance(urls.same_site(url, base), bool)
        assert isinstance(urls.page_base(base + "/the-peninsula/", url), str)
        joined = urls.join(base + "/the-peninsula/", url)
        assert joined is None or isinstance(joined, str)
    for build, accepts in (
        (urls.canonical_brief_url, urls.is_brief_url),
        (urls.canonical_listing_url, urls.is_listing_url),
    ):
        try:
            assert isinstance(build(url), str)
            assert accepts(url)
        except ValueError:
            assert not accepts(url)
    try:
        urls.fetch_url(url, MIRROR)
    except ValueError:
        assert not urls.is_brief_url(url)


def check_canonical_brief(url: str) -> None:
    """A brief's canonical URL: on the canonical origin, one clean segment, no query, idempotent."""
    if not urls.is_brief_url(url):
        return
    for origin in BASES:
        canonical = urls.canonical_brief_url(url, origin)
        for parts in _parses(canonical):
            assert (parts.scheme, parts.netloc) == tuple(urlsplit(origin)[:2])
            assert not parts.query and not parts.fragment
            assert parts.path.startswith("/the-peninsula/") and parts.path.endswith("/")
            assert parts.path.count("/") == 3, parts.path
            assert _no_dot_segments(parts.path)
        assert urls.canonical_brief_url(canonical, origin) == canonical
        assert urls.same_site(canonical, origin)
        assert urls.brief_id(canonical) == urls.brief_id(urls.canonical_brief_url(canonical, origin))


def check_fetch_stays_on_base(url: str) -> None:
    """Where a brief is requested is always the base URL's origin, however its link was written."""
    for base in BASES:
        try:
            fetched = urls.fetch_url(urls.canonical_brief_url(url) if urls.is_brief_url(url) else url, base)
        except ValueError:
            assert not urls.is_brief_url(url)
            continue
        for parts in _parses(fetched):
            assert (parts.scheme, parts.netloc) == tuple(urlsplit(base)[:2]), fetched
            assert _no_dot_segments(parts.path)


def check_canonical_listing(url: str) -> None:
    """A listing page's canonical URL: the link's own host, a listing path, the same page, idempotent."""
    if not urls.is_listing_url(url):
        return
    canonical = urls.canonical_listing_url(url)
    assert urls.canonical_listing_url(canonical) == canonical
    assert urls.listing_page_number(canonical) == urls.listing_page_number(url)
    linked = urlsplit(safe_url_string(url))
    for parts in _parses(canonical):
        assert (parts.scheme, parts.netloc) == (linked.scheme, linked.netloc.lower())
        assert parts.path.startswith("/the-peninsula") and _no_dot_segments(parts.path)
        assert not parts.fragment


def check_same_site(url: str) -> None:
    """``same_site`` holds only for http(s) on the very host and port, as both parsers read the URL; a
    listing request built from such a link stays there too."""
    for base in BASES:
        if not urls.same_site(url, base):
            continue
        for parts in _parses(url):
            assert parts.scheme in ("http", "https")
            assert parts.netloc.lower() == urlsplit(base).netloc
        if urls.is_listing_url(url):
            for parts in _parses(urls.canonical_listing_url(url)):
                assert parts.netloc == urlsplit(base).netloc and parts.scheme in ("http", "https")


def check_other_hosts(case: tuple[str, str, str, str]) -> None:
    """A URL on any other host, or with any scheme but http(s), is never the site."""
    scheme, separator, host, tail = case
    url = f"{scheme}:{separator}{host}{tail}"
    web = scheme.lower() in ("http", "https") and separator == "//"
    bare_host = host.replace("\t", "").replace("\n", "").replace("\r", "").lower()  # parsers drop these
    for base in BASES:
        if not (web and bare_host == urlsplit(base).netloc):
            assert not urls.same_site(url, base), url
        # A <base href> can move relative links about the page's own site, never off it.
        assert urls.same_site(urls.page_base(base + "/the-peninsula/", url), base)


other_host_urls = st.tuples(
    st.sampled_from(SCHEMES),
    st.sampled_from(SEPARATORS),
    st.sampled_from(OTHER_HOSTS) | st.text(max_size=15),
    st.sampled_from(
        ["/the-peninsula/a-brief/", "/the-peninsula/page/2/", "/the-peninsula/?post%5Bpaged%5D=2", ""]
    ),
)

PROPERTIES: dict[str, Property] = {
    "total": (any_url(), check_total),
    "canonical_brief": (hostile_urls(), check_canonical_brief),
    "fetch_stays_on_base": (any_url(), check_fetch_stays_on_base),
    "canonical_listing": (hostile_urls(), check_canonical_listing),
    "same_site": (hostile_urls(), check_same_site),
    "other_hosts": (other_host_urls, check_other_hosts),
}


@pytest.mark.parametrize("name", list(PROPERTIES))
def test_url_property(name: str) -> None:
    strategy, check = PROPERTIES[name]
    assert run_property(strategy, check, SUITE_EXAMPLES) > 0


@pytest.mark.parametrize(
    "url",
    [
        "https://keia.org@evil.example/the-peninsula/x/",
        "https://evil.example\\@keia.org/the-peninsula/x/",
        "http:\\\\evil.example\\the-peninsula\\page\\2\\",
        "//evil.example/the-peninsula/x/",
        "file://keia.org/the-peninsula/page/2/",
        "ftp://keia.org/the-peninsula/page/2/",
        "javascript:/the-peninsula/page/2/",
        "https://keia.org.evil.example/the-peninsula/",
        "https://KEIA.org:443/the-peninsula/",
    ],
)
def test_tricks_are_not_the_site(url: str) -> None:
    assert not urls.same_site(url, SITE)


@pytest.mark.parametrize(
    "url",
    [
        "https://keia.org/the-peninsula/a%2F..%2F..%2Fadmin/",
        "https://keia.org/the-peninsula/a%5C..%5Cadmin/",
        "https://keia.org/the-peninsula/%2e%2e/",
        "https://keia.org/the-peninsula/a%00b/",
        "https://keia.org/the-peninsula/page/" + "9" * 5000 + "/",
        "https://keia.org/the-peninsula/?post%5Bpaged%5D=%C2%B2",
    ],
)
def test_encoded_escapes_are_neither_briefs_nor_listings(url: str) -> None:
    assert not urls.is_brief_url(url)
    assert not urls.is_listing_url(url)


def test_fetch_url_refuses_what_is_not_a_brief() -> None:
    with pytest.raises(ValueError, match="not a brief URL"):
        urls.fetch_url("javascript:evil.example/x", SITE)  # "https://keia.org" + "evil.example/x" before
