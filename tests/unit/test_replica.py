"""The replica: deterministic content, the captured brief word for word, five themes, listing (its HTTP
server, and the same bytes in another process: tests/e2e/test_replica.py)."""

from __future__ import annotations

import time
import unicodedata
from collections import Counter
from datetime import date
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from kei_crawler.replica import THEMES, Site, build_site
from kei_crawler.replica.drupal import COMMENTS_ID, RELATED_ID, SITE_SUFFIX
from kei_crawler.replica.listing import PER_PAGE
from kei_crawler.replica.model import display_date, published_at
from kei_crawler.replica.textonly import BULLET
from kei_crawler.urls import brief_slug
from tests.support import FIXTURES

CAPTURE = FIXTURES / "captured-brief.txt"
MEXICO = "/the-peninsula/renewed-south-korea-mexico-ties/"
BASE = "http://replica.test"
_BREAK = "\x00"
_INVISIBLE_TAGS = {"head", "script", "style", "noscript", "template", "svg"}
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "header", "footer", "main",
               "article", "section", "nav", "aside", "figure", "figcaption", "form", "br", "body", "table",
               "tbody", "tr", "td", "th", "center"}  # fmt: skip
# The drupal theme's blocks after the post: visible, but text of no field and in no other theme.
DRUPAL_EXTRAS = (RELATED_ID, COMMENTS_ID)


def visible_lines(html: bytes, skip_ids: tuple[str, ...] = ()) -> list[str]:
    """What a browser's text capture shows: hidden elements skipped, one line per block, spaces collapsed.

    Elements whose id is in ``skip_ids`` are left out, as if hidden.
    """
    root = lxml.html.document_fromstring(html.decode("utf-8"))
    chunks: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        style = (el.get("style") or "").replace(" ", "")
        hidden = el.get("hidden") is not None or el.get("aria-hidden") == "true" or "display:none" in style
        if not isinstance(el.tag, str) or el.tag in _INVISIBLE_TAGS or hidden or el.get("id") in skip_ids:
            chunks.append(el.tail or "")
            return
        block = el.tag in _BLOCK_TAGS
        chunks.append(_BREAK if block else "")
        chunks.append(el.text or "")
        for child in el:
            walk(child)
        chunks.append(_BREAK if block else "")
        chunks.append(el.tail or "")

    walk(root)
    # A newline in the source is just white space; only block boundaries break lines.
    lines = (" ".join(line.split()) for line in "".join(chunks).split(_BREAK))
    return [unicodedata.normalize("NFC", line) for line in lines if line]


def post_lines(theme: str, html: bytes) -> list[str]:
    """The visible lines every theme shares: drupal's extra blocks out, a textonly bullet's "• " dropped."""
    lines = visible_lines(html, DRUPAL_EXTRAS if theme == "drupal" else ())
    return [line.removeprefix(BULLET + " ") for line in lines]


def capture_lines() -> list[str]:
    return [
        " ".join(line.split()) for line in CAPTURE.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def get(site: Site, path: str) -> tuple[int, dict[str, str], bytes]:
    return site.render(path, BASE)


@pytest.fixture(scope="module")
def site60() -> Site:
    return build_site(60, theme="flat")


# --- content -----------------------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_site() -> None:
    a, b, c = build_site(40, seed=7), build_site(40, seed=7), build_site(40, seed=8)
    paths = ["/the-peninsula/", "/the-peninsula/?post%5Bpaged%5D=2&", *(x.path for x in a.briefs[:12])]
    assert [get(a, p) for p in paths] == [get(b, p) for p in paths]
    assert a.expected_records() == b.expected_records()
    assert [x.slug for x in a.briefs] != [x.slug for x in c.briefs]


def test_the_captured_brief_renders_word_for_word_in_the_flat_theme(site60: Site) -> None:
    status, _, html = get(site60, MEXICO)
    assert status == 200
    assert visible_lines(html) == capture_lines()
    # The live page's odd spacing survives in the HTML; the truth collapses it.
    assert b"with the help of&nbsp; Jae Chang" in html
    assert b"Pressley. Picture of South Korea" in html


def test_the_visible_text_comparison_is_meaningful(site60: Site) -> None:
    expected = capture_lines()
    # Another theme places the caption elsewhere: same words, different lines.
    modern = visible_lines(build_site(60, theme="modern").render(MEXICO, BASE)[2])
    assert modern != expected and sorted(" ".join(modern).split()) == sorted(" ".join(expected).split())
    # One changed word is caught.
    html = get(site60, MEXICO)[2].replace(b"136 million", b"137 million")
    assert visible_lines(html) != expected
    # Hidden menus really are in the page, and really are skipped.
    assert b'href="/news/"' in get(site60, MEXICO)[2] and "News" not in visible_lines(get(site60, MEXICO)[2])


def test_the_captured_briefs_truth(site60: Site) -> None:
    brief = site60.brief("renewed-south-korea-mexico-ties")
    assert brief is not None
    lines = capture_lines()
    assert brief.expected() == {
        "url": "https://keia.org/the-peninsula/renewed-south-korea-mexico-ties/",
        "slug": "renewed-south-korea-mexico-ties",
        "title": "Renewed South Korea-Mexico Ties",
        "published": date(2022, 7, 24),
        "authors": [],
        "categories": [],
        "series": "Korea View",
        "body": "\n\n".join(lines[7:10]),
        "credits": "Korea View was edited by Yong Kwon with the help of Jae Chang, Kaitlyn King, Yu Na Choi, "
        "and Mai Anna Pressley.",
        "photo_caption": "Picture of South Korea and Mexico signing an agreement to cooperate in trade and culture "
        "on March 17, 1969.",
        "photo_url": "https://keia.org/wp-content/uploads/2022/07/renewed-south-korea-mexico-ties.jpg",
    }
    assert (
        brief.expected("http://127.0.0.1:9")["url"]
        == "http://127.0.0.1:9/the-peninsula/renewed-south-korea-mexico-ties/"
    )


# The last three pages are signed "Author: Korea View" and the first is not; their records name no author
# all the same: ``authors`` holds people, and the series is ``series``.
@pytest.mark.parametrize(
    ("slug", "title", "published", "authors", "categories"),
    [
        ("renewed-south-korea-mexico-ties", "Renewed South Korea-Mexico Ties", date(2022, 7, 24), [], []),
        ("lawmakers-make-an-economic-argument-for-relocating-the-national-assembly",
         "Lawmakers Make an Economic Argument for Relocating the National Assembly", date(2020, 12, 22),
         [], ["South Korea"]),
        ("erosion-of-data-privacy", "Erosion of Data Privacy?", date(2021, 7, 15), [], []),
        ("the-commanding-dissent-of-churches", "The commanding dissent of churches", date(2021, 7, 2),
         [], []),
    ],
)  # fmt: skip
def test_the_four_real_briefs_are_in_the_default_site(
    slug: str, title: str, published: date, authors: list[str], categories: list[str]
) -> None:
    record = next(r for r in build_site().expected_records() if r["slug"] == slug)
    assert (record["title"], record["published"], record["authors"], record["categories"], record["series"]) == (
        title, published, authors, categories, "Korea View",
    )  # fmt: skip


def test_a_full_size_site_builds_fast_with_unique_slugs() -> None:
    started = time.perf_counter()
    site = build_site(6384)
    assert time.perf_counter() - started < 3
    slugs = [b.slug for b in site.briefs]
    assert len(set(slugs)) == 6384 and all(
        brief_slug(f"https://keia.org/the-peninsula/{s}/") == s for s in slugs
    )
    days = [b.published for b in site.briefs]
    assert days == sorted(days, reverse=True) and days[-1].year < 2010
    # A small site is the newest slice of a big one.
    assert [b.slug for b in build_site(60).briefs] == slugs[:60]


def test_the_generated_content_has_the_variety_an_extractor_must_handle() -> None:
    records = build_site(400).expected_records()
    forms = Counter(b.form for b in build_site(400).briefs)
    assert len(forms) == 6
    assert any(r["title"].endswith("?") for r in records) and any("’" in r["title"] for r in records)
    assert any(r["published"].year <= 2020 and r["title"] != r["title"].capitalize() for r in records)
    assert {len(r["authors"]) for r in records} >= {0, 1, 2}
    assert any(any(ord(ch) > 127 for ch in name) for r in records for name in r["authors"])
    assert {len(r["categories"]) for r in records} == {0, 1, 2}
    assert any(r["photo_url"] is None and r["photo_caption"] is None for r in records)
    assert any("\n- " in r["body"] or r["body"].startswith("- ") for r in records)
    assert any(r["body"].startswith("What Happened\n\n- ") for r in records)
    for r in records:
        assert r["series"] in ("Korea View", None)
        assert (r["credits"] is not None) <= (r["series"] == "Korea View")
        assert "Korea View" not in r["body"] and "  " not in r["body"]


# --- themes ------------------------------------------------------------------------------------------------


def _words(lines: list[str]) -> Counter[str]:
    return Counter(" ".join(lines).split())


def test_each_theme_has_its_own_markup_and_the_same_visible_text() -> None:
    sites = {theme: build_site(60, theme=theme) for theme in THEMES}
    assert len(THEMES) == 5
    for brief in sites["flat"].briefs:
        pages = {theme: get(site, brief.path)[2] for theme, site in sites.items()}
        assert len(set(pages.values())) == len(THEMES)
        texts = {theme: _words(post_lines(theme, html)) for theme, html in pages.items()}
        for theme in THEMES:
            assert texts[theme] == texts["flat"], (theme, brief.slug)
    modern, classic, flat, textonly, drupal = (get(sites[t], MEXICO)[2].decode() for t in THEMES)
    assert '<time datetime="2022-07-24T09:00:00-04:00">Published July 24, 2022</time>' in modern
    assert "application/ld+json" in modern and "<figcaption>" in modern and "<h1" in modern
    assert "Renewed South Korea-Mexico Ties - Korea Economic Institute of America</title>" in modern
    assert 'class="post-title"' in classic and "wp-caption-text" in classic and "| KEI</title>" in classic
    for tag in ("<article", "<figure", "<time", "<h1", "application/ld+json"):
        assert tag not in flat
    assert "<title>Korea Economic Institute - Renewed South Korea-Mexico Ties</title>" in textonly
    assert '<font face="Georgia" size="4"><b>Renewed South Korea-Mexico Ties</b></font>' in textonly
    assert '<h1 class="page-title" id="page-title">Renewed South Korea-Mexico Ties</h1>' in drupal
    assert '<div class="field-item even" property="content:encoded">' in drupal


@pytest.mark.parametrize("theme", ["textonly", "drupal"])
def test_the_captured_brief_in_the_new_themes(theme: str) -> None:
    html = get(build_site(60, theme=theme), MEXICO)[2]
    expected = capture_lines()
    if theme == "drupal":
        # The caption is the image field's, on its own line after the body's credit line.
        at = next(i for i, line in enumerate(expected) if line.startswith("Korea View was"))
        credit, caption = expected[at].split(" Picture of ")
        expected[at : at + 1] = [credit, "Picture of " + caption]
    assert post_lines(theme, html) == expected
    assert b"with the help of&nbsp; Jae Chang" in html


@pytest.mark.parametrize("theme", THEMES)
def test_every_field_of_the_truth_is_on_the_page(theme: str) -> None:
    site = build_site(120, theme=theme)
    for brief in site.briefs:
        lines = post_lines(theme, get(site, brief.path)[2])
        text = "\n".join(lines)
        truth = brief.expected()
        assert truth["title"] in lines
        assert (
            f"Published {truth['published']:%B} {truth['published'].day}, {truth['published'].year}" in lines
        )
        for block in truth["body"].split("\n\n"):
            for line in block.split("\n"):
                assert line.removeprefix("- ") in lines, (brief.slug, line)
        for optional in ("credits", "photo_caption"):
            assert truth[optional] is None or truth[optional] in text
        if truth["authors"]:
            assert any(line.startswith(("Author: ", "Authors: ")) for line in lines)
        assert ("Category: " + ", ".join(truth["categories"]) in lines) == bool(truth["categories"])


_TEXTONLY_FORBIDDEN = ("<time", "<article", "<main", "<figure", "<figcaption", "<h1", "<h2", "<header",
                       "<footer", "<nav", "<section", "application/ld+json", 'property="og:',
                       'property="article:', "itemprop=", " class=", " property=")  # fmt: skip


def test_the_textonly_theme_has_nothing_but_text_layout() -> None:
    site = build_site(60, theme="textonly")
    paths = [b.path for b in site.briefs] + ["/the-peninsula/", "/the-peninsula/?post%5Bpaged%5D=3&"]
    for path in paths:
        html = get(site, path)[2].decode()
        found = [marker for marker in _TEXTONLY_FORBIDDEN if marker in html]
        assert found == [], (path, found)
    bullets = [b for b in site.briefs if any(block.kind == "ul" for block in b.blocks)]
    assert bullets and {b.body_seed % 2 for b in site.briefs} == {0, 1}  # both paragraph styles
    for brief in bullets:
        lines = visible_lines(get(site, brief.path)[2])
        items = [item for block in brief.blocks if block.kind == "ul" for item in block.items]
        assert all(f"{BULLET} {item}" in lines for item in items), brief.slug
    staff = next(b for b in site.briefs if b.photo_caption and not b.credits)
    lines = visible_lines(get(site, staff.path)[2])
    # The caption is the line right after the image, at the top of the body.
    assert lines[lines.index("Published " + display_date(staff.published)) + 1 + bool(staff.authors)
                 + bool(staff.categories)] == staff.photo_caption  # fmt: skip


def test_the_drupal_theme_puts_related_posts_and_a_comment_after_the_post() -> None:
    site = build_site(60, theme="drupal")
    for i, brief in enumerate(site.briefs):
        html = get(site, brief.path)[2]
        text = html.decode()
        lines = visible_lines(html)
        body_end = max(lines.index(line) for line in post_lines("drupal", html) if line in brief.body)
        comments = lines.index("Comments")
        assert body_end < comments and "(not verified)" in lines[comments + 1], brief.slug
        older = site.briefs[i + 1 : i + 4]
        if older:
            related = lines.index("Related posts")
            assert body_end < related
            assert lines[related + 1 : related + 1 + len(older)] == [
                f"{b.title} {display_date(b.published)}" for b in older
            ]
        else:
            assert "Related posts" not in lines
        rdfa = f'<span property="dc:date dc:created" content="{published_at(brief).isoformat()}"'
        assert f'{rdfa} datatype="xsd:dateTime">Published {display_date(brief.published)}</span>' in text
        assert "application/ld+json" not in text and "<time" not in text and "<article" not in text
        og_title = lxml.html.document_fromstring(html).xpath('//meta[@property="og:title"]/@content')
        assert og_title == [brief.title + SITE_SUFFIX]
    # Related posts look only at older briefs, so publishing leaves a page's bytes (and ETag) alone.
    before = get(site, site.briefs[3].path)[1]["ETag"]
    site.publish(2)
    assert get(site, site.briefs[5].path)[1]["ETag"] == before


def test_messy_markup_normalizes_to_the_truth() -> None:
    site = build_site(120, theme="classic")
    messy = [b for b in site.briefs if b.messy]
    assert messy
    html = b"".join(get(site, b.path)[2] for b in messy)
    assert b"&#8217;" in html and b"&nbsp;" in html and b"&amp;" in html


# --- listing -----------------------------------------------------------------------------------------------


def _crawl_listing(site: Site) -> tuple[list[str], list[str]]:
    """Slugs of the entries on every page, following "Next", and the pages visited."""
    url, slugs, visited = f"{BASE}/the-peninsula/", [], []
    while url:
        status, _, html = site.render(url.removeprefix(BASE), BASE)
        assert status == 200, url
        visited.append(url)
        root = lxml.html.document_fromstring(html)
        hrefs = [a.get("href") for a in root.iter("a") if a.text_content().strip() == "Read More"]
        slugs += [brief_slug(urljoin(url, h)) or "" for h in hrefs]
        nxt = [a.get("href") for a in root.iter("a") if a.text_content().strip().lower().startswith("next")]
        url = urljoin(url, nxt[0]) if nxt else ""
    return slugs, visited


@pytest.mark.parametrize("pagination", ["query", "path"])
@pytest.mark.parametrize("theme", THEMES)
def test_the_listing_covers_every_brief_exactly_once(theme: str, pagination: str) -> None:
    site = build_site(95, theme=theme, pagination=pagination)
    slugs, visited = _crawl_listing(site)
    assert slugs == [b.slug for b in site.briefs]
    assert len(visited) == 10
    expected_last = (
        f"{BASE}/the-peninsula/page/10/"
        if pagination == "path"
        else f"{BASE}/the-peninsula/?post%5Bpaged%5D=10&"
    )
    assert visited[-1] == expected_last
    past = "/the-peninsula/page/11/" if pagination == "path" else "/the-peninsula/?post%5Bpaged%5D=11&"
    assert get(site, past)[0] == 404
    assert b"95 Posts located" in get(site, "/the-peninsula/")[2]


def test_the_listing_shows_links_as_found_in_the_wild(site60: Site) -> None:
    html = get(site60, "/the-peninsula/")[2].decode()
    assert (
        "utm_medium=email&amp;_hsmi=124978800&amp;_hsenc=p2ANqtz-" in html and "utm_source=hs_email" in html
    )
    root = lxml.html.document_fromstring(html)
    hrefs = [a.get("href") or "" for a in root.iter("a")]
    entries = [h for h in hrefs if brief_slug(urljoin(BASE + "/", h))]
    assert any(h.startswith(BASE) for h in entries) and any(h.startswith("/") for h in entries)
    assert any(not urlsplit(h).path.endswith("/") for h in entries)
    assert "https://www.example.org/" in hrefs and BASE + "/category/south-korea/page/39/" in hrefs
    assert "/the-peninsula/?post%5Bpaged%5D=6&" in hrefs and "/the-peninsula/?podcasts%5Bpaged%5D=2&" in hrefs
    podcasts2 = get(site60, "/the-peninsula/?podcasts%5Bpaged%5D=2&")[2]
    assert podcasts2 != html.encode() and _crawl_listing(site60)[0][:PER_PAGE] == [
        b.slug for b in site60.briefs[:10]
    ]
    assert get(site60, "/the-peninsula/page/2/")[0] == 404  # query-style site: no path pages
    assert get(build_site(30, pagination="path"), "/the-peninsula/page/1/")[0] == 301


def test_non_brief_sections_answer_200_and_say_what_they_are(site60: Site) -> None:
    news = visible_lines(get(site60, "/news/kei-announces-2016-academic-symposium/")[2])
    assert "KEI Spotlight" in news and not any(line.startswith("Published") for line in news)
    assert "KEI Podcasts" in visible_lines(get(site60, "/podcasts/korea-and-the-world-economy/")[2])
    for path in ("/contributor/kyle-ferrier/", "/category/south-korea/page/39/", "/region/northeast-asia/"):
        assert get(site60, path)[0] == 200
    assert get(site60, "/no/such/page/")[0] == 404


# --- mutations ---------------------------------------------------------------------------------------------


def test_publish_edit_remove() -> None:
    site = build_site(30)
    oldest_on_page_1 = site.briefs[9].slug
    new = site.publish(3)
    assert [b.slug for b in site.briefs[:3]] == [b.slug for b in new]
    assert new[0].published > new[1].published > new[2].published > site.briefs[3].published
    assert oldest_on_page_1 not in get(site, "/the-peninsula/")[2].decode()  # shifted to page 2
    assert len(site.expected_records()) == 33

    target = site.briefs[5]
    before_body, before = target.body, get(site, target.path)[1]
    site.edit(target.slug)
    after = get(site, target.path)[1]
    assert target.body != before_body and target.expected()["body"] == target.body
    assert after["ETag"] != before["ETag"] and after["Last-Modified"] != before["Last-Modified"]

    site.remove(target.slug)
    assert get(site, target.path)[0] == 404
    assert target.slug not in get(site, "/the-peninsula/?post%5Bpaged%5D=1&")[2].decode()
    assert target.slug not in {r["slug"] for r in site.expected_records()}
    with pytest.raises(KeyError):
        site.edit(target.slug)
