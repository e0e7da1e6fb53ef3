"""Briefs the site listed that no snapshot holds yet, because every attempt to fetch them failed.

A brief the archive already holds keeps its row when a crawl cannot refresh it (``refresh_error``). A
brief seen for the first time has no row to keep, and an incremental crawl stops reading the listing
where the known briefs begin — so without a record it would never be asked for again once newer briefs
push it down the listing. Each published snapshot therefore carries the outstanding briefs in its
metadata (``kei_crawler.outstanding``), and every crawl re-requests them first, whatever its mode, until
one is captured or the site says it is gone (404/410).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

METADATA_KEY = "outstanding"


@dataclass(frozen=True)
class Outstanding:
    url: str
    """The brief's canonical URL."""
    reason: str
    """Why the latest attempt failed (an error reason, or a drop reason with its detail)."""
    first_failed: str
    """When a crawl first failed to fetch it (ISO 8601)."""
    attempts: int
    """Crawls that have tried and failed."""


def decode(raw: str | None) -> dict[str, Outstanding]:
    """The outstanding briefs recorded in a snapshot's metadata value (none for older snapshots)."""
    if not raw:
        return {}
    try:
        entries = json.loads(raw)
        return {
            e["url"]: Outstanding(e["url"], e["reason"], e["first_failed"], int(e["attempts"]))
            for e in entries
        }
    except (ValueError, TypeError, KeyError):
        return {}  # a damaged record costs these retries, not the crawl


def encode(outstanding: Mapping[str, Outstanding]) -> list[dict[str, Any]]:
    return [asdict(outstanding[url]) for url in sorted(outstanding)]


def carry(
    previous: Mapping[str, Outstanding],
    failures: Mapping[str, str],
    *,
    archived: Iterable[str],
    gone: Iterable[str],
    now: datetime,
) -> dict[str, Outstanding]:
    """The outstanding briefs after a crawl.

    ``failures`` are this crawl's failed briefs (URL → reason); ``archived`` the URLs the new snapshot
    holds a row for (captured now or earlier: those are no longer outstanding, a failed refresh is the
    row's ``refresh_error``); ``gone`` the URLs that answered 404/410.
    """
    done = set(archived) | set(gone)
    out = {url: entry for url, entry in previous.items() if url not in done}
    for url, reason in failures.items():
        if url in done:
            continue
        before = out.get(url)
        out[url] = Outstanding(
            url,
            reason,
            before.first_failed if before else now.isoformat(),
            (before.attempts if before else 0) + 1,
        )
    return out
