"""What a page's machine-readable metadata claims: JSON-LD, Open Graph / article: meta, <title>.

Read before chrome is stripped (JSON-LD sits in <script>, the rest in <head>). These claims are kept per
source, because each field cross-checks them against the visible page in its own way (docs/extraction.md):
a CMS fills them from fields an editor may never have looked at, so they are evidence, not the truth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from kei_crawler.pages.strategies import STRATEGIES
from kei_crawler.text.clean import clean_text, clean_title

_ARTICLE_TYPES = {"article", "blogposting", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
                  "scholarlyarticle", "techarticle", "report"}  # fmt: skip


@dataclass
class Structured:
    """Per field and source, what the metadata says; "" / [] when a source is silent."""

    jsonld_title: str = ""
    meta_title: str = ""
    tag_title: str = ""
    jsonld_published: str = ""
    meta_published: str = ""
    jsonld_authors: list[str] = field(default_factory=list)
    meta_authors: list[str] = field(default_factory=list)
    jsonld_categories: list[str] = field(default_factory=list)
    meta_categories: list[str] = field(default_factory=list)

    def claims(self, field: str) -> dict[str, Any]:
        """What each source claims for ``field`` (title, published_raw, authors, categories), by strategy
        name: the finders of the metadata strategies, for ``strategies.first_found``."""
        by_source: dict[str, dict[str, Any]] = {
            "title": {"json-ld": self.jsonld_title, "meta": self.meta_title, "title-tag": self.tag_title},
            "published_raw": {"json-ld": self.jsonld_published, "meta": self.meta_published},
            "authors": {"json-ld": self.jsonld_authors, "meta": self.meta_authors},
            "categories": {"json-ld": self.jsonld_categories, "meta": self.meta_categories},
        }
        return by_source[field]

    def titles(self) -> list[tuple[str, str]]:
        """(strategy, title) for every source that names one, in the order STRATEGIES trusts them."""
        claims = self.claims("title")
        return [(via, claims[via]) for via in STRATEGIES["title"] if claims.get(via)]


# A brief's JSON-LD is a few kilobytes; a script far larger is no metadata worth reading, and parsing
# it would cost the time and memory a hostile page wants spent.
MAX_JSON_LD_CHARS = 1_000_000


def _names(value: object) -> list[str]:
    """Names of a schema.org author value: a string, a Person/Organization, or a list of them (nested as
    deep as a page likes: walked with a stack, not by recursion)."""
    names: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            stack.append(item.get("name"))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return names


def _text(value: object) -> str:
    """A scalar JSON value as text; "" for objects and arrays (``str()`` of a deeply nested one recurses)."""
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _is_name(text: str) -> bool:
    # article:author and <meta name=author> often hold a profile URL or a CMS user name ("admin").
    return bool(text) and "://" not in text and text.casefold() not in {"admin", "administrator", "editor"}


def iter_json_ld(root: HtmlElement) -> Iterator[dict[str, object]]:
    """Every object in the page's JSON-LD scripts, @graph members included."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        if len(script.text) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):
            continue  # broken, or nested deeper than the parser's stack ("[[[[…" × 100,000)
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


def structured_data(root: HtmlElement) -> Structured:
    """Every source's claims; the first article object of the JSON-LD (@graph included) counts."""
    found = Structured()
    for item in iter_json_ld(root):
        types = item.get("@type")
        type_names = {_text(t).lower() for t in (types if isinstance(types, list) else [types])}
        if not type_names & _ARTICLE_TYPES:
            continue
        found.jsonld_title = found.jsonld_title or clean_title(
            _text(item.get("headline")) or _text(item.get("name"))
        )
        found.jsonld_published = found.jsonld_published or clean_text(_text(item.get("datePublished")))
        names = [clean_text(n) for n in _names(item.get("author"))]
        found.jsonld_authors = found.jsonld_authors or [n for n in names if _is_name(n)]
        sections = [clean_text(s) for s in _strings(item.get("articleSection"))]
        found.jsonld_categories = found.jsonld_categories or [s for s in sections if s]
    metas: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or "").lower()
        if key:
            metas.setdefault(key, []).append(el.get("content") or "")

    def first(*keys: str) -> str:
        return next((clean_text(v) for k in keys for v in metas.get(k, []) if clean_text(v)), "")

    found.meta_title = clean_title(first("og:title", "twitter:title"))
    found.meta_published = first("article:published_time", "og:published_time", "date", "dc.date")
    found.meta_authors = [a for a in (clean_text(v) for v in metas.get("article:author", []) +
                                      metas.get("author", [])) if _is_name(a)]  # fmt: skip
    found.meta_categories = [c for c in (clean_text(v) for v in metas.get("article:section", [])) if c]
    title_el = root.find(".//title")
    if title_el is not None:
        found.tag_title = clean_title(title_el.text_content())
    return found
