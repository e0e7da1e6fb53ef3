"""The run's counts, read from Scrapy's stats: one shape for the summary, the snapshot metadata and tests."""

from __future__ import annotations

from typing import Any

from kei_crawler.extensions.fill_rates import fill_rates

_DROPPED = "item_dropped_reasons_count/"
_STATUS = "downloader/response_status_count/"
ERROR_LIST = "kei/error_list"
"""Requests that failed for good: ``{kind, url, fetched_url, reason}`` (the spider's errbacks)."""
DROP_LIST = "kei/drop_list"
"""Briefs the pipelines dropped: ``{kind, url, fetched_url, reason, detail}`` (``pipelines.drops``)."""


def run_counts(stats: dict[str, Any], briefs_written: int | None = None) -> dict[str, Any]:
    """What happened in a crawl: briefs, drops by reason, requests, responses by status, errors.

    ``briefs_written`` are the briefs this crawl fetched and wrote; ``snapshot_rows`` the whole archive
    as published, carried-forward rows included. new + changed + unchanged + carried = snapshot_rows.
    ``briefs_not_refreshed`` are the carried rows of briefs this crawl tried and failed to fetch again;
    ``errors`` and ``drops`` list every brief that failed, each with its URL and reason.
    ``briefs_outstanding`` are briefs listed but never captured, which every crawl asks for again.
    """

    def prefixed(prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}

    errors = list(stats.get(ERROR_LIST) or [])
    written = int(briefs_written if briefs_written is not None else stats.get("item_scraped_count", 0))
    return {
        "briefs_written": written,
        "snapshot_rows": int(stats.get("kei/snapshot_rows", 0)),
        "briefs_new": int(stats.get("kei/briefs_new", 0)),
        "briefs_changed": int(stats.get("kei/briefs_changed", 0)),
        "briefs_unchanged": int(stats.get("kei/briefs_unchanged", 0)),
        "briefs_carried": int(stats.get("kei/briefs_carried", 0)),
        "briefs_removed": int(stats.get("kei/briefs_removed", 0)),
        "briefs_not_modified": int(stats.get("kei/briefs_not_modified", 0)),
        "briefs_not_refreshed": int(stats.get("kei/briefs_not_refreshed", 0)),
        "briefs_outstanding": int(stats.get("kei/briefs_outstanding", 0)),
        "fill_rates": fill_rates(stats, written),
        "briefs_dropped": prefixed(_DROPPED),
        "listing_pages": int(stats.get("kei/listing_pages", 0)),
        "requests": int(stats.get("downloader/request_count", 0)),
        "responses_by_status": prefixed(_STATUS),
        "bytes_downloaded": int(stats.get("downloader/response_bytes", 0)),
        "warc_records": prefixed("kei/warc_records/"),
        "warc_bytes": int(stats.get("kei/warc_bytes", 0)),
        "brief_errors": prefixed("kei/brief_errors/"),
        "listing_errors": prefixed("kei/listing_errors/"),
        "spider_exceptions": prefixed("spider_exceptions/"),
        "errors": errors,
        "drops": list(stats.get(DROP_LIST) or []),
    }


def refresh_failures(stats: dict[str, Any]) -> dict[str, str]:
    """Canonical brief URL → why this crawl could not refresh it: the fetch error's reason, or the drop
    reason with its detail (``MissingDate: no publication date (published_raw: tried …)``)."""
    failed = {e["url"]: e["reason"] for e in stats.get(ERROR_LIST) or [] if e.get("kind") == "brief"}
    failed.update({d["url"]: f"{d['reason']}: {d['detail']}" for d in stats.get(DROP_LIST) or []})
    return failed
