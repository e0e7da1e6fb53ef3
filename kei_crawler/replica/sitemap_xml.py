"""The replica's sitemaps, as WordPress publishes them: core's ``wp-sitemap.xml`` or a plugin's (Yoast SEO's)
``sitemap_index.xml``, each an index of paged post sitemaps with ``<lastmod>`` and a page sitemap.

Off unless the site asks (``Publishing.sitemaps``), so a site built without it serves today's bytes. The
post sitemaps list the briefs oldest first, as both generators page them, so a new brief lands on the last
page and the earlier pages keep their bytes; each ``<lastmod>`` is the brief's ``modified`` time — the
Last-Modified its page is served with, bumped by ``Site.edit`` — as WordPress writes ``post_modified_gmt``.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from kei_crawler.replica.model import Brief
from kei_crawler.replica.pages import STATIC

SITEMAP_STYLES = ("none", "core", "plugin")
INDEX_PATHS = {"core": "/wp-sitemap.xml", "plugin": "/sitemap_index.xml"}
# Core's wp_sitemaps_get_max_urls() is 2,000; Yoast SEO's entries-per-page default is 1,000.
PAGE_SIZES = {"core": 2000, "plugin": 1000}
_POSTS = {"core": re.compile(r"/wp-sitemap-posts-post-([1-9][0-9]{0,5})\.xml"),
          "plugin": re.compile(r"/post-sitemap([2-9]|[1-9][0-9]{1,5})?\.xml")}  # fmt: skip
_PAGES = {"core": "/wp-sitemap-posts-page-1.xml", "plugin": "/page-sitemap.xml"}
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
GZIP = "application/x-gzip"
XML = "application/xml; charset=UTF-8"


@dataclass(frozen=True)
class Publishing:
    """What the site publishes besides its pages (``build_site``'s options; all off by default)."""

    sitemaps: str = "none"
    """``none``, ``core`` (``/wp-sitemap.xml``) or ``plugin`` (``/sitemap_index.xml``)."""
    gzip: bool = False
    """The index names its sitemaps ``….xml.gz``, served gzipped (both forms are served either way)."""
    feed: bool = False
    """An RSS 2.0 feed at ``/feed/`` (``replica/rss.py``)."""

    def __post_init__(self) -> None:
        if self.sitemaps not in SITEMAP_STYLES:
            raise ValueError(f"unknown sitemaps {self.sitemaps!r}; choose from {', '.join(SITEMAP_STYLES)}")

    @property
    def robots_sitemap(self) -> str:
        """The path robots.txt's ``Sitemap:`` line names (the historical ``/sitemap.xml`` when off)."""
        return INDEX_PATHS.get(self.sitemaps, "/sitemap.xml")


def render(publishing: Publishing, briefs: Sequence[Brief], path: str, base: str) -> tuple[str, bytes] | None:
    """(Content-Type, body) of the sitemap file at ``path``, or None when there is none there.

    ``briefs``: those the sitemap lists, newest first (as ``Site.briefs``).
    """
    style = publishing.sitemaps
    if style == "none":
        return None
    plain = path.removesuffix(".gz")
    found = _document(style, publishing.gzip, list(reversed(briefs)), plain, base)
    if found is None:
        return None
    if plain != path:
        return GZIP, gzip.compress(found, mtime=0)
    return XML, found


def _document(style: str, gzipped: bool, oldest_first: list[Brief], path: str, base: str) -> bytes | None:
    size = PAGE_SIZES[style]
    pages = [oldest_first[i : i + size] for i in range(0, len(oldest_first), size)]
    if path == INDEX_PATHS[style]:
        return _index(style, gzipped, pages, base)
    if path == _PAGES[style]:
        return _urlset(base, [(base + "/", None)] + [(f"{base}/{key}/", None) for key in STATIC])
    match = _POSTS[style].fullmatch(path)
    if match is None:
        return None
    number = int(match.group(1) or 1)
    if number > len(pages):
        return None
    return _urlset(base, [(base + brief.path, brief.modified) for brief in pages[number - 1]])


def post_sitemap_path(style: str, number: int) -> str:
    if style == "core":
        return f"/wp-sitemap-posts-post-{number}.xml"
    return "/post-sitemap.xml" if number == 1 else f"/post-sitemap{number}.xml"


def _index(style: str, gzipped: bool, pages: list[list[Brief]], base: str) -> bytes:
    suffix = ".gz" if gzipped else ""
    # Core's index carries no <lastmod>; Yoast's gives each sitemap its newest entry's.
    children: list[tuple[str, datetime | None]] = [
        (
            base + post_sitemap_path(style, n) + suffix,
            max(b.modified for b in page) if style == "plugin" else None,
        )
        for n, page in enumerate(pages, start=1)
    ]
    children.append((base + _PAGES[style] + suffix, None))
    rows = "".join(f"<sitemap>{_loc_and_lastmod(loc, when)}</sitemap>" for loc, when in children)
    return _xml(base, "sitemapindex", rows)


def _urlset(base: str, entries: Sequence[tuple[str, datetime | None]]) -> bytes:
    rows = "".join(f"<url>{_loc_and_lastmod(loc, when)}</url>" for loc, when in entries)
    return _xml(base, "urlset", rows)


def _loc_and_lastmod(loc: str, when: datetime | None) -> str:
    lastmod = f"<lastmod>{w3c(when)}</lastmod>" if when is not None else ""
    return f"<loc>{escape(loc)}</loc>{lastmod}"


def w3c(when: datetime) -> str:
    """``2024-05-06T07:08:09+00:00``, the form both generators write."""
    return when.astimezone(UTC).isoformat(timespec="seconds")


def _xml(base: str, root: str, rows: str) -> bytes:
    # Both generators put an XSL stylesheet processing instruction first, for browsers; readers skip it.
    stylesheet = f'<?xml-stylesheet type="text/xsl" href="{base}/wp-sitemap.xsl" ?>\n'
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n{stylesheet}<{root} xmlns="{_NS}">{rows}</{root}>\n'
    return text.encode("utf-8")
