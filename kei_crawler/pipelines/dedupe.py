"""One row per canonical URL; the same content under a second URL is caught by its hash and counted."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

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
        adapter = ItemAdapter(item)
        if "content_hash" not in adapter:
            return item  # not normalized: not a snapshot row
        url = adapter["url"]
        if url in self.urls:
            raise DuplicateUrl(url, "url already captured in this crawl", kept_as=url)
        self.urls.add(url)
        first = self.hashes.setdefault(adapter["content_hash"], url)
        if first != url:
            raise DuplicateContent(
                url, f"same content as {first} (title, published, body, photo_caption)", kept_as=first
            )
        return item
