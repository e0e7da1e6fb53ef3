"""Which URLs are briefs or listing pages of The Peninsula, and their canonical form.

Canonical brief URLs are built on the site's own origin (``https://keia.org``) even when the crawl runs
against a mirror, so that ``brief_id`` stays the same whichever copy of the site served the page.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

SECTION = "the-peninsula"
DEFAULT_ORIGIN = "https://keia.org"

# /the-peninsula/<slug>/ — one segment; "page" is the path-style pagination, not a slug.
_BRIEF_PATH = re.compile(r"^/the-peninsula/(?!page/?$)([A-Za-z0-9][A-Za-z0-9._~%-]*)/?$")
_LISTING_PATH = re.compile(r"^/the-peninsula(?:/|/page/(\d+)/?)?$")
# The listing's own block counter; other blocks on the page (podcasts[paged], …) page other content.
_POST_PAGED = "post[paged]"
# Every listing page links the same menus, pager and sidebar, and each test below is asked about each
# link several times (is it a brief? a listing page? its canonical form?): w3lib's safe_url_string under
# them was a tenth of a crawl's CPU. They are pure functions of a string, so a bounded cache is exact.
_cached = lru_cache(maxsize=4096)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, host lower-cased."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


def same_site(url: str, base_url: str) -> bool:
    """True when ``url`` is served by the same scheme-less host and port as ``base_url``."""
    return urlsplit(url).netloc.lower() == urlsplit(base_url).netloc.lower()


@_cached
def brief_slug(url: str) -> str | None:
    """The slug when ``url`` is a brief of The Peninsula, else None (listing, other section, bad URL)."""
    try:
        path = urlsplit(safe_url_string(url)).path
    except ValueError:
        return None
    match = _BRIEF_PATH.match(path)
    return match.group(1).lower() if match else None


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
            return int(value) if value.isdigit() else None
    return 1


def is_listing_url(url: str) -> bool:
    return listing_page_number(url) is not None


@_cached
def canonical_listing_url(url: str) -> str:
    """A listing URL with only the post counter kept, so the same page is fetched once."""
    parts = urlsplit(safe_url_string(url))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k == _POST_PAGED]
    kept = "&".join(f"post%5Bpaged%5D={v}" for _, v in query)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, kept, ""))


@_cached
def canonical_brief_url(url: str, origin: str = DEFAULT_ORIGIN) -> str:
    """The canonical URL of a brief: ``<origin>/the-peninsula/<slug>/``, no query, no fragment."""
    slug = brief_slug(url)
    if slug is None:
        raise ValueError(f"not a brief URL: {url!r}")
    return canonicalize_url(f"{origin_of(origin)}/{SECTION}/{slug}/")


def fetch_url(canonical_url: str, base_url: str) -> str:
    """Where to request a canonical brief URL: its path on ``base_url`` (the site or a mirror)."""
    path = urlsplit(canonical_url).path
    return origin_of(base_url) + path


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
