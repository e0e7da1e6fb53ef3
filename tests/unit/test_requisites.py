"""Which images a brief page needs (``pages.requisites``): those inside the brief's own content, its photo
first, found by structure on every replica theme and on hand-written markup; the page's stylesheets; the
replica's images; and the links from rows to their photos' captures (``run.photo_links``)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kei_crawler.items import Brief
from kei_crawler.pages.brief import BriefPage
from kei_crawler.replica import build_site
from kei_crawler.replica.images import image, jpeg_bytes, png_bytes
from kei_crawler.replica.themes import THEMES
from kei_crawler.run.archive import ArchiveState
from kei_crawler.run.photo_links import RequisiteLinks
from kei_crawler.run.resume import ResumeState
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, to_table

BASE = "http://127.0.0.1:8000"
URL = f"{BASE}/the-peninsula/a-brief/"


@pytest.mark.parametrize("theme", THEMES)
def test_every_replica_theme_needs_exactly_its_photo(theme: str) -> None:
    site = build_site(12, theme=theme)
    for brief in site.briefs:
        page = BriefPage(BASE + brief.path, site.render(brief.path, BASE)[2])
        expected = (BASE + brief.photo_path,) if brief.photo_path else ()
        assert page.requisites().images == expected, (theme, brief.slug)  # no logo, spacer or icon
        assert page.fields()["photo_url"] == (expected[0] if expected else None)


def test_the_replica_serves_each_photo_its_pages_show() -> None:
    site = build_site(12, theme="classic")
    served = []
    for brief in site.briefs:
        if brief.photo_path:
            status, headers, body = site.render(brief.photo_path, BASE)
            assert (status, headers["Content-Type"]) == (200, "image/jpeg")
            assert body.startswith(b"\xff\xd8") and body.endswith(b"\xff\xd9")
            assert 300 <= len(body) <= 3000
            served.append(body)
    assert len(set(served)) == len(served) > 0  # one payload each: no photo is a revisit of another
    assert site.render("/wp-content/uploads/2022/01/no-such-brief.jpg", BASE)[0] == 404


def test_replica_images_are_real_and_deterministic() -> None:
    assert jpeg_bytes("/a.jpg") == jpeg_bytes("/a.jpg") != jpeg_bytes("/b.jpg")
    png = png_bytes("/chart.png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")
    assert image("/x.PNG") == ("image/png", png_bytes("/x.PNG"))
    assert image("/x.gif") is None


def page(body: str, head: str = "") -> BriefPage:
    html = f"""<html><head><title>A brief</title>{head}</head><body>
<header><a href="/"><img src="/wp-content/themes/kei/logo.png" width="200" height="80" alt="KEI"></a></header>
<main><article>
<h1>Renewed South Korea-Mexico Ties</h1>
<p>Published July 24, 2022</p>
<p>Author: Korea View</p>
{body}
</article></main>
<p><a href="/the-peninsula/">Return to the Peninsula</a></p>
<div><h2>Related</h2><a href="/the-peninsula/older-brief/"><img src="/wp-content/uploads/2022/07/related.jpg"
width="300" height="200" alt=""></a><p><a href="/the-peninsula/older-brief/">An older brief</a></p></div>
</body></html>"""
    return BriefPage(URL, html)


PROSE = (
    "<p>South Korea and Mexico agreed to resume talks on a free trade agreement, the trade ministry said on "
    "Monday, after a pause of more than a decade in negotiations between the two economies.</p>"
)


def test_a_figure_and_an_image_in_the_text_photo_first() -> None:
    found = page(
        f"""<figure><img src="/wp-content/uploads/2022/07/photo.jpg" alt="">
<figcaption>Picture of South Korea and Mexico signing an agreement.</figcaption></figure>
{PROSE}<p><img src="{BASE}/wp-content/uploads/2022/07/chart.png" width="640" height="480" alt=""></p>{PROSE}"""
    )
    assert found.requisites().images == (
        f"{BASE}/wp-content/uploads/2022/07/photo.jpg",
        f"{BASE}/wp-content/uploads/2022/07/chart.png",
    )
    assert found.fields()["photo_url"] == f"{BASE}/wp-content/uploads/2022/07/photo.jpg"


def test_chrome_icons_and_related_posts_are_not_requisites() -> None:
    found = page(
        f"""<p><img src="/avatars/yong-kwon.jpg" width="32" height="32" alt=""> Korea View</p>
<p><img src="/wp-content/themes/kei/icons/share.svg" alt=""><img src="data:image/gif;base64,R0lGOD" alt=""></p>
{PROSE}{PROSE}"""
    )
    assert found.requisites().images == ()  # the logo, the avatar, the icons, the related post's photo


def test_a_lazy_image_an_image_twice_and_one_on_another_host() -> None:
    found = page(
        f"""<div><img src="data:image/gif;base64,R0lGOD" data-src="/wp-content/uploads/lazy.jpg" alt="">
<p>Picture of the National Assembly in Seoul.</p></div>
{PROSE}<p><img src="/wp-content/uploads/lazy.jpg" alt=""></p>
<p><img src="https://cdn.example.net/uploads/elsewhere.jpg" alt=""></p>{PROSE}"""
    )
    # Selection is by structure; whether a URL may be fetched (same host) is the spider's decision.
    assert found.requisites().images == (
        f"{BASE}/wp-content/uploads/lazy.jpg",
        "https://cdn.example.net/uploads/elsewhere.jpg",
    )


def test_stylesheets_are_the_pages_link_rel_stylesheet() -> None:
    head = """<link rel="stylesheet" href="/wp-content/themes/kei/style.css?ver=3">
<link rel="alternate stylesheet" href="https://keia.org/print.css"><link rel="preload" href="/font.woff2">
<link rel="stylesheet" href="javascript:alert(1)"><link rel="stylesheet" href="/wp-content/themes/kei/style.css?ver=3">"""
    assert page(PROSE + PROSE, head).requisites().stylesheets == (
        f"{BASE}/wp-content/themes/kei/style.css?ver=3",
        "https://keia.org/print.css",
    )


def test_a_page_that_is_no_html_needs_nothing() -> None:
    assert BriefPage(URL, b"").requisites().images == ()
    assert BriefPage(URL, b"\x00\x01binary").read().requisites.images == ()


def test_rows_get_their_photos_record_this_runs_first() -> None:
    links = RequisiteLinks(archived={"https://keia.org/p/a.jpg": "<urn:uuid:old-a>"})
    links.record("https://keia.org/p/b.jpg", "<urn:uuid:b>")
    links.record("https://keia.org/p/b.jpg", "<urn:uuid:b-later>")  # the first capture stays
    briefs = [
        Brief(url="https://keia.org/the-peninsula/a/", photo_url="https://keia.org/p/a.jpg"),
        Brief(url="https://keia.org/the-peninsula/b/", photo_url="https://keia.org/p/b.jpg"),
        Brief(url="https://keia.org/the-peninsula/c/", photo_url="https://keia.org/p/c.jpg"),
        Brief(url="https://keia.org/the-peninsula/d/"),
    ]
    filled = links.fill(_table(briefs))
    assert filled.schema == BRIEF_SCHEMA
    assert filled["photo_warc_record_id"].to_pylist() == ["<urn:uuid:old-a>", "<urn:uuid:b>", None, None]
    assert links.is_archived("https://keia.org/p/a.jpg") and not links.is_archived("https://keia.org/p/c.jpg")


def test_the_archive_knows_its_photo_links_and_older_snapshots_have_none(tmp_path: Path) -> None:
    brief = Brief(url="https://keia.org/the-peninsula/a/", photo_url="https://keia.org/p/a.jpg")
    brief.photo_warc_record_id = "<urn:uuid:a>"
    unlinked = Brief(url="https://keia.org/the-peninsula/b/", photo_url="https://keia.org/p/b.jpg")
    table = _table([brief, unlinked])
    _publish(tmp_path / "new", table)
    assert ArchiveState.load(tmp_path / "new").photo_links == {"https://keia.org/p/a.jpg": "<urn:uuid:a>"}
    _publish(tmp_path / "old", table.drop_columns(["photo_warc_record_id"]))  # schema version 3
    old = ArchiveState.load(tmp_path / "old")
    assert old.photo_links == {} and len(old.known) == 2


def test_resume_keeps_the_captures_of_the_interrupted_part(tmp_path: Path) -> None:
    state = ResumeState(crawl_id="2026-12-01T000000Z", started_at="2026-12-01T00:00:00+00:00")
    state.requisites = {"https://keia.org/p/a.jpg": "<urn:uuid:a>"}
    state.save(tmp_path / "resume.json")
    loaded = ResumeState.load(tmp_path / "resume.json")
    assert loaded is not None and loaded.requisites == state.requisites


def _table(briefs: list[Brief]) -> pa.Table:
    from datetime import UTC, date, datetime

    for brief in briefs:
        brief.brief_id, brief.title, brief.published, brief.body = "0" * 16, "T", date(2022, 7, 24), "B"
        brief.content_hash = "h"
        brief.fetched_at = brief.first_seen = brief.last_seen = datetime(2022, 7, 25, tzinfo=UTC)
    return to_table(briefs)


def _publish(output: Path, table: pa.Table) -> None:
    folder = output / "snapshots" / "snapshot=2026-12-01T000000Z"
    folder.mkdir(parents=True)
    pq.write_table(table, folder / "briefs.parquet")
