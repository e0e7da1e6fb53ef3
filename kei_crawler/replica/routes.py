"""URL → (status, headers, body): the replica's behaviour as a web site, without any socket.

Kept apart from the HTTP server so tests (and benchmarks) can render any page directly, and so that the
server only adds what is about sockets: HEAD, conditional requests, delays and the request log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.utils import format_datetime
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

from kei_crawler.replica import images, listing, pages, rss, sitemap_xml, themes
from kei_crawler.replica.drupal import render_drupal
from kei_crawler.replica.model import Brief, published_at
from kei_crawler.replica.sitemap_xml import Publishing
from kei_crawler.replica.textonly import render_textonly


class Site(Protocol):
    """What the routes read of the site (``content.Site``, which renders its pages through them)."""

    theme: str
    pagination: str
    briefs: list[Brief]
    publishing: Publishing

    def brief(self, slug: str) -> Brief | None: ...

    def listed(self) -> list[Brief]: ...

    def in_sitemap(self) -> list[Brief]: ...

    def position(self, brief: Brief) -> int: ...


HTML = "text/html; charset=utf-8"
Response = tuple[int, dict[str, str], bytes]


def render(site: Site, path_and_query: str, base: str) -> Response:
    parts = urlsplit(path_and_query)
    path, query = parts.path or "/", parts.query
    if path == "/robots.txt":
        robots = pages.robots_txt(base, site.publishing.robots_sitemap)
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, robots
    published = _published_xml(site, path, base)
    if published is not None:
        return published
    if path.startswith(images.UPLOADS):
        return _upload(site, path, base)
    if path.startswith(images.THEMES) and path.endswith(".css"):
        return 200, {"Content-Type": "text/css"}, images.stylesheet(path)
    last_segment = path.rsplit("/", 1)[-1]
    if not path.endswith("/") and "." not in last_segment:
        # WordPress answers the slash-less form of any permalink with a permanent redirect.
        return redirect(base + path + "/" + (f"?{query}" if query else ""))
    segments = [s for s in path.split("/") if s]
    theme = site.theme
    if not segments:
        return ok(pages.home_page(theme, base))
    head, rest = segments[0], segments[1:]
    if head == "the-peninsula":
        return _peninsula(site, rest, query, base)
    if head in pages.SECTIONS:
        if not rest:
            return ok(pages.section_index(theme, head, base))
        if len(rest) == 1:
            return ok(pages.section_page(theme, head, rest[0], base))
        if len(rest) == 3 and rest[1] == "page" and rest[2].isdigit() and int(rest[2]) >= 1:
            return ok(pages.section_page(theme, head, rest[0], base, int(rest[2])))
    if len(segments) == 1 and head in pages.STATIC:
        return ok(pages.static_page(theme, head, base))
    return not_found(site, base)


def _peninsula(site: Site, rest: list[str], query: str, base: str) -> Response:
    if not rest:
        params = dict(parse_qsl(query, keep_blank_values=True))
        page_no = 1
        if site.pagination == "query":
            page_no = _page_param(params.get("post[paged]"))
        podcasts = _page_param(params.get("podcasts[paged]"))
        return _listing(site, page_no, podcasts, base)
    if rest[0] == "page" and len(rest) == 2 and site.pagination == "path" and rest[1].isdigit():
        page_no = int(rest[1])
        if page_no == 1:
            return redirect(base + "/the-peninsula/")
        return _listing(site, page_no, 1, base)
    if len(rest) == 1:
        brief = site.brief(rest[0])
        if brief is not None:
            return brief_response(site.theme, brief, base, related_briefs(site, brief))
    return not_found(site, base)


def _published_xml(site: Site, path: str, base: str) -> Response | None:
    """The sitemaps and the feed, when the site publishes them (``sitemap_xml.Publishing``)."""
    publishing = site.publishing
    if publishing.feed and path == "/feed/":
        return 200, {"Content-Type": rss.RSS}, rss.feed(site.listed(), base)
    if publishing.sitemaps == "none":
        return None
    if path == "/sitemap.xml":  # core and Yoast both send the conventional name to their index
        return redirect(base + publishing.robots_sitemap)
    found = sitemap_xml.render(publishing, site.in_sitemap(), path, base)
    if found is None:
        return None
    kind, body = found
    return 200, {"Content-Type": kind}, body


def _upload(site: Site, path: str, base: str) -> Response:
    """A brief's photo (the path its pages show, in every theme); any other upload is not there."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    brief = site.brief(stem)
    found = images.image(path) if brief is not None and brief.photo_path == path else None
    if found is None:
        return not_found(site, base)
    kind, body = found
    return 200, {"Content-Type": kind, "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"'}, body


def _page_param(value: str | None) -> int:
    # Like WordPress, a missing or unreadable counter means the first page.
    return int(value) if value and value.isdigit() and int(value) >= 1 else 1


def _listing(site: Site, page_no: int, podcasts_page: int, base: str) -> Response:
    html = listing.listing_page(site.theme, site.pagination, site.listed(), page_no, podcasts_page, base)
    return ok(html) if html is not None else not_found(site, base)


RELATED = 3


def related_briefs(site: Site, brief: Brief) -> list[Brief]:
    """The next older briefs: stable while newer ones are published, as a related-posts view would be."""
    position = site.position(brief)
    return site.briefs[position + 1 : position + 1 + RELATED]


def render_brief(theme: str, brief: Brief, base: str, related: Sequence[Brief] = ()) -> str:
    if theme == "textonly":
        return render_textonly(brief, base)
    if theme == "drupal":
        return render_drupal(brief, base, related)
    if theme == "modern":
        return themes.render_modern(brief, base, published_at(brief).isoformat())
    if theme == "classic":
        return themes.render_classic(brief, base)
    return themes.render_flat(brief, base)


def brief_response(theme: str, brief: Brief, base: str, related: Sequence[Brief] = ()) -> Response:
    body = render_brief(theme, brief, base, related).encode("utf-8")
    headers = {
        "Content-Type": HTML,
        "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        "Last-Modified": format_datetime(brief.modified, usegmt=True),
    }
    return 200, headers, body


def ok(html: str) -> Response:
    return 200, {"Content-Type": HTML}, html.encode("utf-8")


def redirect(location: str) -> Response:
    body = f'<html><body><p>Moved to <a href="{location}">{location}</a></p></body></html>'
    return 301, {"Content-Type": HTML, "Location": location}, body.encode("utf-8")


def not_found(site: Site, base: str) -> Response:
    return 404, {"Content-Type": HTML}, pages.not_found_page(site.theme, base).encode("utf-8")
