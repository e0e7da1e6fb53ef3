"""The listing's shifts, read from listing HTML: its count in any markup, and which pages moved (point 23).

Pages come from the replica's own renderer (every theme) before and after the site changed, fed to
``IndexPage`` and ``ListingWalk`` as a crawl would; no socket, no crawl.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from kei_crawler import urls
from kei_crawler.config import ConfigError, KeiConfig, Mode, resolve_mode
from kei_crawler.pages import IndexPage
from kei_crawler.replica import build_site
from kei_crawler.replica.content import Site
from kei_crawler.replica.listing import page_url
from kei_crawler.replica.themes import THEMES
from kei_crawler.run.listing_walk import ListingWalk, sweep_due, swept_at

BASE = "http://127.0.0.1:8000"
ENTRIES = (
    '<div><a href="/the-peninsula/first-brief/">First brief</a> May 14, 2021 Read More</div>'
    '<div><a href="/the-peninsula/second-brief/">Second brief</a> May 13, 2021 Read More</div>'
)


def listing(head: str, tail: str = "") -> str:
    return f"<html><head><title>The Peninsula</title></head><body>{head}{ENTRIES}{tail}</body></html>"


@pytest.mark.parametrize(
    ("html", "count"),
    [
        (listing('<p class="found">2002 Posts located</p>'), 2002),
        (listing('<div class="view-header"><p>2,002 Posts located</p></div>'), 2002),
        (listing("<div><span>2002</span><span>Posts located</span></div>"), 2002),
        (listing("<h2><strong>2&nbsp;002</strong>posts located</h2>"), 2002),
        (listing("<table><tr><td><font size=2>58</font></td><td>Posts located</td></tr></table>"), 58),
        (listing("<p>Posts located: 1,234</p>"), 1234),
        (listing("<p>1 Post located</p>"), 1),
        # The podcasts block's own count comes first; the listing's is the one above its entries.
        (listing("<aside><h2>Podcasts</h2><p>12 Posts located</p></aside><p>2002 Posts located</p>"), 2002),
        (listing("<form><label>Filter</label><span>60 Posts located</span></form>"), 60),
        (listing('<script>var total = "999 Posts located";</script><p>60 Posts located</p>'), 60),
        (listing("<div hidden>5 Posts located</div><p>60 Posts located</p>"), 60),
        (listing("", "<footer>60 Posts located</footer>"), 60),  # below the entries, the only one
        (listing("<p>Total Index: 6384 publications.</p>"), None),
        (listing("<p>Page 2 of 200 2002 Posts located</p>"), 2002),
    ],
)
def test_the_count_is_read_from_any_markup(html: str, count: int | None) -> None:
    assert IndexPage(f"{BASE}/the-peninsula/", html).posts_located() == count


@pytest.mark.parametrize("theme", THEMES)
def test_each_replica_theme_shows_its_count(theme: str) -> None:
    site = build_site(23, theme=theme)
    assert read(site, 2).count == 23


class Read:
    def __init__(self, number: int, html: bytes) -> None:
        self.number = number
        self.url = BASE + page_url("query", number)
        page = IndexPage(self.url, html)
        self.count = page.posts_located()
        self.entries = [urls.canonical_brief_url(link) for link in page.brief_links()]


def read(site: Site, number: int) -> Read:
    status, _, body = site.render(page_url(site.pagination, number), BASE)
    assert status == 200
    return Read(number, body)


def walk_through(site: Site, walk: ListingWalk, numbers: list[int]) -> None:
    for number in numbers:
        page = read(site, number)
        walk.record(number, page.url, page.count, page.entries)


def seen(walk: ListingWalk) -> set[str]:
    return {entry for page in walk.pages.values() for entry in page.entries}


def listed(site: Site) -> set[str]:
    return {f"https://keia.org/the-peninsula/{brief.slug}/" for brief in site.briefs}


@pytest.mark.parametrize("theme", THEMES)
def test_pages_read_before_a_removal_are_read_again_until_every_listed_brief_is_seen(theme: str) -> None:
    site = build_site(60, theme=theme)
    walk = ListingWalk(max_rounds=3)
    walk_through(site, walk, [1, 6, 3])  # a full crawl's order, one request at a time
    site.remove(site.briefs[15].slug)
    site.remove(site.briefs[5].slug)
    walk_through(site, walk, [4, 5, 2])
    missed = listed(site) - seen(walk)
    assert len(missed) == 3, "the walk as read loses three briefs listed the whole time"

    again = walk.next_round()
    assert [page.url for page in again] == [BASE + page_url("query", n) for n in (1, 3, 6)]
    walk_through(site, walk, [1, 3, 6])
    assert walk.next_round() == [] and not walk.unresolved
    assert listed(site) <= seen(walk)
    assert walk.shifts == 1 and walk.counts_seen() == [58]


def test_a_listing_without_a_count_shifts_by_its_entries() -> None:
    site = build_site(40, theme="modern")
    walk = ListingWalk()
    counted = re.compile(rb"\d+ Posts located")
    for number in (1, 2):
        if number == 2:
            site.publish(3)  # everything moves down three places between the two reads
        page = Read(number, counted.sub(b"", site.render(page_url("query", number), BASE)[2]))
        assert page.count is None
        walk.record(number, page.url, page.count, page.entries)
    assert walk.stale() == [1]


def test_an_unchanged_listing_is_not_read_again() -> None:
    site = build_site(60, theme="classic")
    walk = ListingWalk()
    walk_through(site, walk, [1, 6, 3, 4, 5, 2])
    assert walk.next_round() == [] and walk.shifts == 0
    assert listed(site) == seen(walk)


def test_a_listing_that_keeps_changing_is_read_again_a_bounded_number_of_times() -> None:
    site = build_site(60, theme="flat")
    walk = ListingWalk(max_rounds=2)
    walk_through(site, walk, [1, 2, 3])
    site.remove(site.briefs[0].slug)
    walk_through(site, walk, [4])
    for _ in range(5):
        again = [urls.listing_page_number(page.url) or 1 for page in walk.next_round()]
        site.remove(site.briefs[0].slug)  # and again while those pages are read
        walk_through(site, walk, again)
    assert walk.rounds == 2 and walk.unresolved and walk.shifts == 3
    assert walk.reads == 4 + 3 + 1


def test_a_page_past_the_new_end_is_forgotten() -> None:
    walk = ListingWalk()
    walk.record(1, "u1", 11, ["a"])
    walk.record(2, "u2", 11, ["b"])
    walk.record(1, "u1", 10, ["a"])
    assert walk.stale() == [2]
    walk.forget(2)
    assert walk.stale() == []


NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_auto_sweeps_when_a_sweep_is_due_and_only_then() -> None:
    assert resolve_mode("auto", True, sweep_due=True) is Mode.SWEEP
    assert resolve_mode("auto", True, sweep_due=False) is Mode.INCREMENTAL
    assert resolve_mode("auto", False, sweep_due=True) is Mode.FULL
    assert resolve_mode("sweep", True) is Mode.SWEEP
    assert resolve_mode("incremental", True, sweep_due=True) is Mode.INCREMENTAL  # asked for, not auto


def test_a_sweep_is_due_after_the_interval_or_when_the_listing_was_never_read_whole() -> None:
    assert sweep_due(None, NOW, 7)
    assert not sweep_due(NOW - timedelta(days=6), NOW, 7)
    assert sweep_due(NOW - timedelta(days=7), NOW, 7)
    assert sweep_due(NOW, NOW, 0)


def test_what_a_crawl_records_as_the_last_whole_reading_of_the_listing() -> None:
    before = NOW - timedelta(days=3)
    walk = ListingWalk()
    assert swept_at(before, walk, whole=True, started_at=NOW) == NOW
    assert swept_at(before, walk, whole=False, started_at=NOW) == before  # incremental: carried
    walk.incomplete = True  # a listing page failed: the clock is not reset
    assert swept_at(before, walk, whole=True, started_at=NOW) == before
    assert swept_at(before, walk, whole=False, started_at=NOW) == before
    walk.unresolved = True
    assert swept_at(before, walk, whole=False, started_at=NOW) is None  # whatever the mode: sweep next


@pytest.mark.parametrize(
    ("name", "value"), [("KEI_LISTING_REREADS", "-1"), ("KEI_SWEEP_DAYS", "-2"), ("KEI_SWEEP_DAYS", "week")]
)
def test_the_settings_are_checked(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        KeiConfig.from_settings({name: value})
