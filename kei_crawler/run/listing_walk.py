"""The walk of the listing in one crawl: whether every page was read in one state of the site.

The listing holds entries newest first, ten a page. When the site publishes or removes a brief while a
crawl walks it, every entry below that point moves by one place, and a move across a page boundary puts
an entry on a page the crawl has read already (or has yet to read) — so a brief listed the whole time
would be read on no page at all. The walk records each page's latest read: what the listing said its size
was ("N Posts located") and which briefs it listed. Pages read in different states are told apart by
that count changing, or by a page starting with a brief the page before it listed further down (the
entries moved down between the two reads). When the crawl has nothing else to do, the pages read before
the latest change are read again (:meth:`ListingWalk.next_round`), until every page agrees, at most
``KEI_LISTING_REREADS`` rounds. A walk that never agrees is left *unresolved*: the snapshot records that
the listing was not read whole, and the next scheduled crawl sweeps it (``config.Mode.SWEEP``).
No Scrapy here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

SWEPT_AT_KEY = "listing_swept_at"
"""Snapshot metadata: when a crawl last read the whole listing in one state (ISO 8601; absent: never)."""


@dataclass(frozen=True)
class PageRead:
    url: str
    """The listing page's URL, to read it again."""
    count: int | None
    """The listing's "N Posts located" on this read; None when the page shows none."""
    entries: tuple[str, ...]
    """The canonical URLs of the briefs it listed, in page order."""
    order: int
    """How many listing pages the walk had read before this one."""


@dataclass
class ListingWalk:
    max_rounds: int = 3
    """Rounds of reading pages again before the walk is left unresolved (``KEI_LISTING_REREADS``)."""
    pages: dict[int, PageRead] = field(default_factory=dict)
    """Page number → its latest read."""
    reads: int = 0
    """Listing pages read so far, first reads and reads again."""
    rounds: int = 0
    """Rounds of reading again started so far."""
    shifts: int = 0
    """Times the walk was found read in more than one state of the listing."""
    unresolved: bool = False
    """The listing still disagreed with itself when the rounds were spent."""
    incomplete: bool = False
    """A listing page could not be read, or lay beyond ``KEI_MAX_LISTING_PAGES``."""

    def record(self, number: int, url: str, count: int | None, entries: list[str]) -> None:
        """The read of listing page ``number`` just made."""
        self.pages[number] = PageRead(url, count, tuple(entries), self.reads)
        self.reads += 1

    def forget(self, number: int) -> None:
        """Listing page ``number`` is past the end now (it answered 404 when read again)."""
        self.pages.pop(number, None)

    def stale(self) -> list[int]:
        """The pages whose latest read was made in another state of the listing than the newest."""
        counted = [page for page in self.pages.values() if page.count is not None]
        newest = max(counted, key=lambda page: page.order).count if counted else None
        stale = {n for n, page in self.pages.items() if page.count is not None and page.count != newest}
        for number, page in self.pages.items():
            after = self.pages.get(number + 1)
            # The next page opens with a brief this one listed below its own first entry: the entries
            # moved down between the two reads (the first entry is spared: a post pinned to every page).
            if after is not None and after.entries and after.entries[0] in page.entries[1:]:
                stale.add(number if page.order < after.order else number + 1)
        return sorted(stale)

    def next_round(self) -> list[PageRead]:
        """The pages to read again now: none when the walk agrees, or when its rounds are spent (the walk
        is then unresolved)."""
        stale = [] if self.unresolved else self.stale()
        if not stale:
            return []
        self.shifts += 1
        if self.rounds >= self.max_rounds:
            self.unresolved = True
            return []
        self.rounds += 1
        return [self.pages[number] for number in stale]

    def counts_seen(self) -> list[int]:
        """The distinct "N Posts located" values of the pages as last read, in the order they were read."""
        seen: list[int] = []
        for page in sorted(self.pages.values(), key=lambda page: page.order):
            if page.count is not None and page.count not in seen:
                seen.append(page.count)
        return seen


def swept_at(
    previous: datetime | None, walk: ListingWalk, *, whole: bool, started_at: datetime
) -> datetime | None:
    """When the listing was last read whole, after a crawl that walked it (``whole``: every page, not
    just the newest) or not. A walk that could not be settled makes a sweep due at once; one that missed
    a page (an error, past ``KEI_MAX_LISTING_PAGES``) leaves the date as it was, so a page that stays
    broken does not turn every crawl into a sweep."""
    if walk.unresolved:
        return None
    return started_at if whole and not walk.incomplete else previous


def sweep_due(swept: datetime | None, now: datetime, days: float) -> bool:
    """A sweep is due when the listing was never read whole, or not for ``days`` days."""
    return swept is None or now - swept >= timedelta(days=days)
