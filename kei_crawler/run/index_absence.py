"""Whether a crawl asks for the site's sitemaps and feed again, on a site that had none the last time.

A site without them still costs the requests that find that out (the sitemaps robots.txt names, or the
usual locations, and ``/feed/``): two to four a crawl, which an hourly incremental crawl would pay every
hour. So the snapshot records the last crawl that asked and found nothing (``METADATA_KEY``): when, and
which sitemaps robots.txt named then. An incremental crawl skips the asking while that holds; every other
mode asks again, as does any crawl ``KEI_SWEEP_DAYS`` after the last asking, or one whose robots.txt names
a sitemap it did not name then (an announced sitemap is read at once). No Scrapy here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kei_crawler.config import Mode

METADATA_KEY = "site_indexes_absent"
"""Snapshot metadata: the last asking for the sitemaps and the feed found neither — ``{"asked_at": ISO
8601, "named": [the sitemaps robots.txt named]}``; empty when one was found, or none was asked for."""


@dataclass(frozen=True)
class Absence:
    asked_at: datetime
    """When the crawl that found no sitemap and no feed started."""
    named: frozenset[str]
    """The same-host sitemaps robots.txt named then (each answered 404/410)."""

    def encode(self) -> str:
        return json.dumps({"asked_at": self.asked_at.isoformat(), "named": sorted(self.named)})


def decode(raw: str | None) -> Absence | None:
    """The absence a snapshot recorded; None when it recorded none or it is unreadable (then: ask)."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
        return Absence(datetime.fromisoformat(value["asked_at"]), frozenset(map(str, value["named"])))
    except (ValueError, TypeError, KeyError):
        return None


def asking_due(absence: Absence | None, mode: Mode, named: Iterable[str], now: datetime, days: float) -> bool:
    """Whether this crawl asks for the sitemaps and the feed: always, unless it is an incremental crawl,
    the last asking found nothing less than ``days`` days ago, and robots.txt names no other sitemap."""
    if absence is None or mode is not Mode.INCREMENTAL:
        return True
    return not frozenset(named) <= absence.named or now - absence.asked_at >= timedelta(days=days)


def absence_after(
    previous: Absence | None, *, asked: bool, found_none: bool, named: Iterable[str], started_at: datetime
) -> Absence | None:
    """What the next snapshot records: this crawl's finding when it asked (an answer other than 404/410 —
    a file, an error — is no proof of absence), else the previous record, carried forward."""
    if not asked:
        return previous
    return Absence(started_at, frozenset(named)) if found_none else None
