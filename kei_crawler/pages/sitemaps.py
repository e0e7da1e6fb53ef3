"""Sitemap indexes and sitemaps (sitemaps.org 0.9; plain or gzipped) into plain dataclasses, safely.

``read_sitemap(data, url, base_url)`` reads either kind, telling them apart by the document element
(``<sitemapindex>`` or ``<urlset>``); what makes it safe is ``pages/xml_input.py``. Only URLs on the
site (``urls.same_site``: http(s), same host and port as ``base_url``) are kept; the others, a child
sitemap naming the file itself, and records past ``Limits.max_entries`` are counted, not returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kei_crawler.pages.xml_input import (
    DEFAULT_LIMITS,
    MAX_URL_LENGTH,
    Limits,
    XmlRefused,
    child_text,
    records,
    unpacked,
    w3c_datetime,
)
from kei_crawler.urls import same_site

SitemapKind = Literal["index", "urlset"]
_KINDS: dict[str, SitemapKind] = {"sitemapindex": "index", "urlset": "urlset"}
_RECORDS = frozenset({"sitemap", "url"})


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    """As the file writes it, white space stripped: a page (``urlset``) or a child sitemap (``index``)."""
    lastmod: datetime | None
    """``<lastmod>`` as an aware UTC datetime; None when absent or unreadable."""


@dataclass(frozen=True)
class Sitemap:
    kind: SitemapKind
    """``index``: the entries are child sitemaps; ``urlset``: they are pages."""
    entries: tuple[SitemapEntry, ...]
    offsite: int = 0
    """Entries dropped for naming another host, another port, a non-http(s) URL, or none readable."""
    self_links: int = 0
    """Index entries dropped for naming this very file (a loop)."""
    beyond_cap: int = 0
    """Entries past ``Limits.max_entries``, dropped unread."""
    bad_lastmod: int = 0
    """Entries kept whose ``<lastmod>`` was present but unreadable (their ``lastmod`` is None)."""


def read_sitemap(data: bytes, url: str, base_url: str, limits: Limits = DEFAULT_LIMITS) -> Sitemap:
    """The sitemap or sitemap index ``data`` fetched from ``url`` on the site at ``base_url``.

    Raises ``XmlRefused`` (one line) for what it will not read: over a size cap, bad gzip, not well-formed,
    a DTD, or a document that is neither kind.
    """
    items = records(unpacked(data, limits), _RECORDS, limits)
    root, _ = next(items)
    kind = _KINDS.get(root)
    if kind is None:
        raise XmlRefused(f"<{root[:40]}> is neither a <urlset> nor a <sitemapindex>")
    wanted = "sitemap" if kind == "index" else "url"
    entries: list[SitemapEntry] = []
    offsite = self_links = beyond_cap = bad_lastmod = 0
    for name, element in items:
        if name != wanted:
            continue
        loc = child_text(element, "loc") or ""
        if len(entries) >= limits.max_entries:
            beyond_cap += 1
        elif len(loc) > MAX_URL_LENGTH or not same_site(loc, base_url):
            offsite += 1
        elif kind == "index" and loc == url:
            self_links += 1
        else:
            raw = child_text(element, "lastmod")
            lastmod = w3c_datetime(raw)
            bad_lastmod += raw is not None and lastmod is None
            entries.append(SitemapEntry(loc, lastmod))
    return Sitemap(kind, tuple(entries), offsite, self_links, beyond_cap, bad_lastmod)
