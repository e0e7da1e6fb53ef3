"""What a run counts, and the briefs it could not get: one shape for the summary, the manifest, the snapshot
metadata and tests.

Counters live in Scrapy's stats under the names in :class:`Stat` (Scrapy's own, such as
``item_scraped_count``, under Scrapy's names); they only count. The briefs that failed are lists kept in
the run (:class:`FailureLists`), because the snapshot writer acts on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kei_crawler.items import EXTRACTED, Brief


class Stat:
    """The ``kei/`` stats: every key the crawler counts under, named once."""

    PREFIX = "kei/"
    BRIEFS_NEW = "kei/briefs_new"
    BRIEFS_CHANGED = "kei/briefs_changed"
    BRIEFS_UNCHANGED = "kei/briefs_unchanged"
    BRIEFS_CARRIED = "kei/briefs_carried"
    BRIEFS_REMOVED = "kei/briefs_removed"
    BRIEFS_NOT_MODIFIED = "kei/briefs_not_modified"
    BRIEFS_NOT_REFRESHED = "kei/briefs_not_refreshed"
    BRIEFS_OUTSTANDING = "kei/briefs_outstanding"
    BRIEFS_GONE = "kei/briefs_gone"
    BRIEFS_DATED_UNCHANGED = "kei/briefs_dated_unchanged"
    BODY_CHARS = "kei/body_chars"
    SNAPSHOT_ROWS = "kei/snapshot_rows"
    LISTING_PAGES = "kei/listing_pages"
    LISTING_PAGES_SKIPPED = "kei/listing_pages_skipped"
    LISTING_PAGES_REREAD = "kei/listing_pages_reread"
    LISTING_SHIFTS = "kei/listing_shifts"
    LISTING_SHIFT_UNRESOLVED = "kei/listing_shift_unresolved"
    BRIEF_LINKS = "kei/brief_links"
    WARC_BYTES = "kei/warc_bytes"
    RETRY_AFTER_HONOURED = "kei/retry_after_honoured"
    RETRY_AFTER_TOO_LONG = "kei/retry_after_too_long"
    OFFSITE_REDIRECTS = "kei/offsite_redirects"
    REQUISITES = "kei/requisites"
    REQUISITES_ARCHIVED = "kei/requisites_archived"
    REQUISITES_OFFSITE = "kei/requisites_offsite"
    SITEMAP_FILES = "kei/sitemap_files"
    SITEMAP_BRIEFS = "kei/sitemap_briefs"
    FEED_BRIEFS = "kei/feed_briefs"
    INDEXES = "kei/indexes/"
    REEXTRACT_RESPONSES = "kei/reextract/responses"
    FILLED = "kei/filled/"
    WARC_RECORDS = "kei/warc_records/"

    @staticmethod
    def filled(name: str) -> str:
        return f"{Stat.FILLED}{name}"

    @staticmethod
    def indexes(name: str) -> str:
        """A disagreement between the listing, the sitemaps and the feed (``run.indexes``)."""
        return f"{Stat.INDEXES}{name}"

    @staticmethod
    def errors(kind: str) -> str:
        """All requests of ``kind`` (brief, listing) that failed for good."""
        return f"kei/{kind}_errors"

    @staticmethod
    def errors_by_reason(kind: str, reason: str) -> str:
        return f"kei/{kind}_errors/{reason}"

    @staticmethod
    def warc_records(kind: str) -> str:
        return f"{Stat.WARC_RECORDS}{kind}"


_DROPPED = "item_dropped_reasons_count/"
_STATUS = "downloader/response_status_count/"


@dataclass
class FailureLists:
    """Every brief a run asked for and could not get, each with its canonical URL and why."""

    errors: list[dict[str, str]] = field(default_factory=list)
    """Requests that failed for good: ``{kind, url, fetched_url, reason, detail}`` (the spider's errbacks)."""
    drops: list[dict[str, str]] = field(default_factory=list)
    """Briefs the pipelines dropped: ``{kind, url, fetched_url, reason, detail}``."""

    def refresh_failures(self) -> dict[str, str]:
        """Canonical brief URL → why this crawl could not refresh it: the fetch error's reason, or the drop
        reason with its detail (``MissingDate: no publication date (published_raw: tried …)``)."""
        failed = {e["url"]: e["reason"] for e in self.errors if e.get("kind") == "brief"}
        failed.update({d["url"]: f"{d['reason']}: {d['detail']}" for d in self.drops})
        return failed


def filled_fields(brief: Brief) -> list[str]:
    """The extracted fields that hold a value (not None, not empty)."""
    return [name for name in EXTRACTED if getattr(brief, name) not in (None, "", [])]


def count_filled(stats: Any, brief: Brief) -> None:
    """Count ``brief``'s extracted fields that hold a value under ``kei/filled/<field>`` in ``stats``."""
    for name in filled_fields(brief):
        stats.inc_value(Stat.filled(name))


def fill_rates(stats: Mapping[str, Any], briefs: int) -> dict[str, float]:
    """Share of ``briefs`` with each extracted field filled, from the ``kei/filled/*`` stats; 0.0 when none."""
    return {
        name: round(int(stats.get(Stat.filled(name), 0)) / briefs, 4) if briefs else 0.0 for name in EXTRACTED
    }


def run_counts(stats: Mapping[str, Any], failures: FailureLists | None = None) -> dict[str, Any]:
    """What happened in a crawl: briefs, drops by reason, requests, responses by status, errors.

    ``briefs_written`` are the briefs this crawl fetched and wrote; ``snapshot_rows`` the whole archive
    as published, carried-forward rows included. new + changed + unchanged + carried = snapshot_rows.
    ``briefs_not_refreshed`` are the carried rows of briefs this crawl tried and failed to fetch again;
    ``errors`` and ``drops`` list every brief that failed, each with its URL and reason.
    ``briefs_outstanding`` are briefs listed but never captured, which every crawl asks for again.
    ``listing_shifts`` counts the times the listing was found to have moved while it was read,
    ``listing_pages_reread`` the pages read again for it; ``listing_shift_unresolved`` is 1 when it never
    settled (the next crawl then sweeps the listing). ``requisites`` are the briefs' images (and
    stylesheets) downloaded, ``requisites_archived`` those not fetched because the archive holds them,
    ``requisites_offsite`` those on another host, ``requisite_errors`` the failures by reason — none of
    them a brief, and none a lost brief (``spiders.requisite_requests``). ``sitemap_files`` are the
    sitemaps read, ``sitemap_briefs`` and ``feed_briefs`` the briefs they list, ``index_disagreements``
    how the listing, the sitemaps and the feed disagree (``run.indexes``), ``sitemap_errors`` and
    ``feed_errors`` the files that failed or were refused, by reason.
    """

    def prefixed(prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}

    def count(key: str) -> int:
        return int(stats.get(key, 0))

    failures = failures or FailureLists()
    written = count("item_scraped_count")
    return {
        "briefs_written": written,
        "snapshot_rows": count(Stat.SNAPSHOT_ROWS),
        "briefs_new": count(Stat.BRIEFS_NEW),
        "briefs_changed": count(Stat.BRIEFS_CHANGED),
        "briefs_unchanged": count(Stat.BRIEFS_UNCHANGED),
        "briefs_carried": count(Stat.BRIEFS_CARRIED),
        "briefs_removed": count(Stat.BRIEFS_REMOVED),
        "briefs_not_modified": count(Stat.BRIEFS_NOT_MODIFIED),
        "briefs_dated_unchanged": count(Stat.BRIEFS_DATED_UNCHANGED),
        "briefs_not_refreshed": count(Stat.BRIEFS_NOT_REFRESHED),
        "briefs_outstanding": count(Stat.BRIEFS_OUTSTANDING),
        "fill_rates": fill_rates(stats, written),
        "briefs_dropped": prefixed(_DROPPED),
        "listing_pages": count(Stat.LISTING_PAGES),
        "listing_pages_reread": count(Stat.LISTING_PAGES_REREAD),
        "listing_shifts": count(Stat.LISTING_SHIFTS),
        "listing_shift_unresolved": count(Stat.LISTING_SHIFT_UNRESOLVED),
        "requests": count("downloader/request_count"),
        "responses_by_status": prefixed(_STATUS),
        "bytes_downloaded": count("downloader/response_bytes"),
        "warc_records": prefixed(Stat.WARC_RECORDS),
        "warc_bytes": count(Stat.WARC_BYTES),
        "brief_errors": prefixed(Stat.errors("brief") + "/"),
        "listing_errors": prefixed(Stat.errors("listing") + "/"),
        "requisites": count(Stat.REQUISITES),
        "requisites_archived": count(Stat.REQUISITES_ARCHIVED),
        "requisites_offsite": count(Stat.REQUISITES_OFFSITE),
        "requisite_errors": prefixed(Stat.errors("requisite") + "/"),
        "sitemap_files": count(Stat.SITEMAP_FILES),
        "sitemap_briefs": count(Stat.SITEMAP_BRIEFS),
        "feed_briefs": count(Stat.FEED_BRIEFS),
        "index_disagreements": prefixed(Stat.INDEXES),
        "sitemap_errors": prefixed(Stat.errors("sitemap") + "/"),
        "feed_errors": prefixed(Stat.errors("feed") + "/"),
        "spider_exceptions": prefixed("spider_exceptions/"),
        "errors": list(failures.errors),
        "drops": list(failures.drops),
    }
