"""The Brief: one brief of The Peninsula, the source of truth for the snapshot's columns.

The spider yields a Brief holding the raw fields a page object read (``published`` still None, text not
yet normalized); the pipelines validate, normalize and fill the derived fields. ``snapshot/schema.py``
declares the Arrow type of every field below, and a test holds the two equal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from kei_crawler.text.clean import clean_body, clean_optional, clean_title


@dataclass
class Brief:
    url: str
    """Canonical URL: ``https://keia.org/the-peninsula/<slug>/`` — lower-case host, trailing slash, no
    query or fragment. The origin is the site's (``KEI_CANONICAL_ORIGIN``), also when crawling a mirror."""

    brief_id: str = ""
    """First 16 hex digits of sha256(url): stable across crawls and mirrors."""

    slug: str = ""
    """Last path segment of ``url``."""

    title: str = ""
    """As displayed: NFC, white space collapsed, no site-name suffix."""

    published: date | None = None
    """The publication date the page shows."""

    published_raw: str = ""
    """The text the date was read from, e.g. ``"Published July 24, 2022"``."""

    updated: date | None = None
    """The date of an "Updated …" line, kept apart from ``published``; None when the page shows none."""

    updated_raw: str | None = None
    """The text ``updated`` was read from, e.g. ``"Updated August 2, 2022"``."""

    authors: list[str] = field(default_factory=list)
    """Names as the page gives them, in order; empty when it names none. "Korea View" kept where the
    site says so."""

    categories: list[str] = field(default_factory=list)
    """From "Category:" lines and the like, in order; empty when none."""

    series: str | None = None
    """"Korea View" for the briefs of that series, else None."""

    body: str = ""
    """The brief's own text. Paragraphs separated by one blank line; list items one per line starting
    ``"- "``; headings as their own paragraph. No site chrome, series blurb, credit line or caption."""

    credits: str | None = None
    """The editors' credit line, e.g. "Korea View was edited by Yong Kwon with the help of …"."""

    photo_caption: str | None = None
    """The caption of the brief's photo, e.g. "Picture of South Korea and Mexico signing …"."""

    photo_url: str | None = None
    """Absolute URL of that photo."""

    content_hash: str = ""
    """sha256 over the normalized title, published, body and photo_caption."""

    fetched_at: datetime | None = None
    """When this row's page was last downloaded (UTC)."""

    first_seen: datetime | None = None
    """When a crawl first captured this brief (UTC)."""

    last_seen: datetime | None = None
    """When a crawl last saw this brief listed or served (UTC)."""

    removed_at: datetime | None = None
    """Set when the site answers 404/410 for a brief it used to serve."""

    http_etag: str | None = None
    """The ETag response header, kept for conditional re-fetching."""

    http_last_modified: str | None = None
    """The Last-Modified response header, kept for conditional re-fetching."""

    provenance: dict[str, str] = field(default_factory=dict)
    """Per field, the extraction strategy that produced it (e.g. ``{"title": "heading", "photo_caption":
    "figcaption"}``); a field that nothing found is absent. See docs/extraction.md for the names."""

    warc_file: str | None = None
    """The WARC holding the response this row was extracted from, named relative to ``<output>/warc/``
    (e.g. ``2026-11-29T043512Z.warc.gz``); None when WARC writing was off (``KEI_WARC_ENABLED``)."""

    warc_record_id: str | None = None
    """That response's WARC-Record-ID, e.g. ``<urn:uuid:…>`` (a ``revisit`` record when the payload was
    identical to an earlier capture's)."""

    warc_offset: int | None = None
    """Byte offset of that record in ``warc_file``: a reader seeks there and reads one gzip member."""

    refresh_error: str | None = None
    """On a row carried forward from the previous snapshot: why this crawl tried to fetch the brief
    again and could not — the fetch error (``http_503``, ``TimeoutError``) or the drop reason and its
    detail (``MissingDate: no publication date (published_raw: tried …)``). None when this crawl
    captured the row fresh or did not try to fetch it, so an old failure never lingers."""


@dataclass
class RawBrief:
    """What the spider hands the pipelines: a page object's fields as read, plus how the page was fetched.

    ``validate`` drops it with a reason or passes it on; ``normalize`` turns it into a :class:`Brief`.
    """

    url: str
    """Canonical URL (see :attr:`Brief.url`)."""
    fetched_url: str
    """The URL actually requested (the site or a mirror), after redirects."""
    section: str | None = None
    """The page's section label ("The Peninsula", "KEI Spotlight", …) when it shows one."""
    title: str = ""
    published_raw: str = ""
    updated_raw: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    series: str | None = None
    body: str = ""
    credits: str | None = None
    photo_caption: str | None = None
    photo_url: str | None = None
    fetched_at: datetime | None = None
    http_etag: str | None = None
    http_last_modified: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    warc_file: str | None = None
    """Where the response was archived (see :attr:`Brief.warc_file`); None when WARC writing is off."""
    warc_record_id: str | None = None
    warc_offset: int | None = None


BRIEF_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Brief))


def content_hash(title: str, published: date | None, body: str, photo_caption: str | None) -> str:
    """sha256 hex over the normalized title, date, body and caption; JSON keeps the parts apart."""
    parts = [
        clean_title(title),
        published.isoformat() if published else None,
        clean_body(body),
        clean_optional(photo_caption),
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()
