"""Which URLs are briefs or listing pages of The Peninsula, and their canonical form.

Canonical brief URLs are built on the site's own origin (``https://keia.org``) even when the crawl runs
against a mirror, so that ``brief_id`` stays the same whichever copy of the site served the page.

Every URL here may come from a hostile page: no function raises on one (except where its docstring says
ValueError), and none lets a link name another host, another scheme or a path outside the section.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

SECTION = "the-peninsula"
DEFAULT_ORIGIN = "https://keia.org"

# /the-peninsula/<slug>/ — one segment; "page" is the path-style pagination, not a slug.
_BRIEF_PATH = re.compile(r"^/the-peninsula/(?!page/?$)([A-Za-z0-9][A-Za-z0-9._~%-]*)/?$")
# ASCII digits only, and few of them: int() refuses more than 4,300 digits, and no listing has a billion pages.
_LISTING_PATH = re.compile(r"^/the-peninsula(?:/|/page/([0-9]{1,9})/?)?$")
_PAGE_NUMBER = re.compile(r"^[0-9]{1,9}$")
# A slug is one path segment once decoded too: an encoded "/" or "\\" (a%2F..%2Fadmin) would be a second
# segment, or a way up, to a server that decodes before routing.
_NOT_IN_SLUG = re.compile(r"[/\\?#\x00-\x1f\x7f]")
_T = TypeVar("_T")
_WEB_SCHEMES = ("http", "https")
# The listing's own block counter; other blocks on the page (podcasts[paged], …) page other content.
_POST_PAGED = "post[paged]"
# Every listing page links the same menus, pager and sidebar, and each test below is asked about each
# link several times (on the site? a brief? a listing page? its canonical form?): w3lib's safe_url_string
# under them was a tenth of a crawl's CPU. They are pure functions of strings, so a bounded cache is exact.
# Only ordinary-length URLs are kept: a hostile page's megabyte-long hrefs must not stay in memory.
_CACHED_URL_CHARS = 2048


def _cached(function: Callable[..., _T]) -> Callable[..., _T]:
    remembered = lru_cache(maxsize=4096)(function)

    @wraps(function)
    def lookup(url: str, *args: str) -> _T:
        return remembered(url, *args) if len(url) <= _CACHED_URL_CHARS else function(url, *args)

    return lookup


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, host lower-cased."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


def same_site(url: str, base_url: str) -> bool:
    """True when ``url`` is an http(s) URL on the same host and port as ``base_url`` (either scheme: old
    pages link to http://). Userinfo counts as part of the host, so ``https://keia.org@evil.example/``
    is never the site; the URL is read both as Python and as Scrapy (w3lib, WHATWG rules for ``\\``)
    read it, and both must agree, so no parser difference can carry a request elsewhere."""
    try:
        want = urlsplit(base_url).netloc.lower()
    except ValueError:
        return False
    return bool(want) and _web_host(url) == want


@_cached
def _web_host(url: str) -> str | None:
    """``url``'s lower-cased host[:port] (userinfo included) when it is http(s) and Python and w3lib
    read the same host in it; else None. Cached per URL: a listing page asks it of every link."""
    try:
        parsed = (urlsplit(url), urlsplit(safe_url_string(url)))
    except ValueError:
        return None
    if not all(p.scheme in _WEB_SCHEMES for p in parsed):
        return None
    hosts = {p.netloc.lower() for p in parsed}
    return hosts.pop() if len(hosts) == 1 else None


def join(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` as a browser would; None when it cannot be (``http://[::1``)."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return None


def page_base(page_url: str, base_href: str | None) -> str:
    """What a page's relative links resolve against: its ``<base href>`` only while that stays on the
    page's own site; a base on another host (or scheme) would carry every relative link off-site."""
    base = join(page_url, base_href) if base_href else None
    return base if base is not None and same_site(base, page_url) else page_url


@_cached
def brief_slug(url: str) -> str | None:
    """The slug when ``url`` is a brief of The Peninsula, else None (listing, other section, bad URL)."""
    try:
        path = urlsplit(safe_url_string(url)).path
    except ValueError:
        return None
    match = _BRIEF_PATH.match(path)
    if not match or _NOT_IN_SLUG.search(unquote(match.group(1))):
        return None
    return match.group(1).lower()


def is_brief_url(url: str) -> bool:
    return brief_slug(url) is not None


@_cached
def listing_page_number(url: str) -> int | None:
    """The page number when ``url`` is a page of The Peninsula's listing (either pagination style)."""
    try:
        parts = urlsplit(safe_url_string(url))
    except ValueError:
        return None
    match = _LISTING_PATH.match(parts.path)
    if not match:
        return None
    if match.group(1):
        return int(match.group(1))
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == _POST_PAGED:
            return int(value) if _PAGE_NUMBER.match(value) else None
    return 1


def is_listing_url(url: str) -> bool:
    return listing_page_number(url) is not None


def listing_page_url(url: str, number: int) -> str:
    """Listing page ``number`` in the pagination style of ``url`` (a page other than the first)."""
    parts = urlsplit(url)
    if re.search(r"/page/\d+/?$", parts.path):
        return urlunsplit(parts._replace(path=re.sub(r"/page/\d+/?$", f"/page/{number}/", parts.path)))
    return urlunsplit(parts._replace(query=f"post%5Bpaged%5D={number}"))


@_cached
def canonical_listing_url(url: str) -> str:
    """A listing URL with only the post counter kept, so the same page is fetched once; on the URL's own
    host. ValueError when ``url`` is no listing page."""
    number = listing_page_number(url)
    if number is None:
        raise ValueError(f"not a listing URL: {url!r}")
    parts = urlsplit(safe_url_string(url))
    by_path = "/page/" in parts.path
    has_counter = any(k == _POST_PAGED for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    kept = f"post%5Bpaged%5D={number}" if has_counter and not by_path else ""
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, kept, ""))


@_cached
def canonical_brief_url(url: str, origin: str = DEFAULT_ORIGIN) -> str:
    """The canonical URL of a brief: ``<origin>/the-peninsula/<slug>/``, no query, no fragment."""
    slug = brief_slug(url)
    if slug is None:
        raise ValueError(f"not a brief URL: {url!r}")
    return canonicalize_url(f"{origin_of(origin)}/{SECTION}/{slug}/")


def fetch_url(canonical_url: str, base_url: str) -> str:
    """Where to request a canonical brief URL: its path on ``base_url`` (the site or a mirror).
    ValueError when ``canonical_url`` is no brief URL: only a brief's own path may follow the origin."""
    # Canonicalizing a canonical URL changes nothing; any other brief URL gets its canonical path.
    return origin_of(base_url) + urlsplit(canonical_brief_url(canonical_url)).path


def rebase(url: str, fetched_from: str, origin: str = DEFAULT_ORIGIN) -> str:
    """A URL on the crawled host moved onto the site's own origin; other hosts' URLs unchanged."""
    parts = urlsplit(url)
    if parts.netloc.lower() != urlsplit(fetched_from).netloc.lower():
        return url
    canon = urlsplit(origin_of(origin))
    return urlunsplit((canon.scheme, canon.netloc, parts.path, parts.query, parts.fragment))


def brief_id(canonical_url: str) -> str:
    """First 16 hex digits of sha256 of the canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]
