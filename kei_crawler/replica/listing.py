"""The Peninsula's listing: "N Posts located", ten entries a page, numbered pagination, a podcasts block.

Entry links come in the forms seen in the wild (absolute or relative, without the trailing slash, with
e-mail tracking parameters), and the sidebar links elsewhere on the site and off it, so a crawler has to
canonicalize, deduplicate and stay on The Peninsula.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from kei_crawler.replica import chrome
from kei_crawler.replica.chrome import esc
from kei_crawler.replica.model import SERIES, Brief, display_date
from kei_crawler.replica.prose import join_names

PER_PAGE = 10
PODCAST_PAGES = 4
PODCASTS_PER_PAGE = 3
SIDEBAR_LINKS = (
    ("/news/kei-announces-2016-academic-symposium/", "KEI announces 2016 Academic Symposium"),
    ("/podcasts/korea-and-the-world-economy/", "Korea and the World Economy"),
    ("/category/south-korea/", "South Korea"),
    ("/category/south-korea/page/39/", "More on South Korea"),
    ("/contributor/kyle-ferrier/", "Kyle Ferrier"),
    ("/region/northeast-asia/", "Northeast Asia"),
)
EXTERNAL_LINK = "https://www.example.org/"


def page_count(n_briefs: int) -> int:
    return max(1, math.ceil(n_briefs / PER_PAGE))


def page_url(pagination: str, page_no: int, prefix: str = "") -> str:
    """Where listing page ``page_no`` lives; the query style keeps the site's trailing "&"."""
    if page_no == 1:
        return f"{prefix}/the-peninsula/"
    if pagination == "path":
        return f"{prefix}/the-peninsula/page/{page_no}/"
    return f"{prefix}/the-peninsula/?post%5Bpaged%5D={page_no}&"


def podcasts_url(page_no: int) -> str:
    return f"/the-peninsula/?podcasts%5Bpaged%5D={page_no}&"


def entry_href(brief: Brief, position: int, base: str) -> str:
    """One of the link forms seen in the wild, chosen by the entry's position in the whole listing."""
    href = brief.path
    if position % 5 == 1:
        href = href.rstrip("/")
    if position % 7 == 3:
        token = hashlib.sha256(brief.slug.encode()).hexdigest()[:24]
        href += (
            f"?utm_medium=email&_hsmi=124978800&_hsenc=p2ANqtz-{token}"
            f"&utm_content={124978800 + position}&utm_source=hs_email"
        )
    return base + href if position % 2 == 0 else href


def _byline(brief: Brief) -> str:
    if brief.korea_view:
        return SERIES
    return join_names(brief.authors) or "KEI Staff"


def _entry(theme: str, brief: Brief, position: int, base: str) -> str:
    href = esc(entry_href(brief, position, base))
    title, by, day, summary = (
        esc(brief.title),
        esc(_byline(brief)),
        display_date(brief.published),
        esc(brief.summary()),
    )
    if theme == "modern":
        return (
            f'<article class="card"><h3 class="card-title"><a href="{href}">{title}</a></h3>'
            f'<p class="card-meta"><span class="author">{by}</span> <span class="date">{day}</span></p>'
            f'<p class="excerpt">{summary}</p><a class="read-more" href="{href}">Read More</a></article>'
        )
    if theme == "classic":
        return (
            f'<div class="post"><h2 class="post-title"><a href="{href}" rel="bookmark">{title}</a></h2>'
            f'<p class="postmeta">{by}</p><p class="postmeta">{day}</p>'
            f'<div class="entry"><p>{summary}</p></div><p><a class="more-link" href="{href}">Read More</a></p></div>'
        )
    return (
        f'<div class="e1"><div class="e2"><a href="{href}"><span>{title}</span></a></div><div class="e3">{by}</div>'
        f'<div class="e3">{day}</div><div class="e4">{summary}</div><div class="e5"><a href="{href}">Read More</a>'
        "</div></div>"
    )


def _window(current: int, last: int) -> list[int | None]:
    """1 … current±2 … last; None marks an ellipsis."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    previous = 0
    for page_no in shown:
        if previous and page_no - previous > 1:
            out.append(None)
        out.append(page_no)
        previous = page_no
    return out


def _pagination(pagination: str, current: int, last: int, base: str) -> str:
    links: list[str] = []
    if current > 1:
        links.append(f'<a class="prev" href="{esc(page_url(pagination, current - 1, base))}">« Previous</a>')
    for page_no in _window(current, last):
        if page_no is None:
            links.append('<span class="dots">…</span>')
        elif page_no == current:
            links.append(f'<span class="current" aria-current="page">{page_no}</span>')
        else:
            links.append(f'<a class="page" href="{esc(page_url(pagination, page_no))}">{page_no}</a>')
    if current < last:
        links.append(f'<a class="next" href="{esc(page_url(pagination, current + 1, base))}">Next »</a>')
    return '<div class="pagination">' + " ".join(links) + "</div>"


def _podcasts(pagination: str, page_no: int, base: str) -> str:
    start = (page_no - 1) * PODCASTS_PER_PAGE
    items = "".join(
        f'<li><a href="{base}/podcasts/korea-global-podcast-episode-{start + i + 1}/">'
        f"Korea Global Podcast, episode {start + i + 1}</a></li>"
        for i in range(PODCASTS_PER_PAGE)
    )
    pager = ""
    if pagination == "query":
        pager = '<div class="pagination">' + " ".join(
            f'<span class="current">{n}</span>' if n == page_no else f'<a href="{esc(podcasts_url(n))}">{n}</a>'
            for n in range(1, PODCAST_PAGES + 1)
        ) + "</div>"  # fmt: skip
    return f'<div class="podcasts-block"><h2>KEI Podcasts</h2><ul>{items}</ul>{pager}</div>'


def _sidebar(base: str) -> str:
    links = "".join(
        f'<li><a href="{base if i % 2 else ""}{path}">{esc(text)}</a></li>'
        for i, (path, text) in enumerate(SIDEBAR_LINKS)
    )
    external = f'<li><a href="{EXTERNAL_LINK}">Partner: Example Org</a></li>'
    return f'<div class="sidebar"><h2>Explore</h2><ul>{links}{external}</ul></div>'


def listing_page(
    theme: str, pagination: str, briefs: Sequence[Brief], page_no: int, podcasts_page: int, base: str
) -> str | None:
    """HTML of one listing page, or None past the last page (the caller answers 404)."""
    last = page_count(len(briefs))
    if not 1 <= page_no <= last or not 1 <= podcasts_page <= PODCAST_PAGES:
        return None
    first = (page_no - 1) * PER_PAGE
    entries = "\n".join(
        _entry(theme, brief, first + i, base) for i, brief in enumerate(briefs[first : first + PER_PAGE])
    )
    content = (
        f'<div class="section-label">The Peninsula</div>\n<h1>The Peninsula</h1>\n'
        f'<p class="found">{len(briefs)} Posts located</p>\n<div class="posts">\n{entries}\n</div>\n'
        f"{_pagination(pagination, page_no, last, base)}\n{_podcasts(pagination, podcasts_page, base)}\n"
        f"{_sidebar(base)}"
    )
    title = "The Peninsula" + (f" - Page {page_no}" if page_no > 1 else "")
    return chrome.page(theme, title=title, base_url=base, content=content, body_class="blog archive")
