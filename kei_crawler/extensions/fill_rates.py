"""FieldFillRates: a Scrapy extension counting, per field, how many scraped briefs have a value.

A field whose fill rate falls between two crawls is how a redesign of the site shows itself, so the
counts go into the stats (``kei/filled/<field>``), the run summary and the snapshot's metadata.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from kei_crawler.items import Brief

# The fields a page object extracts; identity and fetch fields are always set and say nothing.
EXTRACTED_FIELDS = ("title", "published", "updated", "authors", "categories", "series", "body", "credits",
                    "photo_caption", "photo_url")  # fmt: skip


def filled_fields(brief: Brief) -> list[str]:
    """The extracted fields that hold a value (not None, not empty)."""
    return [name for name in EXTRACTED_FIELDS if getattr(brief, name) not in (None, "", [])]


def fill_rates(stats: dict[str, Any], briefs: int) -> dict[str, float]:
    """Share of ``briefs`` with each field filled, from the ``kei/filled/*`` stats; 0.0 when none."""
    return {
        name: round(int(stats.get(f"kei/filled/{name}", 0)) / briefs, 4) if briefs else 0.0
        for name in EXTRACTED_FIELDS
    }


class FieldFillRates:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldFillRates:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if isinstance(item, Brief):
            for name in filled_fields(item):
                self.stats.inc_value(f"kei/filled/{name}")
