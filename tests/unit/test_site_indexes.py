"""How the listing, the sitemaps and the feed are compared (``run.indexes.SiteIndexes``)."""

from __future__ import annotations

from kei_crawler.run.indexes import SiteIndexes

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
