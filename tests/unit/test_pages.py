"""Page objects on saved pages: every tests/fixtures/<name>/ folder, compared field by field.

Each folder holds page.html and expected.json; the JSON was written by hand from what the page visibly
says, before the extractor ran on it. An optional "encoding" key names the charset the test passes in.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date

import pytest

from kei_crawler.items import PAGE_FIELDS, RawBrief, content_hash
from kei_crawler.pages import STRATEGIES, BriefPage, IndexPage, missing_reason
from kei_crawler.text.dates import parse_published, parse_updated
from tests.support import FIXTURES

BRIEF_FIXTURES = sorted(p.parent.name for p in FIXTURES.glob("*/expected.json"))


def load(name: str) -> tuple[bytes, dict[str, object]]:
    folder = FIXTURES / name
    return (folder / "page.html").read_bytes(), json.loads((folder / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", BRIEF_FIXTURES)
@pytest.mark.parametrize("field", PAGE_FIELDS)
def test_fixture_field(name: str, field: str) -> None:
    html, expected = load(name)
    page = BriefPage(str(expected["url"]), html, encoding=expected.get("encoding"))  # type: ignore[arg-type]
    assert page.fields()[field] == expected[field]


@pytest.mark.parametrize("name", BRIEF_FIXTURES)
def test_fixture_fields_keys_and_date(name: str) -> None:
    html, expected = load(name)
    fields = BriefPage(str(expected["url"]), html).fields()
    assert tuple(fields) == PAGE_FIELDS
    assert parse_published(fields["published_raw"]) is not None
    if expected.get("photo_caption"):
        assert str(expected["photo_caption"]) not in fields["body"]


@pytest.mark.parametrize("name", BRIEF_FIXTURES)
def test_fixture_dates(name: str) -> None:
    """The gold set's "published" / "updated" are what the raw texts the page shows say."""
    html, expected = load(name)
    page = BriefPage(str(expected["url"]), html, encoding=expected.get("encoding"))  # type: ignore[arg-type]
    assert parse_published(page.fields()["published_raw"]) == date.fromisoformat(str(expected["published"]))
    updated = expected.get("updated")
    assert parse_updated(page.fields()["updated_raw"]) == (
        date.fromisoformat(str(updated)) if updated else None
    )


@pytest.mark.parametrize("name", BRIEF_FIXTURES)
def test_provenance_covers_exactly_the_fields_found(name: str) -> None:
    html, expected = load(name)
    page = BriefPage(str(expected["url"]), html, encoding=expected.get("encoding"))  # type: ignore[arg-type]
    fields, provenance = page.fields(), page.provenance()
    assert set(provenance) == {field for field, value in fields.items() if value not in (None, "", [])}
    for field, strategy in provenance.items():
        assert strategy in STRATEGIES[field], (field, strategy)


PROVENANCE = [
    # "Author: Korea View" names the series, no person: JSON-LD's "KEI Staff" does not fill the silence.
    ("jsonld-disagrees", {"title": "heading", "published_raw": "text-layout", "authors": None}),
    ("jsonld-graph-utc-time", {"title": "json-ld", "published_raw": "time-element", "authors": None}),
    ("og-title-only", {"title": "meta", "published_raw": "text-layout"}),
    ("title-tag-only", {"title": "title-tag", "body": "density"}),
    ("time-datetime-only", {"published_raw": "time-element"}),
    ("replica-modern", {"title": "json-ld", "photo_caption": "figcaption", "photo_url": "figcaption"}),
    ("replica-classic", {"photo_caption": "image-wrapper", "photo_url": "image-wrapper"}),
    (
        "captured-korea-view",
        {"photo_caption": "credit-line", "photo_url": "content-image", "series": "series-blurb"},
    ),
    ("kv-plain-prose", {"series": "credit-line", "credits": "credit-line"}),
    ("kv-what-happened-no-blurb", {"photo_caption": "text-layout"}),
    ("updated-same-line", {"updated_raw": "text-layout"}),
    (
        "drupal-era-node",
        {"authors": "text-layout", "categories": "text-layout", "published_raw": "text-layout"},
    ),
]


@pytest.mark.parametrize(("name", "want"), PROVENANCE, ids=[name for name, _ in PROVENANCE])
def test_provenance_names_the_strategy(name: str, want: dict[str, str]) -> None:
    html, expected = load(name)
    provenance = BriefPage(str(expected["url"]), html).provenance()
    assert {field: provenance.get(field) for field in want} == want


def test_field_names_are_raw_brief_page_fields() -> None:
    """The spider does ``RawBrief(url=…, fetched_url=…, **page.fields(), provenance=…)``."""
    page_fields = {f.name for f in dataclasses.fields(RawBrief)} - {
        "url", "fetched_url", "fetched_at", "http_etag", "http_last_modified", "provenance",
        "warc_file", "warc_record_id", "warc_offset",  # how the page was archived, not what it says
    }  # fmt: skip
    assert set(PAGE_FIELDS) == page_fields
    assert set(STRATEGIES) == set(PAGE_FIELDS)


def test_missing_field_is_explained() -> None:
    page = BriefPage("https://keia.org/the-peninsula/x/", "<html><body><p>nothing here</p></body></html>")
    assert "title" not in page.provenance() and "published_raw" not in page.provenance()
    assert missing_reason("title") == "title: tried json-ld, meta, title-tag, heading"
    assert missing_reason("published_raw") == (
        "published_raw: tried text-layout, time-element, date-line, json-ld, meta"
    )


def test_fields_from_str_and_bytes_agree() -> None:
    html, expected = load("captured-korea-view")
    url = str(expected["url"])
    assert BriefPage(url, html.decode("utf-8")).fields() == BriefPage(url, html).fields()


GARBAGE: list[str | bytes] = [
    "",
    b"",
    "<html>",
    "<html><body></body></html>",
    "   \n\t ",
    b"\x00\x01\x02\xff\xfe\x89PNG\r\n\x1a\n" * 50,
    bytes(range(256)) * 8,
    "<div>" * 5000 + "deep" + "</div>" * 5000,
    "<p><b><i><span>" * 2000 + "x",
    "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
    "<!-- only a comment -->",
    "<h1>Just a heading</h1>",
    "<table><tr><td><img src='data:image/gif;base64,R0lGOD'></td></tr></table>",
]


@pytest.mark.parametrize("html", GARBAGE, ids=range(len(GARBAGE)))
def test_brief_page_never_raises(html: str | bytes) -> None:
    page = BriefPage("https://keia.org/the-peninsula/x/", html)
    fields = page.fields()
    assert tuple(fields) == PAGE_FIELDS
    assert fields["published_raw"] == ""
    assert fields["authors"] == [] and fields["categories"] == []
    assert fields["photo_url"] is None and fields["photo_caption"] is None
    assert fields["series"] is None and fields["credits"] is None
    assert fields["updated_raw"] == ""
    assert set(page.provenance()) <= {"title", "body"}


@pytest.mark.parametrize("html", GARBAGE, ids=range(len(GARBAGE)))
def test_index_page_never_raises(html: str | bytes) -> None:
    page = IndexPage("https://keia.org/the-peninsula/", html)
    assert page.brief_links() == []
    assert page.listing_links() == []
    assert page.posts_located() is None


LISTING = """<html><body>
<header><a href="/">KEI</a> Total Index: 6384 publications.</header>
<p>2002 Posts located</p>
<article><h3><a href="/the-peninsula/renewed-south-korea-mexico-ties/">Renewed South Korea-Mexico Ties</a></h3>
  <span>Korea View</span> <span>July 24, 2022</span> <p>On July 4, the foreign …</p>
  <a href="/the-peninsula/renewed-south-korea-mexico-ties/">Read More</a></article>
<article><h3><a href="https://keia.org/the-peninsula/erosion-of-data-privacy?utm_medium=email&amp;utm_source=hs_email#top">
  Erosion of Data Privacy?</a></h3></article>
<article><a href="/the-peninsula/erosion-of-data-privacy/">again</a></article>
<a href="/news/kei-hosts-event/">news</a> <a href="/podcasts/ep-1/">podcast</a>
<a href="/category/south-korea/">category</a> <a href="/contributor/yong-kwon/">contributor</a>
<a href="https://blog.keia.org/the-peninsula/other-host/">other host</a>
<a href="/the-peninsula/">first page</a>
<a href="/the-peninsula/?post%5Bpaged%5D=2&amp;">2</a>
<a href="/the-peninsula/?post%5Bpaged%5D=2&amp;podcasts%5Bpaged%5D=3">2 again</a>
<a href="/the-peninsula/page/3/">3</a>
<a href="/the-peninsula/?podcasts%5Bpaged%5D=2">podcasts block</a>
<a href="/category/south-korea/page/39/">category page</a>
</body></html>"""


def test_index_page_links() -> None:
    page = IndexPage("https://keia.org/the-peninsula/", LISTING)
    assert page.brief_links() == [
        "https://keia.org/the-peninsula/renewed-south-korea-mexico-ties/",
        "https://keia.org/the-peninsula/erosion-of-data-privacy?utm_medium=email&utm_source=hs_email",
    ]
    assert page.listing_links() == [
        "https://keia.org/the-peninsula/?post%5Bpaged%5D=2&",
        "https://keia.org/the-peninsula/page/3/",
    ]
    assert page.posts_located() == 2002


def test_index_page_on_a_later_page_links_back_to_the_first() -> None:
    page = IndexPage("https://keia.org/the-peninsula/?post%5Bpaged%5D=2&", LISTING)
    assert page.listing_links() == [
        "https://keia.org/the-peninsula/",
        "https://keia.org/the-peninsula/page/3/",
    ]


_CLASS_OR_ID = re.compile(rb"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


@pytest.mark.parametrize("name", BRIEF_FIXTURES)
def test_fields_do_not_depend_on_class_names_or_ids(name: str) -> None:
    html, expected = load(name)
    url = str(expected["url"])
    stripped = _CLASS_OR_ID.sub(b"", html)
    assert b"class=" not in stripped
    assert BriefPage(url, stripped).fields() == BriefPage(url, html).fields()


def test_an_empty_post_keeps_an_empty_body() -> None:
    html = """<html><head><title>Nothing here</title></head><body><p>The Peninsula</p>
    <h1>A brief with no words</h1><p>Published March 3, 2021</p><p>Return to the Peninsula</p></body></html>"""
    page = BriefPage("https://keia.org/the-peninsula/x/", html)
    assert page.fields()["body"] == "" and "body" not in page.provenance()
    assert missing_reason("body") == "body: tried density, page-density"


def test_date_printed_under_the_post_falls_back_to_page_density() -> None:
    html = """<html><head><title>Seoul’s new port | KEI</title></head><body>
    <div><p>Seoul opened a new container port on the west coast this week.</p>
    <p>The port can handle two million containers a year.</p></div>
    <p>Published May 2, 2023</p></body></html>"""
    page = BriefPage("https://keia.org/the-peninsula/x/", html)
    assert page.fields()["title"] == "Seoul’s new port"
    assert page.fields()["body"] == (
        "Seoul opened a new container port on the west coast this week.\n\n"
        "The port can handle two million containers a year."
    )
    assert page.provenance()["body"] == "page-density"
    assert page.provenance()["title"] == "title-tag"


@pytest.mark.parametrize("name", BRIEF_FIXTURES)
def test_white_space_in_the_markup_changes_no_field_and_no_content_hash(name: str) -> None:
    """The page object is where text is cleaned, once: a brief laid out with other white space (a CMS
    re-indenting its templates) reads the same, so its content hash does not change."""
    html, expected = load(name)
    encoding = expected.get("encoding")
    spaced = re.sub(rb"(<(?:p|li|h[1-6]|div|figcaption)\b[^>]*>)", rb"\1\n   \t", html)
    spaced = re.sub(rb"(</(?:p|li|h[1-6]|div|figcaption)>)", rb" \n\1", spaced)
    pages = [BriefPage(str(expected["url"]), page, encoding=encoding) for page in (html, spaced)]  # type: ignore[arg-type]
    reads = [page.fields() for page in pages]
    assert reads[0] == reads[1]
    hashes = {
        content_hash(r["title"], parse_published(r["published_raw"]), r["body"], r["photo_caption"])
        for r in reads
    }
    assert len(hashes) == 1
