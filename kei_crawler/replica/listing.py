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
    if theme == "textonly":
        return (
            f'<tr><td valign="top"><a href="{href}"><b>{title}</b></a><br>\n<font size="1">{by}</font><br>\n'
            f'<font size="1">{day}</font><br>\n{summary}<br>\n<a href="{href}">Read More</a></td></tr>'
        )
    if theme == "drupal":
        parity = "odd" if position % 2 == 0 else "even"
        return (
            f'<div class="views-row views-row-{position % PER_PAGE + 1} views-row-{parity}">'
            f'<div class="views-field views-field-title"><span class="field-content"><a href="{href}">{title}</a>'
            f'</span></div><div class="views-field views-field-field-author"><div class="field-content">{by}</div>'
            f'</div><div class="views-field views-field-created"><span class="field-content">{day}</span></div>'
            f'<div class="views-field views-field-body"><div class="field-content"><p>{summary}</p></div></div>'
            f'<div class="views-field views-field-view-node"><span class="field-content"><a href="{href}">'
            "Read More</a></span></div></div>"
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


PagerItem = tuple[str, str | None, str]
"""(kind, href or None, label): kind is "prev", "page", "current", "dots" or "next"."""


def _pager_items(pagination: str, current: int, last: int, base: str) -> list[PagerItem]:
    items: list[PagerItem] = []
    if current > 1:
        items.append(("prev", page_url(pagination, current - 1, base), "« Previous"))
    for page_no in _window(current, last):
        if page_no is None:
            items.append(("dots", None, "…"))
        elif page_no == current:
            items.append(("current", None, str(page_no)))
        else:
            items.append(("page", page_url(pagination, page_no), str(page_no)))
    if current < last:
        items.append(("next", page_url(pagination, current + 1, base), "Next »"))
    return items


_DRUPAL_LABELS = {"prev": "‹ previous", "next": "next ›"}


def _pager(theme: str, items: list[PagerItem]) -> str:
    """The pager in ``theme``'s markup: a div of links, a row of plain links, or Drupal's ul.pager."""
    if theme == "textonly":
        cells = [f'<a href="{esc(h)}">{t}</a>' if h else f"<b>{t}</b>" for _, h, t in items]
        return '<p><font size="2">' + " | ".join(cells) + "</font></p>"
    if theme == "drupal":
        lis = "".join(
            f'<li class="pager-{kind}"><a href="{esc(h)}">{_DRUPAL_LABELS.get(kind, t)}</a></li>'
            if h
            else f'<li class="pager-{kind}">{t}</li>'
            for kind, h, t in items
        )
        return f'<div class="item-list"><ul class="pager">{lis}</ul></div>'
    links = []
    for kind, href, text in items:
        if href:
            links.append(f'<a class="{kind}" href="{esc(href)}">{text}</a>')
        elif kind == "current":
            links.append(f'<span class="current" aria-current="page">{text}</span>')
        else:
            links.append(f'<span class="dots">{text}</span>')
    return '<div class="pagination">' + " ".join(links) + "</div>"


def _podcasts(theme: str, pagination: str, page_no: int, base: str) -> str:
    start = (page_no - 1) * PODCASTS_PER_PAGE
    episodes = [
        (
            f"{base}/podcasts/korea-global-podcast-episode-{start + i + 1}/",
            f"Korea Global Podcast, episode {start + i + 1}",
        )
        for i in range(PODCASTS_PER_PAGE)
    ]
    pages: list[PagerItem] = [
        ("current", None, str(n)) if n == page_no else ("page", podcasts_url(n), str(n))
        for n in range(1, PODCAST_PAGES + 1)
    ]
    if theme == "textonly":
        pager = _pager(theme, pages) if pagination == "query" else ""
        links = "<br>\n".join(f'<a href="{href}">{text}</a>' for href, text in episodes)
        return f'<table width="100%" border="0"><tr><td><b>KEI Podcasts</b><br>\n{links}{pager}</td></tr></table>'
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in episodes)
    if theme == "drupal":
        pager = _pager(theme, pages) if pagination == "query" else ""
        return (
            '<div id="block-views-podcasts-block" class="block block-views"><h2>KEI Podcasts</h2>'
            f'<div class="content"><div class="item-list"><ul>{items}</ul></div>{pager}</div></div>'
        )
    pager = ""
    if pagination == "query":
        pager = '<div class="pagination">' + " ".join(
            f'<span class="current">{text}</span>' if href is None else f'<a href="{esc(href)}">{text}</a>'
            for _, href, text in pages
        ) + "</div>"  # fmt: skip
    return f'<div class="podcasts-block"><h2>KEI Podcasts</h2><ul>{items}</ul>{pager}</div>'


def _sidebar(theme: str, base: str) -> str:
    links = [
        (f"{base if i % 2 else ''}{path}", esc(text)) for i, (path, text) in enumerate(SIDEBAR_LINKS)
    ] + [(EXTERNAL_LINK, "Partner: Example Org")]
    if theme == "textonly":
        return "<p><b>Explore</b><br>\n" + "<br>\n".join(f'<a href="{h}">{t}</a>' for h, t in links) + "</p>"
    items = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links)
    if theme == "drupal":
        return (
            '<div class="region region-sidebar-first column sidebar"><div class="block block-menu">'
            f'<h2>Explore</h2><div class="content"><ul class="menu">{items}</ul></div></div></div>'
        )
    return f'<div class="sidebar"><h2>Explore</h2><ul>{items}</ul></div>'


def _head_and_entries(theme: str, count: int, entries: str) -> str:
    """Section label, heading, "N Posts located" and the entries, in ``theme``'s wrappers."""
    if theme == "textonly":
        return (
            f'<font size="1" color="#666666">The Peninsula</font>\n{chrome.heading(theme, "The Peninsula")}\n'
            f'<p><font size="2">{count} Posts located</font></p>\n'
            f'<table width="100%" border="0" cellspacing="0" cellpadding="4">\n{entries}\n</table>'
        )
    if theme == "drupal":
        return (
            '<div class="region region-highlighted"><div class="block block-block"><div class="content">'
            f"The Peninsula</div></div></div>\n{chrome.heading(theme, 'The Peninsula')}\n"
            '<div class="view view-the-peninsula view-id-the_peninsula view-display-id-page">'
            f'<div class="view-header"><p>{count} Posts located</p></div>\n<div class="view-content">\n{entries}\n'
            "</div></div>"
        )
    return (
        f'<div class="section-label">The Peninsula</div>\n<h1>The Peninsula</h1>\n'
        f'<p class="found">{count} Posts located</p>\n<div class="posts">\n{entries}\n</div>'
    )


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
        f"{_head_and_entries(theme, len(briefs), entries)}\n"
        f"{_pager(theme, _pager_items(pagination, page_no, last, base))}\n"
        f"{_podcasts(theme, pagination, podcasts_page, base)}\n{_sidebar(theme, base)}"
    )
    title = "The Peninsula" + (f" - Page {page_no}" if page_no > 1 else "")
    return chrome.page(theme, title=title, base_url=base, content=content, body_class="blog archive")
