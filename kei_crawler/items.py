"""The items: ``RawBrief`` (what the spider yields) and ``Brief`` (one snapshot row), and ``FIELDS``.

Each column of the snapshot is declared once, below, as a field of :class:`Brief` with its Arrow type,
whether it may be null, what it holds and whether the page object extracts it. Everything else that needs
a list of fields derives it from :data:`FIELDS`: the Arrow schema (``storage.snapshot.schema``), the
fields a page object fills (:data:`PAGE_FIELDS`), fill rates and the quality alert, the fields ``diff``
compares, the evaluation's scores and the data dictionary (datapackage.json, docs/schema.md). A new column
is one field here, a new entry in ``SCHEMA_HISTORY`` naming it, and the code that fills it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow as pa

_UTC = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Column:
    """One snapshot column."""

    name: str
    type: pa.DataType
    nullable: bool
    doc: str
    """What a row holds in it, with its exact format."""
    extracted: bool
    """Read from the brief's page (rather than derived, or recorded about the fetch)."""
    raw: str | None
    """The RawBrief field the page object fills for it, when it differs (``published`` ← ``published_raw``)."""


def _column(type: pa.DataType, doc: str, *, nullable: bool = False, extracted: bool = False,
            raw: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"column": {"type": type, "doc": doc, "nullable": nullable, "extracted": extracted, "raw": raw}}


@dataclass(kw_only=True)
class Brief:
    """One brief of The Peninsula: one row of the snapshot."""

    brief_id: str = field(
        default="",
        metadata=_column(
            pa.string(), "First 16 hex digits of sha256(url): stable across crawls and mirrors."
        ),
    )
    url: str = field(
        metadata=_column(
            pa.string(),
            "Canonical URL: `https://keia.org/the-peninsula/<slug>/` — lower-case host, trailing slash, "
            "no query or fragment. The origin is the site's (`KEI_CANONICAL_ORIGIN`), also when crawling a mirror.",
        )
    )
    slug: str = field(default="", metadata=_column(pa.string(), "Last path segment of `url`."))
    title: str = field(
        default="",
        metadata=_column(
            pa.string(), "As displayed: NFC, white space collapsed, no site-name suffix.", extracted=True
        ),
    )
    published: date | None = field(
        default=None,
        metadata=_column(
            pa.date32(), "The publication date the page shows.", extracted=True, raw="published_raw"
        ),
    )
    published_raw: str = field(
        default="",
        metadata=_column(pa.string(), 'The text the date was read from, e.g. `"Published July 24, 2022"`.'),
    )
    updated: date | None = field(
        default=None,
        metadata=_column(
            pa.date32(),
            'The date of an "Updated …" line, kept apart from `published`; null when the page shows none.',
            nullable=True,
            extracted=True,
            raw="updated_raw",
        ),
    )
    updated_raw: str | None = field(
        default=None,
        metadata=_column(
            pa.string(), 'The text `updated` was read from, e.g. `"Updated August 2, 2022"`.', nullable=True
        ),
    )
    authors: list[str] = field(
        default_factory=list,
        metadata=_column(
            pa.list_(pa.string()),
            "People the page names as authors, in order; empty when it names none. Never the series: a brief "
            'signed only "Korea View" has `authors = []` and `series = "Korea View"` (docs/extraction.md).',
            extracted=True,
        ),
    )
    categories: list[str] = field(
        default_factory=list,
        metadata=_column(
            pa.list_(pa.string()),
            'From "Category:" lines and the like, in order; empty when none.',
            extracted=True,
        ),
    )
    series: str | None = field(
        default=None,
        metadata=_column(
            pa.string(),
            '"Korea View" for the briefs of that series, else null.',
            nullable=True,
            extracted=True,
        ),
    )
    body: str = field(
        default="",
        metadata=_column(
            pa.string(),
            "The brief's own text. Paragraphs separated by one blank line; list items one per line "
            'starting `"- "`; headings as their own paragraph. No site chrome, series blurb, credit line or caption.',
            extracted=True,
        ),
    )
    credits: str | None = field(
        default=None,
        metadata=_column(
            pa.string(),
            'The editors\' credit line, e.g. "Korea View was edited by Yong Kwon with the help of …".',
            nullable=True,
            extracted=True,
        ),
    )
    photo_caption: str | None = field(
        default=None,
        metadata=_column(
            pa.string(),
            'The caption of the brief\'s photo, e.g. "Picture of South Korea and Mexico signing …".',
            nullable=True,
            extracted=True,
        ),
    )
    photo_url: str | None = field(
        default=None,
        metadata=_column(pa.string(), "Absolute URL of that photo.", nullable=True, extracted=True),
    )
    content_hash: str = field(
        default="",
        metadata=_column(
            pa.string(),
            "sha256 over the normalized title, published, body and photo_caption (`content_hash`).",
        ),
    )
    fetched_at: datetime | None = field(
        default=None, metadata=_column(_UTC, "When this row's page was last downloaded (UTC).")
    )
    first_seen: datetime | None = field(
        default=None, metadata=_column(_UTC, "When a crawl first captured this brief (UTC).")
    )
    last_seen: datetime | None = field(
        default=None, metadata=_column(_UTC, "When a crawl last saw this brief listed or served (UTC).")
    )
    removed_at: datetime | None = field(
        default=None,
        metadata=_column(
            _UTC, "Set when the site answers 404/410 for a brief it used to serve.", nullable=True
        ),
    )
    http_etag: str | None = field(
        default=None,
        metadata=_column(
            pa.string(), "The ETag response header, kept for conditional re-fetching.", nullable=True
        ),
    )
    http_last_modified: str | None = field(
        default=None,
        metadata=_column(
            pa.string(), "The Last-Modified response header, kept for conditional re-fetching.", nullable=True
        ),
    )
    provenance: dict[str, str] = field(
        default_factory=dict,
        metadata=_column(
            pa.map_(pa.string(), pa.string()),
            'Per field, the extraction strategy that produced it (e.g. `{"title": '
            '"heading", "photo_caption": "figcaption"}`); a field that nothing found is absent. See docs/extraction.md.',
        ),
    )
    warc_file: str | None = field(
        default=None,
        metadata=_column(
            pa.string(),
            "The WARC holding the response this row was extracted from, relative to `<output>/warc/` "
            "(e.g. `2026-11-29T043512Z.warc.gz`); null when WARC writing was off (`KEI_WARC_ENABLED`).",
            nullable=True,
        ),
    )
    warc_record_id: str | None = field(
        default=None,
        metadata=_column(
            pa.string(),
            "That response's WARC-Record-ID, e.g. `<urn:uuid:…>` (a `revisit` record when the payload "
            "was identical to an earlier capture's).",
            nullable=True,
        ),
    )
    warc_offset: int | None = field(
        default=None,
        metadata=_column(
            pa.int64(),
            "Byte offset of that record in `warc_file`: a reader seeks there and reads one gzip member.",
            nullable=True,
        ),
    )
    refresh_error: str | None = field(
        default=None,
        metadata=_column(
            pa.string(),
            "On a row carried forward from the previous snapshot: why this crawl tried to fetch the brief "
            "again and could not — the fetch error (`http_503`, `timeout`) or the drop reason and its detail "
            "(`MissingDate: no publication date (published_raw: tried …)`). Null when this crawl captured the row "
            "fresh or did not try to fetch it, so an old failure never lingers.",
            nullable=True,
        ),
    )
    photo_warc_record_id: str | None = field(
        default=None,
        metadata=_column(
            pa.string(),
            "The WARC-Record-ID of the capture of `photo_url` (a `response`, or a `revisit` of an identical "
            "earlier image) in `<output>/warc/`; null when there is no photo or it was not captured.",
            nullable=True,
        ),
    )


FIELDS: tuple[Column, ...] = tuple(
    Column(name=spec.name, **spec.metadata["column"]) for spec in dataclasses.fields(Brief)
)
"""Every snapshot column, in the snapshot's column order."""

EXTRACTED: tuple[str, ...] = tuple(column.name for column in FIELDS if column.extracted)
"""The columns a page object extracts: what fill rates, the quality alert, ``diff`` and the evaluation
look at (identity, lineage and fetch columns are always set and say nothing about extraction)."""


@dataclass(kw_only=True)
class RawBrief:
    """What the spider hands the pipelines: a page object's fields as read (clean already), plus how the page
    was fetched. ``validate`` drops it or passes it on; ``normalize`` turns it into a :class:`Brief`."""

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
    provenance: dict[str, str] = field(default_factory=dict)
    fetched_at: datetime | None = None
    http_etag: str | None = None
    http_last_modified: str | None = None
    warc_file: str | None = None
    """Where the response was archived (see :attr:`Brief.warc_file`); None when WARC writing is off."""
    warc_record_id: str | None = None
    warc_offset: int | None = None


PAGE_FIELDS: tuple[str, ...] = (
    "section",
    *(column.raw or column.name for column in FIELDS if column.extracted),
)
"""The RawBrief fields a page object fills: the section label, and each extracted column as the page
shows it (``published_raw`` for ``published``)."""


def empty_page_fields() -> dict[str, Any]:
    """The page fields of a page that shows nothing: RawBrief's defaults."""
    empty = RawBrief(url="", fetched_url="")
    return {name: getattr(empty, name) for name in PAGE_FIELDS}


def content_hash(title: str, published: date | None, body: str, photo_caption: str | None) -> str:
    """sha256 hex over the normalized title, date, body and caption; JSON keeps the parts apart."""
    parts = [title, published.isoformat() if published else None, body, photo_caption]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()
