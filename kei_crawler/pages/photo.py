"""A brief's photo and the caption that belongs to it, found by where they sit, not by class names.

A caption is tied to its image structurally: a <figcaption>, or text sharing the image's smallest
wrapper (WordPress's ``wp-caption`` shape, whatever its classes are called), or a short "Picture of …"
line right after the image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from kei_crawler import urls
from kei_crawler.pages.blocks import Block, Image
from kei_crawler.text.clean import clean_text
from kei_crawler.text.series import is_caption_sentence

_MIN_SIDE = 64  # px: icons, avatars and tracking pixels are smaller than any photo the site runs
_CAPTION_MAX = 400
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-large-file")


def image_source(img: HtmlElement) -> str | None:
    """The real image address: lazy-loading attributes before a placeholder ``src``; never a data: URL."""
    candidates = [img.get("src"), *(img.get(attr) for attr in _LAZY_ATTRS)]
    srcset = img.get("srcset") or img.get("data-srcset")
    if srcset:
        candidates.append(srcset.split(",")[0].strip().split(" ")[0])
    usable = [c.strip() for c in candidates if c and c.strip() and not c.strip().lower().startswith("data:")]
    return usable[0] if usable else None


def _side(value: str | None) -> int | None:
    # At most 6 digits: int() refuses a number of 4,300 digits, and no image is a million pixels wide.
    match = re.match(r"\s*([0-9]{1,6})", value or "")
    return int(match.group(1)) if match else None


def is_content_image(img: HtmlElement, page_url: str) -> bool:
    """False for logos, icons and pixels: tiny, SVG, data: URLs, or an image linking to the home page; and
    for any image whose address is not http(s) (javascript:, file:) or cannot be resolved."""
    src = image_source(img)
    if not src or src.lower().split("?")[0].endswith(".svg") or absolute_src(img, page_url) is None:
        return False
    sides = [s for s in (_side(img.get("width")), _side(img.get("height"))) if s is not None]
    if any(side < _MIN_SIDE for side in sides):
        return False
    for ancestor in img.iterancestors():
        if ancestor.tag == "a":
            href = urls.join(page_url, ancestor.get("href") or "")
            target = urlsplit(href) if href is not None else None
            if target is None or (target.path in ("", "/") and not target.query):
                return False  # the site logo, linking home (or a link no browser could follow)
            break
    return True


@dataclass
class Caption:
    text: str
    blocks: set[int]
    """Indexes of the blocks the caption was read from, to keep them out of the body."""
    via: str
    """The strategy that tied it to the image: figcaption, image-wrapper or caption-after-image."""


def _wrapper(img: HtmlElement, blocks: list[Block]) -> tuple[HtmlElement, list[Block]] | None:
    """The image's smallest ancestor holding any text, with that text's blocks."""
    for ancestor in img.iterancestors():
        inside = [b for b in blocks if b.within(ancestor)]
        if inside:
            return ancestor, inside
    return None


def figure_caption(image: Image, blocks: list[Block], forbidden: set[int]) -> Caption | None:
    """The <figcaption> of the <figure> that holds ``image``."""
    figure = next((a for a in image.element.iterancestors() if a.tag == "figure"), None)
    if figure is None:
        return None
    captions = [b for b in blocks if b.within(figure) and any(a.tag == "figcaption" for a in b.chain)]
    if captions and not any(b.index in forbidden for b in captions):
        return Caption(
            clean_text(" ".join(b.text for b in captions)), {b.index for b in captions}, "figcaption"
        )
    return None


def wrapper_caption(
    image: Image, blocks: list[Block], forbidden: set[int], container: HtmlElement | None
) -> Caption | None:
    """A short text sharing the image's smallest wrapper: a <figure> without a figcaption, or the
    ``wp-caption`` shape whatever its classes are called.

    ``forbidden`` are blocks that cannot be a caption (title, metadata); a wrapper that holds the whole
    body (``container`` or above) is the content, not a caption box.
    """
    img = image.element
    figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
    if figure is not None:
        inside = [b for b in blocks if b.within(figure)]
        captioned = any(any(a.tag == "figcaption" for a in b.chain) for b in inside)
        if inside and not captioned and not any(b.index in forbidden for b in inside):
            return Caption(
                clean_text(" ".join(b.text for b in inside)), {b.index for b in inside}, "image-wrapper"
            )
    found = _wrapper(img, blocks)
    if found is None:
        return None
    wrapper, inside = found
    if container is not None and (
        wrapper is container or any(a is wrapper for a in container.iterancestors())
    ):
        return None
    text = clean_text(" ".join(b.text for b in inside))
    if len(inside) > 2 or len(text) > _CAPTION_MAX or any(b.index in forbidden for b in inside):
        return None
    # Text in its own element beside the image is a caption box; text flowing around the image in the
    # same paragraph is only taken when it reads like a caption.
    separate = all(b.owner is not wrapper for b in inside)
    if separate or is_caption_sentence(text):
        return Caption(text, {b.index for b in inside}, "image-wrapper")
    return None


def caption_after_image(image: Image, blocks: list[Block], forbidden: set[int]) -> Caption | None:
    """A short "Picture of …" line right after the image."""
    index = image.before_block
    if index < len(blocks) and index not in forbidden and blocks[index].is_caption_sentence:
        return Caption(blocks[index].text, {index}, "caption-after-image")
    return None


def absolute_src(img: HtmlElement, base_url: str) -> str | None:
    """The image's absolute http(s) URL, else None."""
    src = image_source(img)
    absolute = urls.join(base_url, src) if src else None
    return absolute if absolute is not None and urlsplit(absolute).scheme in ("http", "https") else None
