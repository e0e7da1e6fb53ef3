"""IndexPage: a listing page of The Peninsula — which briefs it lists and which listing pages it links to.

Links are recognised by their URLs (``kei_crawler.urls``), never by where in the markup they sit, so a
listing in any theme, with either pagination style, reads the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urldefrag

from lxml.html import HtmlElement

from kei_crawler import urls
from kei_crawler.pages.document import parse_document
from kei_crawler.text.clean import clean_text

# The number's run is bounded: unbounded, a page of "1 1 1 1 …" costs quadratic backtracking.
_POSTS_LOCATED = re.compile(r"(\d[\d,.\u00a0 ]{0,24}?)\s+Posts?\s+located", re.IGNORECASE)


class IndexPage:
    def __init__(self, url: str, html: str | bytes, encoding: str | None = None) -> None:
        self.url = url
        self._html = html
        self._encoding = encoding

    @cached_property
    def _root(self) -> HtmlElement | None:
        return parse_document(self._html, self._encoding)

    @cached_property
    def _links(self) -> list[str]:
        """Every same-host link target, absolute, fragment dropped, in page order."""
        root = self._root
        if root is None:
            return []
        base_el = root.find(".//base[@href]")
        base = urls.page_base(self.url, base_el.get("href") if base_el is not None else None)
        found: list[str] = []
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.startswith(("mailto:", "javascript:", "tel:", "#")):
                continue
            absolute = urls.join(base, href)
            # Only http(s) links to this very host: javascript:, file:, data:, other hosts and userinfo
            # tricks all fail here (urls.same_site).
            if absolute is not None and urls.same_site(absolute, self.url):
                found.append(urldefrag(absolute).url)
        return found

    def brief_links(self) -> list[str]:
        """Brief URLs as linked (query strings kept), once each by canonical URL, in page order."""
        return self._once_each(urls.is_brief_url, urls.canonical_brief_url, seen=set())

    def listing_links(self) -> list[str]:
        """Other pages of The Peninsula's listing (``?post%5Bpaged%5D=N&`` and ``/page/N/``), once each."""
        seen = {urls.canonical_listing_url(self.url)} if urls.is_listing_url(self.url) else set()
        return self._once_each(urls.is_listing_url, urls.canonical_listing_url, seen=seen)

    def _once_each(
        self, accept: Callable[[str], bool], key: Callable[[str], str], seen: set[str]
    ) -> list[str]:
        """Links that ``accept`` takes, the first of each ``key`` kept, in page order."""
        out: list[str] = []
        for link in self._links:
            if accept(link) and (k := key(link)) not in seen:
                seen.add(k)
                out.append(link)
        return out

    def posts_located(self) -> int | None:
        """The listing's "N Posts located" count, when it shows one."""
        if self._root is None:
            return None
        match = _POSTS_LOCATED.search(clean_text(self._root.text_content()))
        if not match:
            return None
        digits = re.sub(r"\D", "", match.group(1))
        return int(digits) if digits else None
