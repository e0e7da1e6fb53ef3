"""One row per canonical URL; the same content under a second URL is caught by its hash and counted."""

from __future__ import annotations

from typing import Any

from kei_crawler.items import Brief
from kei_crawler.pipelines.drops import BriefDropped


class DuplicateUrl(BriefDropped):
    """A second response for a canonical URL already captured this crawl (e.g. two links, one redirect)."""


class DuplicateContent(BriefDropped):
    """Another URL already carried exactly this content (same title, date, body and caption)."""


class DedupePipeline:
    def __init__(self) -> None:
        self.urls: set[str] = set()
        self.hashes: dict[str, str] = {}

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Brief):
            return item
        if item.url in self.urls:
            raise DuplicateUrl(item.url, "url already captured in this crawl")
        self.urls.add(item.url)
        first = self.hashes.setdefault(item.content_hash, item.url)
        if first != item.url:
            raise DuplicateContent(
                item.url, f"same content as {first} (title, published, body, photo_caption)"
            )
        return item
