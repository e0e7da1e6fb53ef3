"""How far a crawl has come — the pages fetched, and how many are known to be due — and how far a
re-extraction has read its WARCs. No Scrapy here.

A page is a listing page or a brief page (not a photo, not robots.txt): what a person thinks of as the
crawl's work. The total is what is known so far, and only grows: the page requests already queued, and,
once the listing's first page has been read in a mode that walks the whole listing, what its
"N Posts located" count says is due — every listing page, and in a full crawl every brief. An
incremental crawl learns its total as it walks the listing (it stops where the archived briefs begin), so
its total grows with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from kei_crawler import urls
from kei_crawler.config import WHOLE_LISTING, Mode
from kei_crawler.run.listing_walk import ListingWalk


def page_kind(url: str) -> str | None:
    """``"listing"`` or ``"brief"`` for the pages the progress counts; None for anything else."""
    if urls.is_brief_url(url):
        return "brief"
    if urls.listing_page_number(url) is not None:
        return "listing"
    return None


@dataclass
class PageProgress:
    mode: Mode
    queued: dict[str, int]
    """Page requests queued so far, by kind (a retry is queued again, and is another page to fetch)."""
    fetched: int = 0
    """Page requests that left the downloader, answered or failed."""
    listing_count: int | None = None
    """The listing's "N Posts located" on its newest read."""
    per_page: int = 0
    """The most entries one listing page held."""

    @classmethod
    def of(cls, mode: Mode) -> PageProgress:
        return cls(mode=mode, queued={"listing": 0, "brief": 0})

    def queue(self, kind: str) -> None:
        self.queued[kind] += 1

    def dequeue(self, kind: str) -> None:
        """A queued request the scheduler turned down (a duplicate): no page to fetch after all."""
        self.queued[kind] -= 1

    def read_listing(self, walk: ListingWalk) -> None:
        """What the listing pages read so far tell of the site's size."""
        counts = walk.counts_seen()
        if counts:
            self.listing_count = counts[-1]
        self.per_page = max((len(page.entries) for page in walk.pages.values()), default=0)

    @property
    def listing_due(self) -> int:
        """Listing pages the whole listing holds, when this mode reads it whole and its size is known."""
        if self.mode not in WHOLE_LISTING or not self.listing_count or not self.per_page:
            return 0
        return math.ceil(self.listing_count / self.per_page)

    @property
    def briefs_due(self) -> int:
        """Brief pages the listing's count makes due: every listed brief in a full crawl."""
        return (self.listing_count or 0) if self.mode is Mode.FULL else 0

    @property
    def total(self) -> int:
        """Pages known to be due: never fewer than queued or fetched."""
        listing = max(self.queued["listing"], self.listing_due)
        briefs = max(self.queued["brief"], self.briefs_due)
        return max(listing + briefs, self.fetched)


@dataclass
class ReadProgress:
    """How far a re-extraction has read its WARCs: the records, and the bytes of the files' whole size."""

    sizes: dict[str, int]
    """Each WARC's name → its size in bytes."""
    records: int = 0
    behind: set[str] = field(default_factory=set)
    """The WARCs read to their end."""
    current: str | None = None
    offset: int = 0
    """Where in ``current`` the last record read began."""

    @classmethod
    def of(cls, paths: list[Path]) -> ReadProgress:
        return cls(sizes={path.name: path.stat().st_size for path in paths})

    def read(self, file: str, offset: int) -> None:
        """A record of ``file`` (a WARC's name) at ``offset`` was just read."""
        if file != self.current and self.current is not None:
            self.behind.add(self.current)
        self.current, self.offset = file, offset
        self.records += 1

    def finish(self) -> None:
        """Every WARC was read to its end."""
        self.behind.update(self.sizes)
        self.current, self.offset = None, 0

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    @property
    def position(self) -> int:
        """Bytes read: the WARCs behind, and the current one up to its last record."""
        return sum(self.sizes.get(name, 0) for name in self.behind) + self.offset
