"""Hostile HTML, table-driven: each case is a real brief (or listing) page with something malicious added,
or a page of nothing but it. The page objects read them (tests/unit/test_hostile_html.py) and a crawl is
served them (tests/e2e/test_hostile_html.py).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

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
