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
from kei_crawler.pages.document import is_hidden, parse_document
from kei_crawler.text.clean import clean_text

# A count as pages write it: "2002", "2,002", "2 002" (thousands grouped), at most nine digits. Bounded,
# and never the tail of a longer number: a page of "1 1 1 1 …" or of 5,000 digits costs no backtracking.
_NUMBER = r"(?<![\d,.])(\d{1,3}(?:[,.\u00a0 ]\d{3}){1,2}|\d{1,9})(?![\d])"
# "2002 Posts located", "1 Post located", and the label first: "Posts located: 2002".
_POSTS_LOCATED = re.compile(
    rf"{_NUMBER}\s*Posts?\s+located\b|\bPosts?\s+located\s*:?\s*{_NUMBER}", re.IGNORECASE
)
# Text no reader sees (a count in a script or a template is not the listing's); unlike the chrome a brief
# page drops, a form or an aside may well be where a listing shows its count.
_UNSEEN = frozenset(
    {"script", "style", "noscript", "template", "head", "textarea", "svg", "iframe", "object"}
)


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
        return [link for _, link in self._anchors]

    @cached_property
    def _anchors(self) -> list[tuple[HtmlElement, str]]:
        """Every link to this very host with its target (as in ``_links``), in page order."""
        root = self._root
        if root is None:
            return []
        base_el = root.find(".//base[@href]")
        base = urls.page_base(self.url, base_el.get("href") if base_el is not None else None)
        found: list[tuple[HtmlElement, str]] = []
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.startswith(("mailto:", "javascript:", "tel:", "#")):
                continue
            absolute = urls.join(base, href)
            # Only http(s) links to this very host: javascript:, file:, data:, other hosts and userinfo
            # tricks all fail here (urls.same_site).
            if absolute is not None and urls.same_site(absolute, self.url):
                found.append((anchor, urldefrag(absolute).url))
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
        """The listing's "N Posts located" count, when it shows one.

        Read from the visible text, each element's text apart from its neighbours' (``<b>2002</b>Posts
        located`` reads as two words). A page with several blocks may show a count for each: the listing's
        own is the last one before its first entry, or else the first one on the page.
        """
        if self._root is None:
            return None
        text, entries_at = self._visible_text()
        matches = list(_POSTS_LOCATED.finditer(text))
        before = [match for match in matches if match.start() < entries_at]
        chosen = before[-1] if before else (matches[0] if matches else None)
        if chosen is None:
            return None
        return int(re.sub(r"\D", "", chosen.group(1) or chosen.group(2)))

    def _visible_text(self) -> tuple[str, int]:
        """The page's visible text, a space between elements, and where in it the first brief link is."""
        assert self._root is not None
        pieces: list[str] = []
        first = next((anchor for anchor, link in self._anchors if urls.is_brief_url(link)), None)
        entries_at: int | None = None
        stack: list[tuple[HtmlElement, bool]] = [(self._root, False)]
        while stack:  # a stack, not recursion: a page nested deep must not exhaust Python's
            element, closing = stack.pop()
            if closing:
                pieces.append(element.tail or "")
                continue
            tag = element.tag if isinstance(element.tag, str) else ""
            if element is first:
                entries_at = len(" ".join(pieces))
            if tag and tag not in _UNSEEN and not is_hidden(element):
                pieces.append(element.text or "")
                stack.append((element, True))
                stack.extend((child, False) for child in reversed(element))
            else:
                pieces.append(element.tail or "")
        text = " ".join(pieces)
        cleaned = clean_text(text)
        return cleaned, len(cleaned) if entries_at is None else len(clean_text(text[:entries_at]))
