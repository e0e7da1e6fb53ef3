"""Hostile HTML, table-driven: each case is a real brief (or listing) page with something malicious added,
or a page of nothing but it. The page objects read every case without raising and in bounded time (a
crawl of a replica with some briefs replaced by these pages: tests/e2e/test_hostile_html.py).
"""

from __future__ import annotations

from functools import cache

import pytest

from kei_crawler.pages import BriefPage, IndexPage
from kei_crawler.replica import build_site
from tests.support.hostile_pages import CASES, LEAK, MIRROR, OTHER, Hostile, _after_body


@cache
def _site_pages() -> tuple[str, bytes, bytes]:
    site = build_site(12, theme="classic")
    brief = site.briefs[1]
    return brief.path, site.render(brief.path, MIRROR)[2], site.render("/the-peninsula/", MIRROR)[2]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_page_objects_read_hostile_pages(case: Hostile) -> None:
    path, brief_html, listing_html = _site_pages()
    clean = BriefPage(MIRROR + path, brief_html).fields()
    fields = BriefPage(MIRROR + path, case.make(brief_html)).fields()
    for value in fields.values():
        assert LEAK.decode() not in str(value)
    if case.keeps == "exact":
        assert fields == clean
    elif case.keeps == "captured":
        assert fields["title"] and fields["body"] and fields["published_raw"]
    else:
        assert not (fields["title"] and fields["body"] and fields["published_raw"])

    listing = IndexPage(MIRROR + "/the-peninsula/", case.make(listing_html))
    links = listing.brief_links() + listing.listing_links()
    assert all(link.startswith(MIRROR + "/the-peninsula") for link in links)
    if case.keeps == "exact":
        assert listing.brief_links() == IndexPage(MIRROR + "/the-peninsula/", listing_html).brief_links()


def test_an_off_site_base_does_not_move_links_or_the_photo() -> None:
    path, brief_html, listing_html = _site_pages()
    based = _after_body(f'<base href="{OTHER}/">'.encode())
    photo = BriefPage(MIRROR + path, based(brief_html)).fields()["photo_url"]
    assert photo is not None and photo.startswith(MIRROR + "/wp-content/")
    assert IndexPage(MIRROR + "/the-peninsula/", based(listing_html)).brief_links()
    # A base on the page's own site is honoured: relative links resolve against it.
    same = _after_body(f'<base href="{MIRROR}/the-peninsula/">'.encode())(
        b"<html><body><a href='a-brief/'>x</a></body></html>"
    )
    assert IndexPage(MIRROR + "/elsewhere/", same).brief_links() == [MIRROR + "/the-peninsula/a-brief/"]
