"""Turn a validated RawBrief into a Brief: the dates parsed, identity and content hash, the photo's URL
moved onto the site's own origin. The text is already clean (the page object cleaned it once)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from kei_crawler import urls
from kei_crawler.items import Brief, content_hash
from kei_crawler.text.dates import parse_published, parse_updated


def to_brief(raw: Any) -> Brief:
    """The Brief for a RawBrief (any item with its fields). A photo on the host that served the page is
    moved onto the origin of the brief's canonical URL, the site's own, as the brief itself is."""
    item = ItemAdapter(raw)
    url, fetched_at = item["url"], item.get("fetched_at")
    origin = urls.origin_of(url)
    title, body, caption = item["title"], item["body"], item.get("photo_caption") or None
    published = parse_published(item["published_raw"])
    updated_raw = item.get("updated_raw") or None
    photo_url = item.get("photo_url")
    return Brief(
        url=url,
        brief_id=urls.brief_id(url),
        slug=urls.brief_slug(url) or "",
        title=title,
        published=published,
        published_raw=item["published_raw"],
        updated=parse_updated(updated_raw) if updated_raw else None,
        updated_raw=updated_raw,
        authors=list(item.get("authors") or []),
        categories=list(item.get("categories") or []),
        series=item.get("series") or None,
        body=body,
        credits=item.get("credits") or None,
        photo_caption=caption,
        photo_url=urls.rebase(photo_url, item["fetched_url"], origin) if photo_url else None,
        content_hash=content_hash(title, published, body, caption),
        fetched_at=fetched_at,
        first_seen=fetched_at,
        last_seen=fetched_at,
        http_etag=item.get("http_etag"),
        http_last_modified=item.get("http_last_modified"),
        provenance=dict(item.get("provenance") or {}),
        warc_file=item.get("warc_file"),
        warc_record_id=item.get("warc_record_id"),
        warc_offset=item.get("warc_offset"),
    )


class NormalizePipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, Brief) or "published_raw" not in ItemAdapter(item):
            return item  # normalized already, or not a brief
        return to_brief(item)
