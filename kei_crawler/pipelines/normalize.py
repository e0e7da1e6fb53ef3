"""Turn a validated RawBrief into a Brief: normalized text, ISO date, identity and content hash."""

from __future__ import annotations

from typing import Any

from kei_crawler import urls
from kei_crawler.items import Brief, RawBrief, content_hash
from kei_crawler.run.archive import ArchiveState
from kei_crawler.text.clean import clean_body, clean_list, clean_optional, clean_text, clean_title
from kei_crawler.text.dates import parse_published, parse_updated


def to_brief(raw: RawBrief, origin: str = urls.DEFAULT_ORIGIN) -> Brief:
    """The normalized Brief for ``raw``; ``origin`` is where same-host photo URLs are rebased to."""
    title = clean_title(raw.title)
    published = parse_published(raw.published_raw)
    body = clean_body(raw.body)
    caption = clean_optional(raw.photo_caption)
    photo_url = urls.rebase(raw.photo_url, raw.fetched_url, origin) if raw.photo_url else None
    return Brief(
        url=raw.url,
        brief_id=urls.brief_id(raw.url),
        slug=urls.brief_slug(raw.url) or "",
        title=title,
        published=published,
        published_raw=clean_text(raw.published_raw),
        updated=parse_updated(raw.updated_raw) if raw.updated_raw else None,
        updated_raw=clean_optional(raw.updated_raw),
        authors=clean_list(raw.authors),
        categories=clean_list(raw.categories),
        series=clean_optional(raw.series),
        body=body,
        credits=clean_optional(raw.credits),
        photo_caption=caption,
        photo_url=photo_url,
        content_hash=content_hash(title, published, body, caption),
        fetched_at=raw.fetched_at,
        first_seen=raw.fetched_at,
        last_seen=raw.fetched_at,
        http_etag=raw.http_etag,
        http_last_modified=raw.http_last_modified,
        provenance=dict(raw.provenance),
        warc_file=raw.warc_file,
        warc_record_id=raw.warc_record_id,
        warc_offset=raw.warc_offset,
    )


class NormalizePipeline:
    def __init__(self, origin: str = urls.DEFAULT_ORIGIN, archive: ArchiveState | None = None) -> None:
        self.origin = origin
        self.archive = archive or ArchiveState.empty()

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalizePipeline:
        origin = crawler.settings.get("KEI_CANONICAL_ORIGIN") or urls.DEFAULT_ORIGIN
        return cls(origin, getattr(crawler.spider, "archive", None))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawBrief):
            return item
        brief = to_brief(item, self.origin)
        known = self.archive.known.get(brief.url)
        if known is not None:
            # Lineage survives re-fetching: a brief was first seen when the archive first captured it.
            brief.first_seen = known.first_seen
        return brief
