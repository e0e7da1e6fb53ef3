"""A brief page's requisites: the images inside the brief's own content, and the page's stylesheets.

What an archive needs beside the HTML for the brief to replay as it was read. The images are those the
page object weighs for the brief's photo (``fields.FieldReader._photo``): between the title and where the
post ends, and content images by their structure (not tiny, not SVG, not the logo linking home:
``photo.is_content_image``) — so site chrome, avatars and related-post thumbnails are left out without a
class name being read. The photo comes first, then the others in document order, each once.
Stylesheets are the ``<link rel="stylesheet">`` elements of the whole page, read before the chrome is
stripped. Every URL is absolute http(s); whether it may be fetched (same site, robots.txt, size) is the
spider's business (``spiders.requisite_requests``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from lxml.html import HtmlElement

from kei_crawler import urls
from kei_crawler.pages.photo import absolute_src

MAX_IMAGES = 20
"""At most this many images per brief (a brief shows a photo and perhaps a chart or two): a page of
50,000 <img>s is an attack, and must not cost 50,000 requests at the polite pace."""
MAX_STYLESHEETS = 20


class Requisites(NamedTuple):
    images: tuple[str, ...] = ()
    """Absolute URLs of the images inside the brief's content, its photo first."""
    stylesheets: tuple[str, ...] = ()
    """Absolute URLs of the page's stylesheets, in document order."""


def content_images(photo: HtmlElement | None, zone: Iterable[HtmlElement], base_url: str) -> tuple[str, ...]:
    """The photo's URL, then every other content image's in ``zone``, each once."""
    found: list[str] = []
    for img in [*([photo] if photo is not None else []), *zone]:
        url = absolute_src(img, base_url)
        if url is not None and url not in found:
            found.append(url)
        if len(found) >= MAX_IMAGES:
            break
    return tuple(found)


def stylesheets(root: HtmlElement, base_url: str) -> tuple[str, ...]:
    """The absolute http(s) URLs of the page's ``<link rel="stylesheet" href>``, each once."""
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        url = urls.join(base_url, href) if href and "stylesheet" in rel else None
        if url is not None and url.split(":", 1)[0].lower() in ("http", "https") and url not in found:
            found.append(url)
        if len(found) >= MAX_STYLESHEETS:
            break
    return tuple(found)
