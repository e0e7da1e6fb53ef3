"""validate → normalize → dedupe on RawBriefs built in the test (their text as clean as the page object
makes it: the pipelines check and convert, they do not clean): each drop has its own reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from kei_crawler.extensions.drop_list import DropList
from kei_crawler.items import Brief, RawBrief
from kei_crawler.pipelines.dedupe import DedupePipeline, DuplicateContent, DuplicateUrl
from kei_crawler.pipelines.drops import drop_entry
from kei_crawler.pipelines.normalize import NormalizePipeline, to_brief
from kei_crawler.pipelines.validate import (
    EmptyBody,
    MissingDate,
    MissingTitle,
    NotABrief,
    UnparseableDate,
    ValidatePipeline,
)
from kei_crawler.run.counts import FailureLists
from kei_crawler.spiders.peninsula import PeninsulaSpider

NOW = datetime(2026, 11, 29, 4, 35, 12, tzinfo=UTC)


def raw(**changes: object) -> RawBrief:
    values: dict[str, object] = {
        "url": "https://keia.org/the-peninsula/erosion-of-data-privacy/",
        "fetched_url": "http://127.0.0.1:8123/the-peninsula/erosion-of-data-privacy/",
        "section": "The Peninsula",
        "title": "Erosion of Data Privacy?",
        "published_raw": "Published July 15, 2021",
        "authors": ["Sang Kim"],
        "categories": ["South Korea"],
        "series": "Korea View",
        "body": "What Happened\n\n- One thing\n- Caf\u00e9 two\n\nImplications: text & more.",
        "credits": "Korea View was edited by Yong Kwon.",
        "photo_caption": "Picture of a server room.",
        "photo_url": "http://127.0.0.1:8123/wp-content/uploads/2021/07/a.jpg",
        "fetched_at": NOW,
        "http_etag": '"abc"',
        "http_last_modified": "Thu, 15 Jul 2021 13:00:00 GMT",
    }
    values.update(changes)
    return RawBrief(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"section": "KEI Spotlight"}, NotABrief),
        ({"section": "KEI Podcasts"}, NotABrief),
        ({"title": "  "}, MissingTitle),
        ({"published_raw": ""}, MissingDate),
        ({"published_raw": "Published sometime"}, UnparseableDate),
        ({"body": " \n\n "}, EmptyBody),
    ],
)
def test_validate_drops_with_a_reason(changes: dict[str, object], reason: type[DropItem]) -> None:
    with pytest.raises(reason, match=r"127\.0\.0\.1:8123/the-peninsula/erosion-of-data-privacy/"):
        ValidatePipeline().process_item(raw(**changes))


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"title": ""}, "title: tried json-ld, meta"),
        ({"published_raw": ""}, "published_raw: tried text-layout"),
        ({"body": ""}, "body: tried density"),
    ],
)
def test_a_missing_field_is_named_with_the_strategies_tried(changes: dict[str, object], named: str) -> None:
    with pytest.raises(DropItem, match=named):
        ValidatePipeline().process_item(raw(**changes))


def test_updated_and_provenance_reach_the_brief() -> None:
    provenance = {"title": "heading", "photo_caption": "figcaption"}
    brief = to_brief(raw(updated_raw="Updated August 2, 2021", provenance=provenance))
    assert brief.updated == date(2021, 8, 2)
    assert brief.updated_raw == "Updated August 2, 2021"
    assert brief.provenance == provenance
    assert to_brief(raw()).updated is None and to_brief(raw()).updated_raw is None


@pytest.mark.parametrize("section", ["The Peninsula", "the peninsula", None])
def test_validate_passes_a_brief(section: str | None) -> None:
    item = raw(section=section)
    assert ValidatePipeline().process_item(item) is item


def test_normalize_builds_the_brief() -> None:
    brief = NormalizePipeline().process_item(raw())
    assert isinstance(brief, Brief)
    assert brief.title == "Erosion of Data Privacy?"
    assert brief.published == date(2021, 7, 15)
    assert brief.published_raw == "Published July 15, 2021"
    assert brief.authors == ["Sang Kim"]
    assert brief.body == "What Happened\n\n- One thing\n- Caf\u00e9 two\n\nImplications: text & more."
    assert brief.photo_caption == "Picture of a server room."
    assert brief.photo_url == "https://keia.org/wp-content/uploads/2021/07/a.jpg"
    assert brief.slug == "erosion-of-data-privacy"
    assert brief.brief_id and len(brief.brief_id) == 16
    assert brief.first_seen == brief.last_seen == brief.fetched_at == NOW
    assert len(brief.content_hash) == 64


def test_content_hash_follows_content_not_fetch() -> None:
    a = to_brief(raw())
    b = to_brief(raw(fetched_at=datetime(2027, 1, 1, tzinfo=UTC), http_etag='"x"', credits=None))
    assert a.content_hash == b.content_hash
    for change in (
        {"title": "Other"},
        {"published_raw": "July 16, 2021"},
        {"body": "x"},
        {"photo_caption": None},
    ):
        assert to_brief(raw(**change)).content_hash != a.content_hash


def test_dedupe_one_row_per_url_and_content() -> None:
    dedupe = DedupePipeline()
    first = to_brief(raw())
    assert dedupe.process_item(first) is first
    with pytest.raises(DuplicateUrl):
        dedupe.process_item(to_brief(raw()))
    moved = to_brief(raw(url="https://keia.org/the-peninsula/erosion-of-data-privacy-2/"))
    with pytest.raises(
        DuplicateContent, match=r"same content as https://keia.org/the-peninsula/erosion-of-data-privacy/"
    ):
        dedupe.process_item(moved)
    other = to_brief(raw(url="https://keia.org/the-peninsula/other/", body="Different text."))
    assert dedupe.process_item(other) is other


def test_pipelines_pass_other_items_through() -> None:
    thing = {"not": "a brief"}
    for pipeline in (ValidatePipeline(), NormalizePipeline(), DedupePipeline()):
        assert pipeline.process_item(thing) is thing


@pytest.mark.parametrize(
    ("changes", "reason", "detail"),
    [
        ({"section": "KEI Spotlight"}, "NotABrief", "section is 'KEI Spotlight', not 'The Peninsula'"),
        ({"title": "  "}, "MissingTitle", "no title (title: tried json-ld, meta, title-tag, heading)"),
        ({"published_raw": ""}, "MissingDate", "no publication date (published_raw: tried text-layout, "),
        ({"published_raw": "Published sometime"}, "UnparseableDate", "published_raw 'Published sometime' is"),
        ({"body": " \n\n "}, "EmptyBody", "empty body (body: tried density, page-density)"),
    ],
)
def test_each_drop_is_listed_with_its_canonical_url_reason_and_field(
    changes: dict[str, object], reason: str, detail: str
) -> None:
    crawler = get_crawler(PeninsulaSpider)
    failures = FailureLists()
    recorder = DropList(failures)  # as from_crawler makes it, with this run's failure lists
    crawler.signals.connect(recorder.item_dropped, signal=signals.item_dropped)
    item = raw(**changes)
    with pytest.raises(DropItem) as caught:
        ValidatePipeline().process_item(item)
    crawler.signals.send_catch_log(
        signals.item_dropped, item=item, response=None, exception=caught.value, spider=None
    )
    [entry] = failures.drops
    assert entry.keys() == {"kind", "url", "fetched_url", "reason", "detail"}
    assert entry["kind"] == "brief" and entry["reason"] == reason
    assert entry["url"] == item.url and entry["fetched_url"] == item.fetched_url
    assert entry["detail"].startswith(detail)
    assert str(caught.value) == f"{item.fetched_url}: {entry['detail']}"  # the log line names the page


def test_a_drop_entry_without_a_fetch_url_names_the_canonical_url_alone() -> None:
    dedupe = DedupePipeline()
    dedupe.process_item(to_brief(raw()))
    copy = to_brief(raw(url="https://keia.org/the-peninsula/erosion-of-data-privacy-2/"))
    with pytest.raises(DuplicateContent) as caught:
        dedupe.process_item(copy)
    assert drop_entry(copy, caught.value) == {
        "kind": "brief",
        "url": copy.url,
        "reason": "DuplicateContent",
        "detail": "same content as https://keia.org/the-peninsula/erosion-of-data-privacy/"
        " (title, published, body, photo_caption)",
        "kept_as": "https://keia.org/the-peninsula/erosion-of-data-privacy/",
    }
