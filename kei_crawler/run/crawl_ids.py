"""Which crawl id a run gets: the one name every file of the run carries, and the order of snapshots.

A crawl id is the UTC time ``2026-11-29T043512Z`` (``storage.snapshot.store``), and snapshots are ordered
by it: the snapshot a run publishes must sort after the newest one, readable or not, or every reader
would go on taking the older one as the archive's state. No Scrapy here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import store

logger = logging.getLogger(__name__)


class CrawlIdRefused(Exception):
    """The crawl id asked for cannot be published; the message is one line for the user."""


def choose(layout: OutputLayout, given: str, now: datetime, resumed: str | None = None) -> str:
    """The crawl id of a run starting at ``now``: the interrupted run's (``resumed``), ``given``
    (KEI_CRAWL_ID), or the clock's — each only if its snapshot would be the newest."""
    newest = store.latest(layout.root)
    if resumed is not None:
        return _resumed(resumed, newest)
    if given:
        return _given(layout, given, newest)
    return _from_clock(layout, now, newest)


def _given(layout: OutputLayout, given: str, newest: store.SnapshotRef | None) -> str:
    """A name the user chose is used as given or refused, never silently changed."""
    if layout.holds_crawl(given):
        raise CrawlIdRefused(f"crawl id {given} is already used in {layout.root}")
    if newest is not None and given < newest.crawl_id:
        raise CrawlIdRefused(
            f"KEI_CRAWL_ID {given} sorts before the newest snapshot {newest.crawl_id}: a new snapshot must "
            "sort after it (leave KEI_CRAWL_ID unset to name the crawl by the clock)"
        )
    return given


def _from_clock(layout: OutputLayout, now: datetime, newest: store.SnapshotRef | None) -> str:
    """The clock's time; a second after the newest snapshot when the clock is behind it."""
    crawl_id = store.new_crawl_id(now)
    if newest is not None and crawl_id <= newest.crawl_id:
        crawl_id = store.crawl_id_after(newest.crawl_id)
        logger.warning(
            "The clock (%s) is behind the newest snapshot %s: this crawl is named %s, to sort after it",
            now.isoformat(), newest.crawl_id, crawl_id,
        )  # fmt: skip
    while layout.holds_crawl(crawl_id):  # a run in the same second, published or not
        crawl_id = store.crawl_id_after(crawl_id)
    return crawl_id


def _resumed(crawl_id: str, newest: store.SnapshotRef | None) -> str:
    """The interrupted run's crawl id, when its snapshot can still be published under it."""
    if not store.is_crawl_id(crawl_id):
        raise CrawlIdRefused(
            f"cannot resume: the interrupted crawl's id {crawl_id!r} is not a crawl id like "
            f"{store.EXAMPLE_CRAWL_ID}; run without --resume to start afresh"
        )
    if newest is not None and crawl_id <= newest.crawl_id:
        raise CrawlIdRefused(
            f"cannot resume crawl {crawl_id}: snapshot {newest.crawl_id} was published since, and a snapshot "
            "must sort after the newest; run without --resume to start afresh"
        )
    return crawl_id
