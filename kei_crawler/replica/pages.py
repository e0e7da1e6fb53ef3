"""Pages that are not briefs: other sections, the home page, robots.txt and the 404 page.

They answer 200 on purpose: a crawler that follows a menu link into /news/ or /podcasts/ must tell from the
page (section label, URL) that it is not a brief, not from an error. A podcast page even has a
"Published …" line.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from kei_crawler.replica import chrome
from kei_crawler.replica.chrome import esc
from kei_crawler.replica.model import display_date

SECTIONS = {
    "news": "KEI Spotlight",
    "podcasts": "KEI Podcasts",
    "contributor": "Contributor",
    "category": "Category",
    "region": "Region",
    "location": "Location",
}
STATIC = {
    "korea-view": ("Korea View", "A weekly newsletter on developments on the Korean Peninsula."),
    "subscribe": ("Subscribe", "Register to receive KEI's newsletters and event invitations."),
    "about": ("About KEI", "The Korea Economic Institute of America promotes dialogue and understanding."),
}


def robots_txt(base_url: str, sitemap: str = "/sitemap.xml") -> bytes:
    return f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: {base_url}{sitemap}\n".encode()


def _stable_date(key: str) -> date:
    """A date that depends only on ``key``, so these pages render the same bytes every time."""
    days = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 4000
    return date(2012, 1, 1) + timedelta(days=days)


def _name(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("-") if part) or "KEI"


def section_page(theme: str, section: str, slug: str, base_url: str, page_no: int = 1) -> str:
    label = SECTIONS[section]
    name = _name(slug)
    if section in ("news", "podcasts"):
        day = display_date(_stable_date(slug))
        date_line = day if section == "news" else f"Published {day}"
        content = (
            f'<div class="section-label">{label}</div>\n{chrome.heading(theme, esc(name))}\n<p class="date">{date_line}</p>\n'
            f"<p>KEI hosted a discussion on {esc(name.lower())} with experts from Washington and Seoul.</p>\n"
            f'<p><a href="{base_url}/{section}/">More from {label}</a></p>'
        )
        return chrome.page(theme, title=name, base_url=base_url, content=content)
    heading = f"{label}: {name}" + (f" (page {page_no})" if page_no > 1 else "")
    content = (
        f"{chrome.heading(theme, esc(heading))}\n<p>Publications filed under {esc(name)}.</p>\n"
        f'<p><a href="{base_url}/{section}/{slug}/page/{page_no + 1}/">Older publications</a></p>'
    )
    return chrome.page(theme, title=heading, base_url=base_url, content=content)


def section_index(theme: str, section: str, base_url: str) -> str:
    label = SECTIONS[section]
    links = "".join(
        f'<li><a href="{base_url}/{section}/{slug}/">{esc(_name(slug))}</a></li>'
        for slug in (
            "kei-announces-2016-academic-symposium",
            "korea-and-the-world-economy",
            "future-of-korea",
        )
    )
    content = f"{chrome.heading(theme, label)}\n<ul>{links}</ul>"
    return chrome.page(theme, title=label, base_url=base_url, content=content)


def static_page(theme: str, key: str, base_url: str) -> str:
    title, text = STATIC[key]
    content = f"{chrome.heading(theme, esc(title))}\n<p>{esc(text)}</p>"
    return chrome.page(theme, title=title, base_url=base_url, content=content)


def home_page(theme: str, base_url: str) -> str:
    content = (
        chrome.heading(theme, "Korea Economic Institute of America") + "\n"
        f'<p><a href="{base_url}/the-peninsula/">The Peninsula</a> · <a href="{base_url}/news/">News</a> · '
        f'<a href="{base_url}/podcasts/">Podcasts</a></p>'
    )
    return chrome.page(theme, title="", base_url=base_url, content=content)


def not_found_page(theme: str, base_url: str) -> str:
    content = (
        chrome.heading(theme, "Page not found")
        + "\n<p>Sorry, the page you are looking for could not be found.</p>\n"
        f'<p><a href="{base_url}/">Go to the home page</a></p>'
    )
    return chrome.page(theme, title="Page not found", base_url=base_url, content=content)


LOGIN_PAGE = b"""<!doctype html><html><head><title>Sign in</title></head><body>
<h1>Sign in to continue</h1><form method="post" action="/login">
<label>Email <input name="email"></label><label>Password <input type="password" name="pw"></label>
<button>Sign in</button></form></body></html>"""
"""A sign-in wall, served instead of a page by the ``login`` fault."""
