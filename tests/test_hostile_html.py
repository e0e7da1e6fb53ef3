"""Hostile HTML, table-driven: each case is a real brief (or listing) page with something malicious added,
or a page of nothing but it. The page objects read every case without raising and in bounded time; a
crawl of a replica with some briefs replaced by these pages publishes, and reports each as captured
correctly or as a counted drop — never a traceback.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kei_crawler.pages import BriefPage, IndexPage
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from tests.conftest import run_crawl
from tests.test_crawl_bad_input import FaultySite, Rendered

MIRROR = "http://127.0.0.1:8123"
OTHER = "http://127.0.0.1:8124"  # the "other host" a hostile page points at
LEAK = b"LEAKED-FROM-HIDDEN"
NEST = (b"div", b"span", b"b")


def _after_body(junk: bytes) -> Callable[[bytes], bytes]:
    def inject(page: bytes) -> bytes:
        at = page.index(b">", page.index(b"<body")) + 1
        return page[:at] + junk + page[at:]

    return inject


def _before_body_end(junk: bytes) -> Callable[[bytes], bytes]:
    return lambda page: page.replace(b"</body>", junk + b"</body>", 1)


def _nested(levels: int, closed: bool = True) -> tuple[bytes, bytes]:
    opening = b"".join(b"<" + NEST[i % 3] + b">" for i in range(levels))
    closing = b"".join(b"</" + NEST[i % 3] + b">" for i in reversed(range(levels))) if closed else b""
    return opening, closing


def _wrap_body(page: bytes) -> bytes:
    opening, closing = _nested(100_000)
    return _before_body_end(closing)(_after_body(opening)(page))


def _sprinkle(junk: bytes) -> Callable[[bytes], bytes]:
    """``junk`` after every ``>`` of the page."""
    return lambda page: page.replace(b">", b">" + junk)


HIDDEN = b"".join(
    b"<%s>%s <p>%s</p></%s>" % (tag, LEAK, LEAK, tag)
    for tag in (b"script", b"style", b"noscript", b"template", b"iframe", b"svg", b"textarea", b"object")
) + b'<div hidden>%s</div><p style="display: none">%s</p><p aria-hidden="true">%s</p>' % (LEAK, LEAK, LEAK)
UNCLOSED_HIDDEN = b"<title>" + LEAK + b"<script>" + LEAK  # at the end of the body, never closed
LAUGHS = b"""<!DOCTYPE html [
<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
"""


def _laughs(page: bytes) -> bytes:
    body = page[page.index(b"<html") :]
    return LAUGHS + _after_body(b"<p>&lol9; &xxe; &lol9;</p>")(body)


def _json_ld(text: bytes) -> bytes:
    return b'<script type="application/ld+json">' + text + b"</script>"


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[bytes], bytes]
    """The hostile page, made from a real page (brief or listing) of the replica."""
    keeps: str
    """exact: the brief reads as it does without the junk; captured: it is captured, its text may differ
    (a page that is not UTF-8 reads as windows-1252; a post nested 100,000 deep reads flattened); dropped:
    no brief is left to read."""
    crawl: bool = True
    """Served in the crawl test (a page past DOWNLOAD_MAXSIZE is the downloader's business, tested there)."""
    crawl_error: str = ""
    """The reason the crawl reports the brief as not fetched with, when it does not read it at all."""


CASES = [
    Hostile("nested-100k-before-the-post", _after_body(b"".join(_nested(100_000))), "exact"),
    Hostile("nested-100k-after-the-post", _before_body_end(b"".join(_nested(100_000))), "exact"),
    # The post itself lies below the depth kept (pages.flatten): read, but as one flat run of the page's text.
    Hostile("nested-100k-around-the-post", _wrap_body, "captured"),
    Hostile("nested-100k-unclosed", lambda p: _after_body(_nested(100_000, closed=False)[0])(p), "captured"),
    Hostile("nested-100k-alone", lambda _p: b"<html><body>" + b"".join(_nested(100_000)) + b"</body></html>", "dropped"),
    Hostile("attribute-50MB", _after_body(b'<div title="' + b"a" * 50_000_000 + b'"></div>'), "exact", crawl=False),
    Hostile("attribute-10MB", _after_body(b'<p data-x="' + b"\xe2\x80\x99" * 3_000_000 + b'"></p>'), "exact"),
    Hostile("elements-300k", _after_body(b"<span></span><i class=x></i>" * 150_000), "exact"),
    Hostile("links-and-images-20k", _before_body_end(b'<a href="/news/x/"><img src="/a.jpg" width="300"></a>' * 20_000), "exact"),
    Hostile("hidden-content", lambda p: _before_body_end(UNCLOSED_HIDDEN)(_after_body(HIDDEN)(p)), "exact"),
    Hostile("comment-bomb", _after_body(b"<!--" + b"x" * 5_000_000 + b"-->" + b"<!-- a -->" * 200_000), "exact"),
    Hostile("comment-unclosed", _before_body_end(b"<!--" + b"<p>" * 1000), "exact"),
    Hostile("billion-laughs-doctype", _laughs, "exact"),
    Hostile("json-ld-deep", _after_body(_json_ld(b"[" * 100_000 + b"]" * 100_000)), "exact"),
    Hostile("json-ld-deep-object", _after_body(_json_ld(b'{"@type":"Article","headline":' * 900 + b"1" + b"}" * 900)), "exact"),
    Hostile("json-ld-huge", _after_body(_json_ld(json.dumps({"@type": "Article", "headline": "Evil", "x": ["y" * 100] * 60_000}).encode())), "exact"),
    Hostile("json-ld-deep-author", _after_body(_json_ld(b'{"@type":"Article","author":' + b'{"name":' * 950 + b'"x"' + b"}" * 951)), "exact"),
    # Scrapy's MetaRefreshMiddleware builds a Request of the refresh URL before it checks the scheme, and
    # Request refuses "javascript:": kei_crawler.middlewares.redirects reports it as a hop off the site, the run goes on.
    Hostile("meta-refresh-javascript", _after_body(b'<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'), "exact", crawl_error="offsite_redirect"),
    Hostile("meta-refresh-file", _after_body(b'<meta http-equiv="refresh" content="0;url=file:///etc/passwd">'), "exact"),
    Hostile("base-href-other-host", _after_body(f'<base href="{OTHER}/">'.encode()), "exact"),
    Hostile("nul-bytes", _sprinkle(b"\x00"), "exact"),
    Hostile("invalid-utf8", _before_body_end(b"<p>\xc3\x28 \xed\xa0\x80 \xff\xfe</p>"), "captured"),
    Hostile("charset-idna", lambda p: p.replace(b"<head>", b'<head><meta charset="idna">', 1), "exact"),
    Hostile("huge-numbers", _after_body(b'<img src="/a.jpg" width="' + b"9" * 5000 + b'"><p>' + b"9" * 5000 + b" Posts located</p>"), "exact"),
    Hostile("title-suffix-bomb", lambda p: p.replace(b"<title>", b"<title>" + b"KEI | " * 50_000, 1), "exact"),
    Hostile("garbage-bytes", lambda _p: random.Random(7).randbytes(200_000), "dropped"),
]  # fmt: skip


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
    photo = BriefPage(MIRROR + path, based(brief_html)).photo_url
    assert photo is not None and photo.startswith(MIRROR + "/wp-content/")
    assert IndexPage(MIRROR + "/the-peninsula/", based(listing_html)).brief_links()
    # A base on the page's own site is honoured: relative links resolve against it.
    same = _after_body(f'<base href="{MIRROR}/the-peninsula/">'.encode())(
        b"<html><body><a href='a-brief/'>x</a></body></html>"
    )
    assert IndexPage(MIRROR + "/elsewhere/", same).brief_links() == [MIRROR + "/the-peninsula/a-brief/"]


def test_a_crawl_with_hostile_briefs_publishes_and_reports_each(tmp_path: Path) -> None:
    site = build_site(40, theme="classic")
    served = [case for case in CASES if case.crawl]
    victims = {brief.path: case for brief, case in zip(site.briefs[2:], served, strict=False)}
    assert len(victims) == len(served)

    def hostile(case: Hostile) -> Callable[[str, str], Rendered]:
        def render(path: str, base: str) -> Rendered:
            code, headers, body = site.render(path, base)
            return code, headers, case.make(body)

        return render

    faulty = FaultySite(site, {path: hostile(case) for path, case in victims.items()})
    with ReplicaServer(faulty) as server:  # type: ignore[arg-type]
        done = run_crawl(server.base_url, tmp_path / "out", timeout=600)
    assert done.returncode in (0, 5), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    ref = store.latest(tmp_path / "out")
    assert ref is not None
    rows = {row["slug"]: row for row in pq.read_table(ref.path).to_pylist()}
    truth = {brief.path: brief.expected() for brief in site.briefs}
    counts = json.loads(store.metadata(ref.path)["counts"])
    dropped = sum((counts.get("briefs_dropped") or {}).values())
    errors = {(e["url"].split("/")[-2], e["reason"]) for e in counts["errors"]}
    for path, case in victims.items():
        row = rows.get(truth[path]["slug"])
        if case.crawl_error:
            assert row is None and (truth[path]["slug"], case.crawl_error) in errors, case.name
            continue
        if case.keeps == "dropped":
            assert row is None, case.name
            assert path in done.stderr, case.name  # the log names the dropped page
            continue
        assert row is not None, case.name
        assert LEAK.decode() not in json.dumps(row, default=str), case.name
        if case.keeps == "exact":
            assert (row["title"], row["body"]) == (truth[path]["title"], truth[path]["body"]), case.name
    assert dropped == sum(case.keeps == "dropped" for case in victims.values())
    assert len(errors) == sum(bool(case.crawl_error) for case in victims.values())
    assert len(rows) == 40 - dropped - len(errors)
