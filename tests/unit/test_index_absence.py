"""Whether a crawl asks for the sitemaps and the feed on a site that had none (``run.index_absence``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kei_crawler.config import Mode
from kei_crawler.run.index_absence import Absence, absence_after, asking_due, decode
from kei_crawler.run.indexes import SiteIndexes

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
NAMED = "https://keia.org/sitemap.xml"
FOUND_NONE = Absence(NOW - timedelta(hours=1), frozenset({NAMED}))


def test_an_incremental_crawl_skips_while_the_last_asking_found_nothing() -> None:
    assert not asking_due(FOUND_NONE, Mode.INCREMENTAL, [NAMED], NOW, days=7)
    assert not asking_due(FOUND_NONE, Mode.INCREMENTAL, [], NOW, days=7)  # robots.txt stopped naming it


@pytest.mark.parametrize("mode", [Mode.FULL, Mode.REVALIDATE, Mode.SWEEP])
def test_every_other_mode_asks_again(mode: Mode) -> None:
    assert asking_due(FOUND_NONE, mode, [NAMED], NOW, days=7)


def test_asked_again_after_the_sweep_days_or_for_a_newly_named_sitemap_or_with_no_record() -> None:
    assert asking_due(FOUND_NONE, Mode.INCREMENTAL, [NAMED], NOW + timedelta(days=7), days=7)
    assert asking_due(FOUND_NONE, Mode.INCREMENTAL, ["https://keia.org/wp-sitemap.xml"], NOW, days=7)
    assert asking_due(None, Mode.INCREMENTAL, [], NOW, days=7)


def test_only_404s_everywhere_record_an_absence() -> None:
    indexes = SiteIndexes(asked=True, named=frozenset({NAMED}), chains=1, chains_missing=1)
    assert not indexes.found_none  # the feed's answer is still to come
    indexes.feed_missing = True
    assert indexes.found_none
    assert indexes.absence(None, NOW) == Absence(NOW, frozenset({NAMED}))
    indexes.chains = 2  # a second named sitemap answered something other than 404/410
    assert not indexes.found_none and indexes.absence(FOUND_NONE, NOW) is None


def test_a_crawl_that_did_not_ask_carries_the_record_forward() -> None:
    skipped = SiteIndexes(asked=True, skipped=True)
    assert skipped.absence(FOUND_NONE, NOW) == FOUND_NONE
    assert SiteIndexes().absence(FOUND_NONE, NOW) == FOUND_NONE  # KEI_SITEMAPS off
    assert absence_after(None, asked=True, found_none=False, named=(), started_at=NOW) is None


def test_the_record_round_trips_and_a_damaged_one_means_ask() -> None:
    assert decode(FOUND_NONE.encode()) == FOUND_NONE
    for raw in ("", None, "{", '{"asked_at": "then", "named": []}', '{"named": []}', "[]"):
        assert decode(raw) is None
