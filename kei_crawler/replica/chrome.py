"""The site chrome around every page, one shell per theme, all showing the same visible text.

The visible chrome is exactly what captured-brief.txt shows (search label, total index, mailing-list
sign-up, "Stay Informed"); the menus and footer sitemap are collapsed (``hidden`` / ``display:none``), as a
text capture of a browser shows them: invisible, but their links are in the HTML for crawlers to trip on.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote

TOTAL_INDEX = "Total Index: 6384 publications."
SEARCH = "Search All Site Content"
SIGNUP_TITLE = "Subscribe to our Mailing List!"
SIGNUP_TEXT = "Sign up for our mailing list to keep up to date on all the latest developments."
STAY_INFORMED = "Stay Informed"
REGISTER = "Register to receive updates from KEI"
RETURN = "Return to the Peninsula"
TITLE_SUFFIX = {
    "modern": " - Korea Economic Institute of America",
    "classic": " | KEI",
    "flat": " | Korea Economic Institute of America",
}

# Where the menus point: every section that is not a brief, so a crawler that follows them strays.
MENU_LINKS = (
    ("/news/", "News"),
    ("/podcasts/", "Podcasts"),
    ("/the-peninsula/", "The Peninsula"),
    ("/contributor/kyle-ferrier/", "Kyle Ferrier"),
    ("/contributor/troy-stangarone/", "Troy Stangarone"),
    ("/category/south-korea/", "South Korea"),
    ("/category/north-korea/", "North Korea"),
    ("/region/northeast-asia/", "Northeast Asia"),
    ("/location/washington-dc/", "Washington, DC"),
    ("/news/kei-announces-2016-academic-symposium/", "KEI announces 2016 Academic Symposium"),
)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def slug_for_name(name: str) -> str:
    """WordPress's sanitize_title: accents folded, spaces hyphenated; Hangul stays, percent-encoded."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    if folded.strip() and len(folded) >= len(name) - 2:
        return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return quote(name.lower().replace(" ", "-"), safe="-").lower()


def _menu(base_url: str, *, attrs: str) -> str:
    # Half the links absolute, half relative, as a real theme mixes them.
    items = "".join(
        f'<li><a href="{base_url if i % 2 else ""}{path}">{esc(text)}</a></li>'
        for i, (path, text) in enumerate(MENU_LINKS)
    )
    return f"<ul {attrs}>{items}</ul>"


def page(theme: str, *, title: str, base_url: str, content: str, head: str = "", body_class: str = "") -> str:
    """A whole HTML document in ``theme``'s shell around ``content``."""
    doc_title = esc(title + TITLE_SUFFIX[theme]) if title else "Korea Economic Institute of America"
    if theme == "modern":
        return _modern(doc_title, base_url, content, head, body_class)
    if theme == "classic":
        return _classic(doc_title, base_url, content, head, body_class)
    return _flat(doc_title, base_url, content, head, body_class)


def _modern(title: str, base: str, content: str, head: str, body_class: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}<link rel="stylesheet" href="{base}/wp-content/themes/kei-2021/style.css">
</head>
<body class="{body_class}">
<header class="site-header">
  <a class="site-logo" href="{base}/"><img src="{base}/wp-content/themes/kei-2021/img/kei-logo.svg"
     alt="Korea Economic Institute of America" width="180" height="54"></a>
  <nav class="primary-menu" aria-label="Main" hidden>{_menu(base, attrs='class="menu"')}</nav>
  <form role="search" class="site-search" action="{base}/" method="get">
    <label for="s">{SEARCH}</label> <input id="s" name="s" type="search">
  </form>
  <p class="total-index">{TOTAL_INDEX}</p>
  <section class="signup"><h2>{SIGNUP_TITLE}</h2><p>{SIGNUP_TEXT}</p></section>
</header>
<main id="main" class="site-main">
{content}
</main>
<footer class="site-footer">
  <section class="stay-informed"><h2>{STAY_INFORMED}</h2>
  <a class="button" href="{base}/subscribe/">{REGISTER}</a></section>
  <nav class="footer-sitemap" hidden>{_menu(base, attrs='class="sitemap"')}</nav>
</footer>
<script src="{base}/wp-content/themes/kei-2021/js/site.js"></script>
</body>
</html>
"""


def _classic(title: str, base: str, content: str, head: str, body_class: str) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="en-US">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<title>{title}</title>
{head}<link rel="stylesheet" href="/wp-content/themes/keia/style.css" type="text/css" media="screen" />
<script type="text/javascript">var kei_ajax = {{"url": "/wp-admin/admin-ajax.php"}};</script>
</head>
<body class="{body_class}">
<div id="wrapper">
<div id="header">
  <div id="logo"><a href="/"><svg width="180" height="54" aria-hidden="true"><rect width="180" height="54"/></svg></a></div>
  <div id="searchform"><form method="get" action="/"><div><span class="search-label">{SEARCH}</span>
    <input type="text" name="s" id="s" value="" /></div></form></div>
  <div id="total-index">{TOTAL_INDEX}</div>
  <div id="menu" style="display:none">{_menu(base, attrs='id="nav"')}</div>
</div>
<div id="signup"><h3>{SIGNUP_TITLE}</h3>
<p>{SIGNUP_TEXT}</p></div>
<div id="content">
{content}
</div>
<div id="footer">
  <h4>{STAY_INFORMED}</h4>
  <p><a href="/subscribe/">{REGISTER}</a></p>
  <div class="footer-links" style="display:none">{_menu(base, attrs='class="links"')}</div>
</div>
</div>
</body>
</html>
"""


def _flat(title: str, base: str, content: str, head: str, body_class: str) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>{head}
<style>.c1{{display:flex}}.t span{{font-size:2.4rem;font-weight:700}}</style></head>
<body class="{body_class}"><div id="root"><div class="c0 r-1"><div class="c1 x-7">
<div class="q5"><div class="s9">{SEARCH}</div><input class="s8" name="s" aria-label="Search"></div>
<div class="c1 x-2"><div>{TOTAL_INDEX}</div></div>
<div class="d4" hidden>{_menu(base, attrs='class="m0"')}</div></div>
<div class="c2"><div class="b8">{SIGNUP_TITLE}</div><div class="b9">{SIGNUP_TEXT}</div></div></div>
<div class="c3 x-1">
{content}
</div>
<div class="c9"><div class="f1">{STAY_INFORMED}</div><div class="f2"><a href="{base}/subscribe/">{REGISTER}</a></div>
<div class="f3" style="display:none">{_menu(base, attrs='class="m1"')}</div></div></div></body></html>
"""
