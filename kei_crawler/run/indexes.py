"""What the site's own indexes — its sitemaps and its feed — list, beside what its listing pages list.

The spider (``spiders.index_requests``) records here the briefs each source names, as canonical URLs; a
brief an index lists that neither the listing nor the archive holds is fetched like any brief. At the end
the sources are compared (``disagreements``) and each difference counted, so a monitor learns when the
site's indexes and its listing disagree. The listing is read whole only by a full crawl or a sweep; in an
incremental crawl the archive stands in for the pages not read, so a brief only the sitemap lists is
reported by the crawl that first finds it (and by every sweep while the site still leaves it out).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kei_crawler.pages.xml_input import rfc822_datetime
from kei_crawler.run.archive import KnownBrief
from kei_crawler.run.index_absence import Absence, absence_after

MAX_SITEMAP_FILES = 500
"""Sitemap files read per crawl: the 6,384 briefs need 7; 500 of 50,000 URLs each is 25 million."""


@dataclass
class SiteIndexes:
    asked: bool = False
    """The sitemaps and the feed were asked for (once a crawl, when robots.txt was read)."""
    listing: set[str] = field(default_factory=set)
    """Brief URLs this crawl's listing pages linked to."""
    sitemap: dict[str, datetime | None] = field(default_factory=dict)
    """Brief URLs the sitemaps list → their ``<lastmod>`` (None when absent or unreadable)."""
    feed: set[str] = field(default_factory=set)
    sitemap_files: set[str] = field(default_factory=set)
    """The sitemap files (indexes included) read whole."""
    requested_files: set[str] = field(default_factory=set)
    """The sitemap files an index named, asked for."""
    sitemap_failed: bool = False
    """A sitemap file could not be read: what the sitemaps list is incomplete, so nothing is concluded
    from a brief's absence from them."""
    feed_read: bool = False
    revalidation_pending: bool = False
    """A revalidating crawl waits for the sitemaps before it asks for any archived brief (``spider_idle``)."""
    requested: set[str] = field(default_factory=set)
    """Briefs requested because an index listed them and neither the listing nor the archive did."""
    named: frozenset[str] = frozenset()
    """The same-host sitemaps robots.txt named."""
    skipped: bool = False
    """Not asked: the last asking found nothing (``run.index_absence``)."""
    chains: int = 0
    """Sitemap requests started from robots.txt: one per named sitemap, or one through the usual places."""
    chains_missing: int = 0
    """Of those, how many ended in a 404/410 (the last usual place, or a named sitemap)."""
    feed_missing: bool = False

    @property
    def found_none(self) -> bool:
        """This crawl asked, and every sitemap and the feed answered 404/410."""
        return self.asked and self.chains_missing == self.chains > 0 and self.feed_missing

    def absence(self, previous: Absence | None, started_at: datetime) -> Absence | None:
        """What the next snapshot records of this crawl's asking (``run.index_absence``)."""
        asked = self.asked and not self.skipped
        return absence_after(
            previous, asked=asked, found_none=self.found_none, named=self.named, started_at=started_at
        )

    def disagreements(self, archived: Collection[str]) -> dict[str, int]:
        """Each disagreement's count; ``archived``: the archive's briefs, standing in for the listing pages
        an incremental crawl did not read (empty when the listing was read whole)."""

        def not_listed(source: Collection[str]) -> int:
            return sum(1 for url in source if url not in self.listing and url not in archived)

        sitemaps_whole = bool(self.sitemap_files) and not self.sitemap_failed
        return {
            "sitemap_not_in_listing": not_listed(self.sitemap),
            "listing_not_in_sitemap": (
                sum(1 for url in self.listing if url not in self.sitemap) if sitemaps_whole else 0
            ),
            "feed_not_in_listing": not_listed(self.feed) if self.feed_read else 0,
            "briefs_from_indexes": len(self.requested - self.listing),
        }


def revalidation_due(
    live: Iterable[str], known: Mapping[str, KnownBrief], sitemap: Mapping[str, datetime | None]
) -> tuple[list[str], list[str]]:
    """The ``live`` briefs to ask again, and those the sitemap dates no later than their capture.

    Asked: a brief the sitemap lists with a ``<lastmod>`` newer than its capture (the row's
    ``Last-Modified``, else its ``fetched_at``: the site's clock is compared with the site's clock where
    it can be), one it lists with no ``<lastmod>``, and one it no longer lists (to confirm a 404/410).
    """
    ask: list[str] = []
    unchanged: list[str] = []
    for url in live:
        lastmod = sitemap.get(url)
        captured = _captured(known[url])
        if lastmod is None or captured is None or lastmod > captured:
            ask.append(url)
        else:
            unchanged.append(url)
    return ask, unchanged


def _captured(brief: KnownBrief) -> datetime | None:
    when = rfc822_datetime(brief.http_last_modified) or brief.fetched_at
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # the snapshot's timestamps are UTC
    return when
