"""Page objects against the replica's truth: every theme, every brief of a default site, no HTTP.

The replica's three themes use different tags, wrappers and class names for the same content, so a
field read by class name would pass one theme and fail the others.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kei_crawler import urls
from kei_crawler.pages import BriefPage, IndexPage
from kei_crawler.text.dates import parse_published

replica = pytest.importorskip("kei_crawler.replica")

ORIGIN = "https://keia.org"
SITE_SIZE = 60
THEMES: tuple[str, ...] = tuple(getattr(replica, "THEMES", ()))
FIELDS = (
    "title",
    "published",
    "authors",
    "categories",
    "series",
    "body",
    "credits",
    "photo_caption",
    "photo_url",
)


def _site(theme: str, pagination: str = "query") -> Any:
    return replica.build_site(SITE_SIZE, theme=theme, pagination=pagination)


def _extract(site: Any, path: str) -> dict[str, Any]:
    status, _headers, body = site.render(path, ORIGIN)
    assert status == 200, path
    fields = BriefPage(ORIGIN + path, body).fields()
    fields["published"] = parse_published(fields["published_raw"])
    return fields


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("field", FIELDS)
def test_every_brief_field_matches_the_truth(theme: str, field: str) -> None:
    site = _site(theme)
    wrong = []
    for brief in site.briefs:
        got = _extract(site, brief.path)[field]
        want = brief.expected(ORIGIN)[field]
        if got != want:
            wrong.append((brief.slug, got, want))
    assert not wrong, f"{len(wrong)} of {len(site.briefs)} briefs differ on {field}: {wrong[:3]}"


@pytest.mark.parametrize("theme", THEMES)
def test_brief_pages_show_the_peninsula_section_or_none(theme: str) -> None:
    site = _site(theme)
    for brief in site.briefs:
        _status, _, body = site.render(brief.path, ORIGIN)
        assert BriefPage(ORIGIN + brief.path, body).fields()["section"] in ("The Peninsula", None)


def _crawl_listing(site: Any) -> tuple[list[str], set[str]]:
    """Every brief link of every listing page reachable from the first, and every listing page seen."""
    queue = [f"{ORIGIN}/the-peninsula/"]
    seen_pages = {urls.canonical_listing_url(queue[0])}
    found: list[str] = []
    while queue:
        url = queue.pop(0)
        path = url[len(ORIGIN) :]
        status, _, body = site.render(path, ORIGIN)
        if status != 200:
            continue
        page = IndexPage(url, body)
        found += page.brief_links()
        for link in page.listing_links():
            key = urls.canonical_listing_url(link)
            if key not in seen_pages:
                seen_pages.add(key)
                queue.append(key)
    return found, seen_pages


@pytest.mark.parametrize("pagination", ["query", "path"])
@pytest.mark.parametrize("theme", THEMES)
def test_listing_pages_find_every_brief_once(theme: str, pagination: str) -> None:
    site = _site(theme, pagination)
    found, pages = _crawl_listing(site)
    canonical = [urls.canonical_brief_url(link) for link in found]
    assert sorted(canonical) == sorted(ORIGIN + brief.path for brief in site.briefs)
    assert len(pages) > 1
    for link in found:
        path = link[len(ORIGIN) :]
        assert not path.startswith(("/news/", "/podcasts/", "/category/")), link


@pytest.mark.parametrize("theme", THEMES)
def test_listing_counts_posts(theme: str) -> None:
    site = _site(theme)
    _status, _, body = site.render("/the-peninsula/", ORIGIN)
    located = IndexPage(f"{ORIGIN}/the-peninsula/", body).posts_located()
    assert located is None or located == len(site.briefs)


_CLASS_OR_ID = re.compile(rb"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


@pytest.mark.parametrize("theme", THEMES)
def test_class_names_and_ids_play_no_part(theme: str) -> None:
    site = _site(theme)
    for brief in site.briefs:
        _, _, body = site.render(brief.path, ORIGIN)
        url = ORIGIN + brief.path
        assert BriefPage(url, _CLASS_OR_ID.sub(b"", body)).fields() == BriefPage(url, body).fields(), (
            brief.slug
        )
