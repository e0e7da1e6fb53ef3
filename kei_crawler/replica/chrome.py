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
TITLE_FORMAT = {
    "modern": "{} - Korea Economic Institute of America",
    "classic": "{} | KEI",
    "flat": "{} | Korea Economic Institute of America",
    "textonly": "Korea Economic Institute - {}",
    "drupal": "{} | Korea Economic Institute of America",
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


def menu(base_url: str, *, attrs: str) -> str:
    # Half the links absolute, half relative, as a real theme mixes them.
    items = "".join(
        f'<li><a href="{base_url if i % 2 else ""}{path}">{esc(text)}</a></li>'
        for i, (path, text) in enumerate(MENU_LINKS)
    )
    return f"<ul {attrs}>{items}</ul>"


def page(theme: str, *, title: str, base_url: str, content: str, head: str = "", body_class: str = "") -> str:
    """A whole HTML document in ``theme``'s shell around ``content``."""
    doc_title = esc(TITLE_FORMAT[theme].format(title)) if title else "Korea Economic Institute of America"
    if theme == "textonly":
        return _textonly(doc_title, base_url, content, head, body_class)
    if theme == "drupal":
        return _drupal(doc_title, base_url, content, head, body_class)
    if theme == "modern":
        return _modern(doc_title, base_url, content, head, body_class)
    if theme == "classic":
        return _classic(doc_title, base_url, content, head, body_class)
    return _flat(doc_title, base_url, content, head, body_class)


def heading(theme: str, text: str) -> str:
    """A page heading (non-brief pages, listings) as ``theme`` marks one up; ``text`` is HTML."""
    if theme == "textonly":
        return f'<p><font size="4"><b>{text}</b></font></p>'
    if theme == "drupal":
        return f'<h1 class="title" id="page-title">{text}</h1>'
    return f"<h1>{text}</h1>"


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
  <nav class="primary-menu" aria-label="Main" hidden>{menu(base, attrs='class="menu"')}</nav>
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
  <nav class="footer-sitemap" hidden>{menu(base, attrs='class="sitemap"')}</nav>
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
  <div id="menu" style="display:none">{menu(base, attrs='id="nav"')}</div>
</div>
<div id="signup"><h3>{SIGNUP_TITLE}</h3>
<p>{SIGNUP_TEXT}</p></div>
<div id="content">
{content}
</div>
<div id="footer">
  <h4>{STAY_INFORMED}</h4>
  <p><a href="/subscribe/">{REGISTER}</a></p>
  <div class="footer-links" style="display:none">{menu(base, attrs='class="links"')}</div>
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
<div class="d4" hidden>{menu(base, attrs='class="m0"')}</div></div>
<div class="c2"><div class="b8">{SIGNUP_TITLE}</div><div class="b9">{SIGNUP_TEXT}</div></div></div>
<div class="c3 x-1">
{content}
</div>
<div class="c9"><div class="f1">{STAY_INFORMED}</div><div class="f2"><a href="{base}/subscribe/">{REGISTER}</a></div>
<div class="f3" style="display:none">{menu(base, attrs='class="m1"')}</div></div></div></body></html>
"""


def _textonly(title: str, base: str, content: str, head: str, body_class: str) -> str:
    # An old table-layout CMS: one column of rows, <font> for type, no class names, no HTML5 elements.
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{title}</title>
{head}</head>
<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="760" border="0" cellspacing="0" cellpadding="0" align="center">
<tr><td><a href="{base}/"><img src="{base}/images/kei_logo.gif" width="180" height="54" border="0" alt="KEI"></a></td></tr>
<tr><td><form method="get" action="{base}/"><font face="Arial" size="1">{SEARCH}</font><br>
<input type="text" name="s" size="20"></form></td></tr>
<tr><td><font face="Arial" size="1">{TOTAL_INDEX}</font></td></tr>
<tr style="display:none"><td>{menu(base, attrs='type="square"')}</td></tr>
<tr><td bgcolor="#E8EEF4"><font face="Arial" size="2"><b>{SIGNUP_TITLE}</b><br>
{SIGNUP_TEXT}</font></td></tr>
<tr><td><img src="{base}/images/spacer.gif" width="1" height="12" alt=""></td></tr>
<tr><td valign="top">
{content}
</td></tr>
<tr><td bgcolor="#003366"><font face="Arial" size="2" color="#FFFFFF"><b>{STAY_INFORMED}</b><br>
<a href="{base}/subscribe/"><font color="#FFFFFF">{REGISTER}</font></a></font></td></tr>
<tr style="display:none"><td>{menu(base, attrs='type="disc"')}</td></tr>
</table>
</body>
</html>
"""


def _drupal(title: str, base: str, content: str, head: str, body_class: str) -> str:
    # Drupal 7: region and block wrappers, RDFa namespaces, the settings blob, no HTML5 elements.
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML+RDFa 1.0//EN"
  "http://www.w3.org/MarkUp/DTD/xhtml-rdfa-1.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" version="XHTML+RDFa 1.0" dir="ltr"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/terms/"
  xmlns:foaf="http://xmlns.com/foaf/0.1/" xmlns:sioc="http://rdfs.org/sioc/ns#"
  xmlns:skos="http://www.w3.org/2004/02/skos/core#" xmlns:xsd="http://www.w3.org/2001/XMLSchema#">
<head profile="http://www.w3.org/1999/xhtml/vocab">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="Generator" content="Drupal 7 (http://drupal.org)" />
<link rel="shortcut icon" href="{base}/sites/default/files/favicon.ico" type="image/vnd.microsoft.icon" />
<title>{title}</title>
{head}<style type="text/css" media="all">@import url("{base}/sites/all/themes/keia/css/style.css?n8x2qa");</style>
<script type="text/javascript" src="{base}/misc/jquery.js?v=1.4.4"></script>
<script type="text/javascript">jQuery.extend(Drupal.settings, {{"basePath":"\\/","pathPrefix":"","ajaxPageState":{{"theme":"keia"}}}});</script>
</head>
<body class="html not-front not-logged-in one-sidebar sidebar-first {body_class}">
<div id="page-wrapper"><div id="page">
<div id="header"><div class="section clearfix">
<a href="{base}/" title="Home" rel="home" id="logo"><img src="{base}/sites/all/themes/keia/logo.png" alt="Home" /></a>
<div class="region region-header">
<div id="block-search-form" class="block block-search"><div class="content"><form action="{base}/" method="post" id="search-block-form" accept-charset="UTF-8"><div class="container-inline">
<label for="edit-search-block-form--2">{SEARCH} </label><input type="text" id="edit-search-block-form--2" name="search_block_form" size="15" maxlength="128" class="form-text" />
</div></form></div></div>
<div id="block-block-3" class="block block-block"><div class="content"><p>{TOTAL_INDEX}</p></div></div>
</div></div></div>
<div id="navigation" style="display: none;"><div class="section">{menu(base, attrs='class="menu"')}</div></div>
<div id="block-block-5" class="block block-block"><h2>{SIGNUP_TITLE}</h2><div class="content"><p>{SIGNUP_TEXT}</p></div></div>
<div id="main-wrapper"><div id="main" class="clearfix">
<div id="content" class="column"><div class="section">
<a id="main-content"></a>
{content}
</div></div>
</div></div>
<div id="footer"><div class="section"><div class="region region-footer">
<div id="block-block-7" class="block block-block"><h2>{STAY_INFORMED}</h2>
<div class="content"><p><a href="{base}/subscribe/">{REGISTER}</a></p></div></div>
<div id="block-menu-menu-footer" class="block block-menu" style="display: none;">{menu(base, attrs='class="menu"')}</div>
</div></div></div>
</div></div>
</body>
</html>
"""
