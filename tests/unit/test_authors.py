"""`authors` holds people only: a "Korea View" byline names the series, which is `series`.

Tables over the rule (``text.names.people``), the page objects on every replica theme and on hand-written
markup variants, the same rule applied to snapshots written before it (``carry.conform``), and the
template-change baseline of such a snapshot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kei_crawler.items import Brief
from kei_crawler.pages import BriefPage
from kei_crawler.replica import THEMES, build_site
from kei_crawler.run.quality import ProfileCounts, baseline_profile
from kei_crawler.storage.snapshot.carry import conform, people_only
from kei_crawler.storage.snapshot.diff import diff
from kei_crawler.storage.snapshot.schema import SCHEMA_VERSION, encode_metadata, to_table
from kei_crawler.text.names import people, split_names
from kei_crawler.text.series import SERIES, is_series_name
from tests.support.snapshots import brief

ORIGIN = "https://keia.org"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Author: Korea View", []),
        ("By Korea View", []),
        ("Authors: Korea View and 김지윤", ["김지윤"]),
        ("Authors: 김지윤, Korea View", ["김지윤"]),
        ("Author: KOREA  VIEW", []),
        ("Author: korea view", []),
        ("Authors: Sang Kim and Yong Kwon", ["Sang Kim", "Yong Kwon"]),
        ("Author: Korea Viewpoint", ["Korea Viewpoint"]),  # another name, not the series
        ("Author: The Korea View Team", ["The Korea View Team"]),
        ("", []),
    ],
)
def test_people_of_a_byline(line: str, expected: list[str]) -> None:
    assert people(split_names(line)) == expected


@pytest.mark.parametrize(
    ("name", "series"),
    [("Korea View", True), ("korea view", True), (" Korea\u00a0View ", True), ("Korea Views", False),
     ("Korea", False), ("", False)],
)  # fmt: skip
def test_is_series_name(name: str, series: bool) -> None:
    assert is_series_name(name) is series


# What a Korea View page may be signed with, and the authors its row holds.
BYLINES = [
    (["Korea View"], []),
    ([], []),
    (["Korea View", "Sang Kim"], ["Sang Kim"]),
    (["Sang Kim"], ["Sang Kim"]),
    (["김지윤", "Yong Kwon"], ["김지윤", "Yong Kwon"]),
]


def _korea_view_briefs(theme: str) -> Any:
    """A replica site in ``theme`` and one Korea View brief of each body form with a credit line, which
    says "Korea View" on the page whatever the byline."""
    site = build_site(60, theme=theme)
    forms: dict[str, Any] = {}
    for b in site.briefs:
        if b.korea_view and b.credits:
            forms.setdefault(b.form, b)
    return site, list(forms.values())


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("byline", "expected"), BYLINES, ids=[" & ".join(b) or "none" for b, _ in BYLINES])
def test_every_theme_reads_people_only(theme: str, byline: list[str], expected: list[str]) -> None:
    site, briefs = _korea_view_briefs(theme)
    assert len(briefs) >= 3, "a form of Korea View brief is missing from the site"
    for b in briefs:
        b.authors = list(byline)
        _status, _headers, html = site.render(b.path, ORIGIN)
        page = BriefPage(ORIGIN + b.path, html)
        fields = page.fields()
        assert (fields["authors"], fields["series"]) == (expected, SERIES), (b.slug, b.form)
        assert ("authors" in page.provenance()) == bool(expected)


@pytest.mark.parametrize("theme", THEMES)
def test_a_byline_alone_still_makes_a_brief_korea_view(theme: str) -> None:
    """A page with neither blurb nor credit line is known as Korea View by its byline only."""
    site = build_site(60, theme=theme)
    signed = [b for b in site.briefs if b.form in ("what_happened", "prose") and b.credits is None]
    assert signed
    for b in signed:
        _status, _headers, html = site.render(b.path, ORIGIN)
        fields = BriefPage(ORIGIN + b.path, html).fields()
        assert (fields["authors"], fields["series"]) == ([], SERIES), b.slug


_BODY = (
    "<p>Seoul will replace 1,000 diesel buses with hydrogen models by 2026, the city said on Monday.</p>"
    "<p>The city expects hydrogen refuelling stations to follow demand from its public fleets.</p>"
)
_CREDIT = "<p>Korea View was edited by Yong Kwon.</p>"


def _page(head: str = "", byline: str = "", credit: str = _CREDIT) -> str:
    return (
        f"<html><head><title>Hydrogen buses</title>{head}</head><body><main><article>"
        f"<h1>Hydrogen buses</h1><p>Published March 18, 2022</p>{byline}{_BODY}{credit}"
        "</article></main></body></html>"
    )


def _json_ld(*authors: tuple[str, str]) -> str:
    people_ld = ",".join(f'{{"@type":"{kind}","name":"{name}"}}' for kind, name in authors)
    return (
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"BlogPosting",'
        f'"headline":"Hydrogen buses","author":[{people_ld}]}}</script>'
    )


# Markup beyond the replica's themes: each as a page shows it, and the authors its row holds.
VARIANTS = [
    ("label line", _page(byline="<p>Author: Korea View</p>"), []),
    ("linked name", _page(byline='<p>Author: <a href="/contributor/korea-view/">Korea View</a></p>'), []),
    ("old blog by-line", _page(byline="<p>By Korea View and Sang Kim</p>"), ["Sang Kim"]),
    ("inline meta line", _page(byline="<p>Published March 18, 2022 | Author: Korea View | Category: Energy</p>"),
     []),
    ("label then value", _page(byline="<dl><dt>Authors</dt><dd>Korea View, 김지윤</dd></dl>"), ["김지윤"]),
    ("json-ld organization only", _page(head=_json_ld(("Organization", "Korea View"))), []),
    ("json-ld series and a person", _page(head=_json_ld(("Organization", "Korea View"), ("Person", "Sang Kim"))),
     ["Sang Kim"]),
    ("meta author", _page(head='<meta name="author" content="Korea View">'), []),
    # The page's series byline wins over a person only the metadata claims.
    ("visible series, json-ld person", _page(head=_json_ld(("Person", "KEI Staff")),
                                             byline="<p>Author: Korea View</p>"), []),
    ("no byline, json-ld person", _page(head=_json_ld(("Person", "Sang Kim"))), ["Sang Kim"]),
    ("byline only, no credit", _page(byline="<p>Author: Korea View</p>", credit=""), []),
]  # fmt: skip


@pytest.mark.parametrize(("html", "expected"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_markup_variants(html: str, expected: list[str]) -> None:
    fields = BriefPage(f"{ORIGIN}/the-peninsula/hydrogen-buses/", html).fields()
    assert (fields["authors"], fields["series"]) == (expected, SERIES)


def _old_rule(b: Brief) -> Brief:
    """The row a crawl before schema version 5 wrote for a page signed "Author: Korea View"."""
    b.authors = [SERIES, *b.authors]
    return b


def test_people_only_keeps_every_other_name_and_row() -> None:
    column = pa.array([["Sang Kim"], [SERIES], [], ["KOREA VIEW", "Kim"], ["x", SERIES, "y"]],
                      pa.list_(pa.string()))  # fmt: skip
    want = [["Sang Kim"], [], [], ["Kim"], ["x", "y"]]
    assert people_only(column).to_pylist() == want
    assert people_only(column.slice(1, 3)).to_pylist() == want[1:4]
    assert people_only(pa.chunked_array([column.slice(0, 2), column.slice(2)])).to_pylist() == want
    untouched = pa.array([["Sang Kim"], []], pa.list_(pa.string()))
    assert people_only(untouched) is untouched


def test_rows_of_an_old_snapshot_are_read_under_the_rule() -> None:
    old = to_table([_old_rule(brief("kv", series=SERIES, authors=[])), brief("staff")])
    assert conform(old)["authors"].to_pylist() == [[], ["Kim Min-ji"]]


def test_diff_against_an_old_snapshot_reports_no_korea_view_brief_changed() -> None:
    """``content_hash`` leaves authors out, and the old side is read under the rule: no spurious change,
    neither a changed brief nor ``authors`` among a really changed brief's fields."""
    kv = brief("kv", series=SERIES, authors=[])
    edited = brief("kv2", series=SERIES, authors=[])
    old = to_table([_old_rule(brief("kv", series=SERIES, authors=[])),
                    _old_rule(brief("kv2", series=SERIES, authors=[]))])  # fmt: skip
    edited.body += "\n\nOne more paragraph."
    new = to_table([kv, brief("kv2", series=SERIES, authors=[], body=edited.body)])
    changes = diff(old, new)
    assert changes.counts == {"added": 0, "removed": 0, "changed": 1, "moved": 0}
    assert changes.changed["changed_fields"].to_pylist() == [["body"]]


def _write(path: Path, briefs: list[Brief], version: int, profile: ProfileCounts) -> Path:
    table = to_table(briefs)
    meta = {"schema_version": version, "quality_profile": profile.to_metadata()}
    pq.write_table(table.replace_schema_metadata(encode_metadata(meta)), path)
    return path


def test_the_quality_baseline_of_an_old_snapshot_counts_people_only(tmp_path: Path) -> None:
    """Its stored counts had the series as an author: recounted, else the first crawl under the rule
    would alert on a fall of the authors' fill rate that no page made."""
    rows = [_old_rule(brief(f"kv{n}", series=SERIES, authors=[])) for n in range(6)] + [brief("staff")]
    stored = ProfileCounts()
    stored.add(to_table(rows))
    assert stored.profile().fill_rates["authors"] == 1.0
    old = _write(tmp_path / "old.parquet", rows, 4, stored)
    assert baseline_profile(old).fill_rates["authors"] == round(1 / 7, 4)
    # Counts stored under the rule are used as they are: no re-read of every body per crawl.
    current = _write(tmp_path / "current.parquet", rows, SCHEMA_VERSION, stored)
    assert baseline_profile(current).fill_rates["authors"] == 1.0
