"""BriefPage: one brief's fields read from its HTML by layout — title, date line, labelled lines, body.

The reading order is the reader's: the "Published …" line anchors the page; the title is the heading
just above it (or the one the page's metadata names); the body is the block of the page holding most of
the prose after it. No class name or id is consulted, so a redesign that renames them changes nothing.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from kei_crawler.normalize import (
    SERIES,
    clean_body,
    clean_list,
    clean_optional,
    clean_text,
    clean_title,
    is_caption_sentence,
    is_credit_line,
    is_series_blurb,
    split_credit_and_caption,
)
from kei_crawler.pages import layout
from kei_crawler.pages.meta import categories_of, meta_line_at, names_of, section_label
from kei_crawler.pages.photo import (
    Caption,
    absolute_src,
    caption_after_image,
    is_content_image,
    structural_caption,
)
from kei_crawler.pages.text import Block, Image, linearize, parse_document, strip_chrome

FIELD_NAMES = ("section", "title", "published_raw", "authors", "categories", "series", "body", "credits",
               "photo_caption", "photo_url")  # fmt: skip


class BriefPage:
    """The fields of one brief page; bytes are decoded with ``encoding`` or the page's declared charset."""

    def __init__(self, url: str, html: str | bytes, encoding: str | None = None) -> None:
        self.url = url
        self._html = html
        self._encoding = encoding

    def fields(self) -> dict[str, Any]:
        """Exactly the keys of :data:`FIELD_NAMES`, values already clean."""
        return dict(self._fields)

    @property
    def section(self) -> str | None:
        """The section label shown above the title ("The Peninsula"), else None."""
        value: str | None = self._fields["section"]
        return value

    @property
    def title(self) -> str:
        """The displayed title, no site-name suffix."""
        value: str = self._fields["title"]
        return value

    @property
    def published_raw(self) -> str:
        """The text the date was read from ("Published July 24, 2022"); "" when none."""
        value: str = self._fields["published_raw"]
        return value

    @property
    def authors(self) -> list[str]:
        """Names from "Author(s):" / "By" lines or JSON-LD; [] when none."""
        value: list[str] = self._fields["authors"]
        return value

    @property
    def categories(self) -> list[str]:
        """Names from "Category:" lines; [] when none."""
        value: list[str] = self._fields["categories"]
        return value

    @property
    def series(self) -> str | None:
        """ "Korea View" for that series' briefs, else None."""
        value: str | None = self._fields["series"]
        return value

    @property
    def body(self) -> str:
        """The brief's own text in the body format (see ``normalize.clean_body``)."""
        value: str = self._fields["body"]
        return value

    @property
    def credits(self) -> str | None:
        """The editors' credit line, else None."""
        value: str | None = self._fields["credits"]
        return value

    @property
    def photo_caption(self) -> str | None:
        """The caption of the brief's photo, else None."""
        value: str | None = self._fields["photo_caption"]
        return value

    @property
    def photo_url(self) -> str | None:
        """Absolute URL of the brief's photo, else None."""
        value: str | None = self._fields["photo_url"]
        return value

    @cached_property
    def _fields(self) -> dict[str, Any]:
        empty: dict[str, Any] = {
            "section": None, "title": "", "published_raw": "", "authors": [], "categories": [],
            "series": None, "body": "", "credits": None, "photo_caption": None, "photo_url": None,
        }  # fmt: skip
        root = parse_document(self._html, self._encoding)
        if root is None:
            return empty
        try:
            return {**empty, **_Reader(self.url, root).read()}
        except RecursionError:
            # Pathologically nested markup; lxml already caps depth, this is the last guard.
            return empty


class _Reader:
    def __init__(self, url: str, root: HtmlElement) -> None:
        base = root.find(".//base[@href]")
        self.base_url = urljoin(url, base.get("href") or "") if base is not None else url
        self.structured = layout.structured_data(root)
        strip_chrome(root)
        self.blocks, self.images = linearize(root)

    def read(self) -> dict[str, Any]:
        blocks = self.blocks
        title_index, date_index, published_raw = layout.anchor(blocks, self.structured.title)
        title = clean_title(blocks[title_index].text) if title_index is not None else self.structured.title
        section = None
        if title_index is not None:
            # The label sits right above the title, at most a photo's line away; further up is masthead.
            for block in reversed(blocks[max(0, title_index - 2) : title_index]):
                section = section_label(block)
                if section:
                    break
        # The body starts under the title: a standfirst may sit between the title and a late date line.
        anchor_index = title_index if title_index is not None else date_index
        start = (anchor_index if anchor_index is not None else -1) + 1
        stop = layout.stop_index(blocks, start)
        region = blocks[start:stop]
        byline_until = start + 4

        authors: list[str] = []
        categories: list[str] = []
        meta_blocks: set[int] = set()
        # Some themes print the labelled lines above the title (a category kicker, the date).
        header = blocks[max(0, title_index - 3) : title_index] if title_index is not None else []
        for block in [*header, *region]:
            if block.index in meta_blocks:
                continue
            line = meta_line_at(blocks, block.index, allow_byline=block.index < byline_until)
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
        if date_index is not None:
            meta_blocks.add(date_index)  # a bare date or <time> line is no labelled line, nor body text
        if not authors:
            authors = self.structured.authors
        if not published_raw:
            published_raw = self.structured.published

        forbidden = {i for i in (title_index, date_index) if i is not None} | meta_blocks
        content = [b for b in region if b.index not in meta_blocks and not _is_boilerplate(b)]
        container = layout.content_container(content)

        photo, caption = self._photo(title_index, stop, forbidden, container)
        series = SERIES if any(a.casefold() == SERIES.casefold() for a in authors) else None
        credits: str | None = None
        caption_text = caption.text if caption else None
        skip = set(caption.blocks) if caption else set()
        after_credit = False
        paragraphs: list[Block] = []
        for block in region:
            text = block.text
            if block.index in meta_blocks or block.index in skip:
                continue
            if is_series_blurb(text):
                series = SERIES
                continue
            if is_credit_line(text):
                series = SERIES
                credit, inline_caption = split_credit_and_caption(text)
                credits = credits or credit
                caption_text = caption_text or inline_caption
                after_credit = True
                continue
            if is_caption_sentence(text) and (after_credit or (caption_text is None and block is region[-1])):
                caption_text = caption_text or text
                continue
            after_credit = False
            if caption_text and clean_text(text) == caption_text:
                continue  # the same caption printed twice (old blog: under the image and in the text)
            if container is not None and not block.within(container):
                continue
            if _is_boilerplate(block):
                continue
            paragraphs.append(block)

        # The caption may be found only after a repeat of it was read as a paragraph (credit line last).
        paragraphs = [b for b in paragraphs if b.text != caption_text]
        return {
            "section": section,
            "title": title,
            "published_raw": clean_text(published_raw),
            "authors": clean_list(authors),
            "categories": clean_list(categories),
            "series": series,
            "body": clean_body(layout.body_text(paragraphs)),
            "credits": clean_optional(credits),
            "photo_caption": clean_optional(caption_text),
            "photo_url": absolute_src(photo.element, self.base_url) if photo else None,
        }

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
        for image in zone:
            caption = structural_caption(image, self.blocks, forbidden, container)
            caption = caption or caption_after_image(image, self.blocks, forbidden)
            if caption:
                return image, caption
        return (zone[0] if zone else None), None


# Lines that only make sense as page furniture: share widgets, "Read more", print buttons.
_BOILERPLATE = re.compile(
    r"^(?:share(?: this)?(?: (?:post|article|page))?:?|print|tweet|email|read more|back to top|download pdf)$",
    re.IGNORECASE,
)


def _is_boilerplate(block: Block) -> bool:
    text = block.text
    if _BOILERPLATE.match(text):
        return True
    # A line that is nothing but links (tag clouds, "Previous / Next" post links) is navigation.
    return bool(block.links) and block.link_chars >= 0.9 * len(re.sub(r"\s", "", text)) and len(text) < 200
