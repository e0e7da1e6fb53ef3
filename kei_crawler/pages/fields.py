"""The reading of one brief page: every field by its strategies in order, each recorded as provenance.

The reading order is the reader's: the "Published …" line anchors the page; the title is the heading the
metadata names or the one just above the date; the body is the element holding most of the prose after
it. No class name or id is consulted, so a redesign that renames them changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from lxml.html import HtmlElement

from kei_crawler import urls
from kei_crawler.pages import regions
from kei_crawler.pages.blocks import Block, Image, linearize
from kei_crawler.pages.document import strip_chrome
from kei_crawler.pages.meta import KNOWN_SECTIONS, categories_of, meta_line_at, names_of, section_label
from kei_crawler.pages.photo import (
    Caption,
    absolute_src,
    caption_after_image,
    figure_caption,
    is_content_image,
    wrapper_caption,
)
from kei_crawler.pages.requisites import Requisites, content_images, stylesheets
from kei_crawler.pages.strategies import first_found
from kei_crawler.pages.structured import structured_data
from kei_crawler.text.clean import clean_body, clean_list, clean_optional, clean_text, clean_title
from kei_crawler.text.dates import parse_published
from kei_crawler.text.names import people
from kei_crawler.text.series import (
    SERIES,
    collapse_repeat,
    is_series_name,
    split_credit_and_caption,
    strip_caption,
)


class FieldReader:
    """Reads the fields of a parsed page; ``provenance`` is filled as they are found."""

    def __init__(self, url: str, root: HtmlElement) -> None:
        base = root.find(".//base[@href]")
        self.base_url = urls.page_base(url, base.get("href") if base is not None else None)
        self.structured = structured_data(root)
        self._stylesheets = stylesheets(root, self.base_url)  # in <head>, which strip_chrome removes
        strip_chrome(root)
        self.root = root
        self.blocks, self.images = linearize(root)
        self.provenance: dict[str, str] = {}
        self._zone: list[Image] = []
        self.requisites = Requisites(stylesheets=self._stylesheets)
        """What the brief needs beside its HTML to replay; complete once :meth:`read` has run."""

    def read(self) -> dict[str, Any]:
        blocks, found = self.blocks, self.provenance
        at = regions.anchor(blocks, self.structured)
        title_index, date_index, published_raw = at.title_index, at.date_index, at.date_raw
        title = clean_title(blocks[title_index].text) if title_index is not None else ""
        if title and at.title_via:
            found["title"] = at.title_via
        elif self.structured.titles():
            # No visible heading at all: the metadata's title, unconfirmed, in the same order of trust.
            found["title"], title = self.structured.titles()[0]
        if published_raw and at.date_via:
            found["published_raw"] = at.date_via
        section = None
        if title_index is not None:
            # The label sits right above the title, at most a photo's line away; further up is masthead.
            for block in reversed(blocks[max(0, title_index - 2) : title_index]):
                section = None if regions.in_link_menu(blocks, block) else section_label(block)
                if section:
                    found["section"] = "text-layout"
                    break
        # The body starts under the title: a standfirst may sit between the title and a late date line.
        anchor_index = title_index if title_index is not None else date_index
        start = (anchor_index if anchor_index is not None else -1) + 1
        stop = regions.stop_index(blocks, start)
        region = blocks[start:stop]

        authors: list[str] = []
        categories: list[str] = []
        updated_raw = ""
        meta_blocks: set[int] = set()
        # Some themes print the labelled lines above the title (a category kicker, the date).
        header = blocks[max(0, title_index - 3) : title_index] if title_index is not None else []
        dated = [blocks[date_index]] if date_index is not None and date_index < start - 3 else []
        for block in [*dated, *header, *region]:
            if block.index in meta_blocks:
                continue
            line = meta_line_at(blocks, block.index, allow_byline=block.index < start + 4)
            if line is None:
                continue
            meta_blocks.update(line.indexes)
            for segment in line.segments:
                if segment.kind == "author":
                    authors += names_of(segment, line.links)
                elif segment.kind == "category":
                    categories += categories_of(segment, line.links)
                elif segment.kind == "published" and not published_raw:
                    published_raw = segment.text
                    found["published_raw"] = "text-layout"
                elif segment.kind == "updated" and not updated_raw:
                    updated_raw = segment.text
        if date_index is not None:
            meta_blocks.add(date_index)  # a bare date or <time> line is no labelled line, nor body text
        authors, categories, published_raw = self._structured_fallbacks(authors, categories, published_raw)
        if updated_raw:
            found["updated_raw"] = "text-layout"

        forbidden = {i for i in (title_index, date_index) if i is not None} | meta_blocks
        body, credits, series, caption_text, photo = self._content(region, title_index, stop, forbidden)
        if not body and start > 0:
            # Nothing after the anchor (a date line printed under the post, a misread title): the densest
            # prose anywhere on the page, still without title, labelled lines or caption.
            # Only running text counts here: a page with none (an empty post) must keep an empty body.
            self.provenance.pop("photo_caption", None)
            rest = [
                b
                for b in blocks
                if b.index not in forbidden and not regions.is_stop_line(b) and section_label(b) is None
            ]
            if any(regions.is_prose(b.text) for b in rest):
                body, credits, series, caption_text, photo = self._content(rest, None, len(blocks), forbidden)
            if body:
                found["body"] = "page-density"
        if series is None and any(is_series_name(a) for a in authors):
            series = SERIES
            found["series"] = found.get("authors", "text-layout")
        # A byline naming the series names no one: it is ``series``, never an author (text/names.py). It
        # still counts as the page's own line, so metadata does not fill in a person the page does not show.
        authors = people(authors)
        if not authors:
            found.pop("authors", None)
        photo_url = absolute_src(photo.element, self.base_url) if photo else None
        if photo_url is None:
            found.pop("photo_url", None)
        zone = [image.element for image in self._zone]
        self.requisites = Requisites(content_images(photo.element if photo else None, zone, self.base_url),
                                     self._stylesheets)  # fmt: skip
        return {
            "section": section,
            "title": title,
            "published_raw": clean_text(published_raw),
            "updated_raw": clean_text(updated_raw),
            "authors": authors,
            "categories": categories,
            "series": series,
            "body": body,
            "credits": clean_optional(credits),
            "photo_caption": caption_text,
            "photo_url": photo_url,
        }

    def _structured_fallbacks(
        self, authors: list[str], categories: list[str], published_raw: str
    ) -> tuple[list[str], list[str], str]:
        """Metadata for what the visible page does not show; the page's own lines always win."""
        s, found = self.structured, self.provenance
        authors = self._shown_or_claimed("authors", clean_list(authors), clean_list)
        categories = self._shown_or_claimed("categories", clean_list(categories), _topical)
        if not published_raw:
            dated: dict[str, Callable[[], str | None]] = {"time-element": self._time_attribute}
            dated.update({via: partial(_a_date, claim) for via, claim in s.claims("published_raw").items()})
            if dated_hit := first_found("published_raw", dated):
                found["published_raw"], published_raw = dated_hit
        return authors, categories, published_raw

    def _shown_or_claimed(
        self, field: str, shown: list[str], usable: Callable[[list[str]], list[str]]
    ) -> list[str]:
        """The names the page's own lines show, else the first metadata claim ``usable`` keeps."""
        if shown:
            self.provenance[field] = "text-layout"
            return shown
        claims = {via: partial(usable, claim) for via, claim in self.structured.claims(field).items()}
        if hit := first_found(field, claims):
            self.provenance[field], shown = hit
        return shown

    def _time_attribute(self) -> str:
        """The datetime of the first <time> left after chrome removal whose own text shows no date."""
        for el in self.root.iter("time"):
            stamp = clean_text(el.get("datetime") or "")
            if parse_published(stamp) is not None:
                return stamp
        return ""

    def _content(
        self, region: list[Block], title_index: int | None, stop: int, forbidden: set[int]
    ) -> tuple[str, str | None, str | None, str | None, Image | None]:
        """Body, credit line, series, caption and photo of the blocks in ``region``."""
        found = self.provenance
        content = [b for b in region if b.index not in forbidden and not regions.is_boilerplate(b)]
        container = regions.content_container(content)
        photo, caption = self._photo(title_index, stop, forbidden, container)
        if photo is not None:
            found["photo_url"] = caption.via if caption else "content-image"
        series: str | None = None
        credits: str | None = None
        caption_text = caption.text if caption else None
        if caption:
            found["photo_caption"] = caption.via
        skip = set(caption.blocks) if caption else set()
        after_credit = False
        caption_key = ("", "")
        paragraphs: list[Block] = []
        for block in region:
            text = block.text
            if block.index in forbidden or block.index in skip:
                continue
            if block.is_series_blurb:
                series = SERIES
                found.setdefault("series", "series-blurb")
                continue
            if block.is_credit_line:
                series = SERIES
                found.setdefault("series", "credit-line")
                credit, inline_caption = split_credit_and_caption(text)
                if credits is None:
                    credits = credit
                    found["credits"] = "credit-line"
                if caption_text is None and inline_caption:
                    caption_text, found["photo_caption"] = inline_caption, "credit-line"
                after_credit = True
                continue
            if block.is_caption_sentence and (after_credit or (caption_text is None and block is region[-1])):
                if caption_text is None:
                    caption_text, found["photo_caption"] = text, "text-layout"
                continue
            after_credit = False
            if caption_text and caption_key[0] != caption_text:
                caption_key = (caption_text, collapse_repeat(caption_text))  # once per caption, not per block
            if caption_text and collapse_repeat(text) == caption_key[1]:
                continue  # the same caption printed twice (old blog: under the image and in the text)
            if container is not None and not block.within(container):
                continue
            if regions.is_boilerplate(block):
                continue
            paragraphs.append(block)
        caption_text = collapse_repeat(caption_text) if caption_text else None
        body = strip_caption(clean_body(regions.body_text(paragraphs)), caption_text)
        if body:
            found["body"] = "density"
        return body, credits, series, clean_optional(caption_text), photo

    def _photo(
        self, title_index: int | None, stop: int, forbidden: set[int], container: HtmlElement | None
    ) -> tuple[Image | None, Caption | None]:
        """The first image near the post that carries its own caption, else the first content image."""
        zone = [
            image
            for image in self.images
            if (title_index is None or image.before_block >= title_index - 2)
            and image.before_block <= stop
            and is_content_image(image.element, self.base_url)
        ]
        self._zone = zone  # the brief's own images: its requisites (pages.requisites)
        # Looking for an image's caption reads every block: fine for the few images a brief holds, hours
        # for a page of 50,000 <img>s.
        for image in zone[:_MAX_CAPTIONED_IMAGES]:
            tied = {
                "figcaption": partial(figure_caption, image, self.blocks, forbidden),
                "image-wrapper": partial(wrapper_caption, image, self.blocks, forbidden, container),
                "caption-after-image": partial(caption_after_image, image, self.blocks, forbidden),
            }
            if hit := first_found("photo_caption", tied):
                return image, hit[1]
        return (zone[0] if zone else None), None


_MAX_CAPTIONED_IMAGES = 20

# What a CMS files a post under when nobody chose anything: no category a reader would recognise.
_PLACEHOLDER_CATEGORIES = {"uncategorized", "uncategorised", "blog", "general", "post", "posts", "none"}


def _a_date(text: str) -> str | None:
    """``text`` when it states a publication date."""
    return text if parse_published(text) is not None else None


def _topical(names: list[str]) -> list[str]:
    """Metadata categories a reader would recognise: a section name or the series is where the post sits,
    not what it is about, and a CMS placeholder is nobody's choice."""
    kept = [n for n in clean_list(names) if n not in KNOWN_SECTIONS and n != SERIES]
    return [n for n in kept if n.casefold() not in _PLACEHOLDER_CATEGORIES]
