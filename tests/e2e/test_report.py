"""The demo's report, opened in headless Chromium: the counts, every chart drawn with its bars and points,
the briefs' filter, a brief's diff, no console error, and a layout that holds at 375 and 1440 px.

The expected figures are computed here from the demo's snapshots and manifests, not from the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import Page

from kei_crawler.items import EXTRACTED
from kei_crawler.report.site import build
from kei_crawler.storage.snapshot import store
from tests.support.browser import PageWatch, assert_accessible, overflows_horizontally, screenshot
from tests.support.wayback import Wayback, build_collection, page_text, words

BRIEFS = 25


@dataclass(frozen=True)
class Demo:
    out: Path
    site: Path
    rows: list[dict[str, Any]]
    runs: list[dict[str, Any]]

    def url(self, page: str) -> str:
        return (self.site / page).as_uri()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    out = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [sys.executable, "-m", "kei_crawler", "demo", "--output-dir", str(out), "--briefs", str(BRIEFS)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "120"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    site = Path(done.stdout.strip().splitlines()[-1]).parent
    newest = store.latest(out)
    assert newest is not None
    rows = pq.read_table(newest.path).to_pylist()
    runs = [json.loads(p.read_text()) for p in sorted((out / "runs").glob("*.json"))]
    return Demo(out, site, rows, runs)


def test_the_overview_shows_the_archive_and_its_charts(demo: Demo, page: Page) -> None:
    page.goto(demo.url("index.html"))
    live = sum(1 for row in demo.rows if row["removed_at"] is None)
    assert (live, len(demo.rows) - live) == (BRIEFS + 3 - 1, 1)  # the demo published 3 and removed 1
    assert page.inner_text("#count-briefs") == str(len(demo.rows))
    assert page.inner_text("#count-live") == str(live)
    assert page.inner_text("#count-removed") == "1"
    assert page.inner_text("#count-runs") == str(len(demo.runs)) == "3"
    assert page.inner_text("#count-snapshots") == "3"
    newest = max((r for r in demo.rows if r["removed_at"] is None), key=lambda r: (r["published"], r["url"]))
    assert newest["title"] in page.inner_text("#newest-brief")
    assert page.inner_text("#last-exit-code").startswith(f"{demo.runs[-1]['exit_code']} — ")

    months = _months([row["published"] for row in demo.rows])
    _assert_bars(page, "months", series=2, labels=len(months))  # live and removed, every month between
    runs = len(demo.runs)
    _assert_bars(page, "crawl-briefs", series=3, labels=runs)
    _assert_bars(page, "crawl-requests", series=1, labels=runs)
    _assert_bars(page, "crawl-failures", series=2, labels=runs, drawn=False)  # the demo loses nothing
    _assert_points(page, "crawl-duration", series=1, points=runs)
    for key in ("months", "crawl-briefs", "crawl-requests", "crawl-failures", "crawl-duration"):
        svg = page.locator(f"#{key}-figure svg")
        title = svg.locator(f"#{key}-title").text_content()
        assert title and svg.get_attribute("role") == "img", key
        assert svg.locator(f"#{key}-desc").text_content(), key
        # the text alternative: the data table has a row per label
        assert page.locator(f"#{key}-figure details tbody tr").count() == (
            len(months) if key == "months" else runs
        )
    # the requests chart's tallest bar is the full crawl's
    requests = [run["counts"]["requests"] for run in demo.runs]
    heights = [_height(page, f"#crawl-requests-bar-0-{i}") for i in range(runs)]
    assert heights.index(max(heights)) == requests.index(max(requests))


def test_extraction_health_charts_fill_rates_and_provenance(demo: Demo, page: Page) -> None:
    page.goto(demo.url("health.html"))
    read = [run for run in demo.runs if run["counts"]["briefs_written"]]
    for index, _ in enumerate(EXTRACTED):
        _assert_points(page, "fill-rates", series=1, points=len(read), index=index)
    assert page.locator("#fill-rates-figure details tbody tr").count() == len(read)
    assert page.inner_text("#alerts") == "No crawl raised a quality alert."
    assert page.locator("[id^='provenance-bar-']").count() > 0
    for key in ("provenance", "fill-rates"):  # every legend entry inside the picture, none cut at its edge
        legend = page.evaluate(
            "key => { const svg = document.querySelector(`#${key}-figure svg`);"
            " const box = svg.querySelector(`#${key}-legend`).getBBox();"
            " return [box.x, box.x + box.width, svg.viewBox.baseVal.width]; }",
            key,
        )
        assert legend[0] >= 0 and legend[1] <= legend[2], (key, legend)
    table = page.locator("#provenance-table")
    assert "title-tag" in table.inner_text() or "json-ld" in table.inner_text()
    assert table.locator("tbody tr").count() == len(read)


def test_the_filter_narrows_the_briefs_table(demo: Demo, page: Page) -> None:
    page.goto(demo.url("briefs.html"))
    visible = page.locator("#briefs tbody tr:not([hidden])")
    assert visible.count() == len(demo.rows)
    word = _a_word_in_some_titles(demo.rows)
    expected = sorted(row["title"] for row in demo.rows if word in _fold(row["title"]))
    page.fill("#brief-filter", word.upper())
    assert sorted(visible.locator("td:first-child").all_inner_texts()) == expected
    assert page.inner_text("#brief-count") == f"{len(expected)} of {len(demo.rows)} briefs"
    page.fill("#brief-filter", "")
    page.select_option("#brief-status", "removed")
    removed = [row["title"] for row in demo.rows if row["removed_at"] is not None]
    assert visible.locator("td:first-child").all_inner_texts() == removed
    for width in (375, 1440):
        page.select_option("#brief-status", "")
        screenshot(page, "report-briefs", width)


def test_a_briefs_page_shows_its_change_and_captures(demo: Demo, page: Page) -> None:
    changed = _changed_brief(demo)
    page.goto(demo.url("briefs.html"))
    page.click(f"#briefs a[href='briefs/{changed['brief_id']}.html']")
    assert page.inner_text("h1") == changed["title"]
    event = page.locator("#history .event-changed")
    assert event.count() == 1 and "body" in event.inner_text()
    added = event.locator("pre.diff .add").all_inner_texts()
    assert added and all(line.startswith("+") for line in added)
    first_added = added[1] if added[0].startswith("+++") else added[0]
    assert first_added[1:] in changed["body"].replace("\n\n", " ")
    assert page.locator("#captures tbody tr").count() == 2  # the first crawl's capture and the edit's
    href = page.locator("#captures a").first.get_attribute("href") or ""
    warc = (demo.site / "briefs" / href).resolve()  # the link is relative: it works from file:// and a server
    assert warc.parent == (demo.out / "warc").resolve() and warc.name.endswith(".warc.gz") and warc.is_file()
    for width in (375, 1440):
        screenshot(page, "report-brief", width)
        assert not overflows_horizontally(page), width


def test_each_captures_replay_link_opens_that_capture_in_pywb(demo: Demo, page: Page, tmp_path: Path) -> None:
    """With --replay-url, each capture of the edited brief links to itself in a real pywb over the demo's
    WARCs: the first to the text before the edit, the second to the text after."""
    changed = _changed_brief(demo)
    with Wayback(
        build_collection(tmp_path / "pywb", sorted((demo.out / "warc").glob("*.warc.gz")))
    ) as wayback:
        build(demo.out, tmp_path / "site", replay_url=f"{wayback.base}/kei/")
        page.goto((tmp_path / "site" / "briefs" / f"{changed['brief_id']}.html").as_uri())
        links = page.locator("#captures a", has_text="replay")
        assert links.count() == 2
        diff = page.locator("#history pre.diff")
        before = _sentence(diff.locator(".del").all_inner_texts())
        after = _sentence(diff.locator(".add").all_inner_texts())
        for href, shown, gone in zip(links.evaluate_all("links => links.map(a => a.href)"),
                                     (before, after), (after, before), strict=True):  # fmt: skip
            frame = wayback.get(href)  # what the link opens: pywb's frame around the capture
            assert frame.status == 200, (href, frame.status, frame.text[:300])
            when, _, url = href.removeprefix(f"{wayback.base}/kei/").partition("/")
            replayed = page_text(wayback.get(f"{wayback.base}/kei/{when}mp_/{url}"))
            assert words(shown) in replayed and words(gone) not in replayed, href


def _sentence(lines: list[str]) -> str:
    """The first whole sentence of a diff's added or removed lines, without its sign."""
    return next(line[1:] for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---")))


def test_a_removed_briefs_page_says_so(demo: Demo, page: Page) -> None:
    removed = next(row for row in demo.rows if row["removed_at"] is not None)
    page.goto(demo.url(f"briefs/{removed['brief_id']}.html"))
    assert page.inner_text("#brief-status") == "removed"
    assert "Removed" in page.inner_text("#history .event-removed")


@pytest.mark.parametrize("name", ["index.html", "health.html", "briefs.html", "runs.html"])
def test_every_page_reads_at_375_and_1440_px(demo: Demo, page_watch: PageWatch, name: str) -> None:
    page = page_watch.page
    page.goto(demo.url(name))
    assert page.locator("main h1").count() == 1 and page.locator("nav a[aria-current='page']").count() == 1
    for width in (375, 1440):
        screenshot(page, f"report-{name.removesuffix('.html')}", width)
        assert not overflows_horizontally(page), f"{name} at {width} px"
        assert_accessible(page)  # axe-core: WCAG A/AA (contrast, names, labels, landmarks, ARIA)
    page.keyboard.press("Tab")  # the first stop is the skip link, then the navigation
    assert page.evaluate("document.activeElement.className") == "skip"


def test_the_runs_page_has_a_row_per_manifest(demo: Demo, page: Page) -> None:
    page.goto(demo.url("runs.html"))
    rows = page.locator("#runs tbody tr")
    assert rows.count() == len(demo.runs)
    assert rows.first.locator("th").inner_text() == demo.runs[-1]["crawl_id"]  # newest first
    assert page.inner_text("main").count("No run had errors, drops or alerts.") == 1


def _assert_bars(page: Page, key: str, *, series: int, labels: int, drawn: bool = True) -> None:
    bars = page.locator(f"#{key}-figure svg [id^='{key}-bar-']")
    assert bars.count() == series * labels, key
    heights = [_height(page, f"#{key}-bar-{s}-{i}") for s in range(series) for i in range(labels)]
    assert (max(heights) > 0) == drawn, key


def _assert_points(page: Page, key: str, *, series: int, points: int, index: int = 0) -> None:
    assert page.locator(f"#{key}-figure svg [id^='{key}-line-']").count() >= series, key
    assert page.locator(f"#{key}-line-{index} use").count() == points, (key, index)


def _height(page: Page, selector: str) -> float:
    return float(page.evaluate(f"document.querySelector({selector!r}).getBBox().height"))


def _months(dates: list[Any]) -> list[str]:
    first, last = min(dates), max(dates)
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _a_word_in_some_titles(rows: list[dict[str, Any]]) -> str:
    """A word of five letters or more in more than one title but not in all, and in no other column the
    table shows (the filter searches the whole row)."""
    others = " ".join(_fold(" ".join([*row["authors"], row["series"] or ""])) for row in rows)
    counts: dict[str, int] = {}
    for row in rows:
        for word in set(_fold(row["title"]).replace(",", " ").split()):
            if len(word) >= 5 and word.isalpha():
                counts[word] = counts.get(word, 0) + 1
    return max((n, w) for w, n in counts.items() if 1 < n < len(rows) and w not in others)[1]


def _changed_brief(demo: Demo) -> dict[str, Any]:
    last = demo.runs[-1]
    assert last["counts"]["briefs_changed"] == 1
    first = store.list_snapshots(demo.out)[0]
    before = {row["brief_id"]: row["content_hash"] for row in pq.read_table(first.path).to_pylist()}
    changed = [r for r in demo.rows if r["brief_id"] in before and before[r["brief_id"]] != r["content_hash"]]
    assert len(changed) == 1
    return changed[0]
