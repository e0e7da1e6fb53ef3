"""How the listing, the sitemaps and the feed are compared (``run.indexes.SiteIndexes``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kei_crawler.run.archive import KnownBrief
from kei_crawler.run.indexes import SiteIndexes, revalidation_due

A, B, C, D = (f"https://keia.org/the-peninsula/{slug}/" for slug in "abcd")


def test_the_archive_stands_in_for_the_listing_pages_not_read() -> None:
    indexes = SiteIndexes(listing={A}, sitemap={A: None, B: None, C: None}, sitemap_files={"s.xml"})
    assert indexes.disagreements(archived=())["sitemap_not_in_listing"] == 2
    assert indexes.disagreements(archived={B})["sitemap_not_in_listing"] == 1


def test_a_failed_sitemap_file_concludes_nothing_from_absence() -> None:
    indexes = SiteIndexes(listing={A, D}, sitemap={A: None}, sitemap_files={"s.xml"})
    assert indexes.disagreements(archived=())["listing_not_in_sitemap"] == 1
    indexes.sitemap_failed = True
    assert indexes.disagreements(archived=())["listing_not_in_sitemap"] == 0


def test_no_sitemap_and_no_feed_is_no_disagreement() -> None:
    indexes = SiteIndexes(listing={A, B})
    assert set(indexes.disagreements(archived=()).values()) == {0}


def test_the_feed_and_the_briefs_fetched_for_the_indexes() -> None:
    indexes = SiteIndexes(listing={A}, feed={A, C}, feed_read=True, requested={C, A})
    found = indexes.disagreements(archived=())
    assert found["feed_not_in_listing"] == 1 and found["briefs_from_indexes"] == 1


def known(url: str, last_modified: str | None, fetched: datetime | None) -> KnownBrief:
    return KnownBrief(
        url, "hash", None, last_modified, datetime(2020, 1, 1, tzinfo=UTC), None, fetched_at=fetched
    )


def test_revalidation_asks_for_the_briefs_dated_after_their_capture_and_those_unlisted() -> None:
    noon = datetime(2026, 1, 2, 12, tzinfo=UTC)
    archive = {
        A: known(A, "Fri, 02 Jan 2026 12:00:00 GMT", None),  # dated as captured: unchanged
        B: known(B, "Fri, 02 Jan 2026 12:00:00 GMT", None),  # dated an hour later: edited
        C: known(C, None, noon.replace(tzinfo=None)),  # no Last-Modified: its (naive, UTC) fetch time
        D: known(D, None, noon),  # the sitemap no longer lists it
    }
    sitemap = {A: noon, B: noon + timedelta(hours=1), C: noon - timedelta(days=1)}
    assert revalidation_due([A, B, C, D], archive, sitemap) == ([B, D], [A, C])


def test_a_brief_without_lastmod_or_capture_time_is_asked_for() -> None:
    archive = {A: known(A, None, None), B: known(B, "not a date", None)}
    sitemap: dict[str, datetime | None] = {A: datetime(2026, 1, 1, tzinfo=UTC), B: None}
    assert revalidation_due([A, B], archive, sitemap) == ([A, B], [])
