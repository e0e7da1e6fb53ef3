"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds into plain dataclasses, safely: each item's link and dates.

``read_feed(data, url, base_url)`` tells the formats apart by the document element; what makes it safe is
``pages/xml_input.py``. Titles and descriptions are not read at all (a feed's HTML in a title is no
concern of a crawler that fetches the page itself); a link off the site (``urls.same_site``) or past
``Limits.max_entries`` is counted, not returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from lxml import etree

from kei_crawler.pages.xml_input import (
    DEFAULT_LIMITS,
    MAX_URL_LENGTH,
    Limits,
    XmlRefused,
    child_text,
    local_name,
    records,
    rfc822_datetime,
    unpacked,
    w3c_datetime,
)
from kei_crawler.urls import join, same_site

FeedKind = Literal["rss", "atom"]
_KINDS: dict[str, FeedKind] = {"rss": "rss", "RDF": "rss", "feed": "atom"}
_RECORDS = frozenset({"item", "entry"})


@dataclass(frozen=True)
class FeedItem:
    url: str
    """The item's link (Atom: its ``alternate`` link), resolved against the feed's URL."""
    published: datetime | None
    """RSS ``pubDate`` (or ``dc:date``), Atom ``published``: aware UTC, None when absent or unreadable."""
    updated: datetime | None
    """Atom ``updated``; None in RSS, which has no such date."""


@dataclass(frozen=True)
class Feed:
    kind: FeedKind
    items: tuple[FeedItem, ...]
    """In the feed's order (newest first, as WordPress writes it)."""
    offsite: int = 0
    """Items dropped for a link to another host, another port, a non-http(s) URL, or none at all."""
    beyond_cap: int = 0
    """Items past ``Limits.max_entries``, dropped unread."""


def read_feed(data: bytes, url: str, base_url: str, limits: Limits = DEFAULT_LIMITS) -> Feed:
    """The feed ``data`` fetched from ``url`` on the site at ``base_url``.

    Raises ``XmlRefused`` (one line) for what it will not read: over a size cap, bad gzip, not well-formed,
    a DTD, or a document that is no feed.
    """
    found = records(unpacked(data, limits), _RECORDS, limits)
    root, _ = next(found)
    kind = _KINDS.get(root)
    if kind is None:
        raise XmlRefused(f"<{root[:40]}> is neither an RSS <rss> or <RDF> nor an Atom <feed>")
    wanted = "entry" if kind == "atom" else "item"
    items: list[FeedItem] = []
    offsite = beyond_cap = 0
    for name, element in found:
        if name != wanted:
            continue
        if len(items) >= limits.max_entries:
            beyond_cap += 1
            continue
        link = _atom_link(element) if kind == "atom" else child_text(element, "link")
        absolute = join(url, link) if link else None
        if absolute is None or len(absolute) > MAX_URL_LENGTH or not same_site(absolute, base_url):
            offsite += 1
        elif kind == "atom":
            published = w3c_datetime(child_text(element, "published"))
            items.append(FeedItem(absolute, published, w3c_datetime(child_text(element, "updated"))))
        else:
            published = rfc822_datetime(child_text(element, "pubDate")) or w3c_datetime(
                child_text(element, "date")
            )
            items.append(FeedItem(absolute, published, None))
    return Feed(kind, tuple(items), offsite, beyond_cap)


def _atom_link(entry: etree._Element) -> str | None:
    """The entry's ``rel="alternate"`` link (the default rel), the page the entry is about."""
    for child in entry:
        is_link = isinstance(child.tag, str) and local_name(child) == "link"
        if is_link and child.get("rel", "alternate") == "alternate" and child.get("href"):
            return str(child.get("href"))
    return None
