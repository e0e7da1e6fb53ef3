"""report/charts.py: each chart is one inline-ready ``<svg>`` whose bars and markers the browser test can
count by id, named by its title and summary, unique in its ids across a page, the same bytes each time."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from lxml import etree

from kei_crawler.report.charts import Chart, Series, render_svg, short_labels, tick_indices

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# A warning from matplotlib while drawing a chart is a bug in the chart.
pytestmark = pytest.mark.filterwarnings("error")
MONTHS = ["2021-01", "2021-02", "2021-03", "2021-04"]
# None (no bar, no point) and 0 (a bar of no height, a point on the axis) in every kind.
FIRST = [3.0, None, 0.0, 41.0]
SECOND = [None, 2.0, 5.0, 0.0]


def _chart(
    kind: str, key: str = "c", series: tuple[Sequence[float | None], ...] = (FIRST, SECOND), **changes
) -> Chart:
    fields = {
        "key": key,
        "title": "Briefs per month",
        "x_label": "Month",
        "y_label": "Briefs",
        "labels": MONTHS,
        "series": [Series(f"series {n}", values) for n, values in enumerate(series)],
        "kind": kind,
    }
    return Chart(**(fields | changes))


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def _ids(root: etree._Element) -> list[str]:
    return [element.get("id") for element in root.iter() if element.get("id") is not None]


def _texts(root: etree._Element) -> list[str]:
    return [text.text for text in root.iter(f"{SVG}text") if text.text]


@pytest.mark.parametrize("kind", ["bars", "stacked"])
@pytest.mark.parametrize("series", [(FIRST,), (FIRST, SECOND)])
def test_one_bar_element_per_value_that_is_not_none(kind, series):
    root = _parse(render_svg(_chart(kind, series=series)))
    bars = {id_ for id_ in _ids(root) if "-bar-" in id_}
    expected = {
        f"c-bar-{s}-{i}"
        for s, values in enumerate(series)
        for i, value in enumerate(values)
        if value is not None
    }
    assert bars == expected
    assert not [id_ for id_ in _ids(root) if "-line-" in id_]


@pytest.mark.parametrize("series", [(FIRST,), (FIRST, SECOND), (FIRST, [None] * 4)])
def test_each_line_holds_one_marker_per_value_that_is_not_none(series):
    root = _parse(render_svg(_chart("lines", series=series)))
    for s, values in enumerate(series):
        (line,) = root.iterfind(f".//*[@id='c-line-{s}']")
        markers = line.findall(f"{SVG}use")
        assert len(markers) == sum(value is not None for value in values)
    assert not [id_ for id_ in _ids(root) if "-bar-" in id_]


@pytest.mark.parametrize(
    ("kind", "series", "desc"),
    [
        ("bars", (FIRST,), "Bars by month: 4 from 2021-01 to 2021-04; highest 41 in 2021-04."),
        (
            "bars",
            (FIRST, SECOND),
            "Bars by month: 4 from 2021-01 to 2021-04; highest 41 series 0 in 2021-04, 5 series 1 in 2021-03.",
        ),
        (
            "stacked",
            (FIRST, SECOND),
            "Stacked bars by month: 4 from 2021-01 to 2021-04; highest total 41 in 2021-04.",
        ),
        (
            "stacked",
            ([0, 0, 0, 0], [0, None, 0, 0]),
            "Stacked bars by month: 4 from 2021-01 to 2021-04; all zero.",
        ),
        (
            "lines",
            (FIRST, [None, 2.5, None, None]),
            "Lines by month: 4 from 2021-01 to 2021-04; last series 0 41, series 1 2.5.",
        ),
    ],
)
def test_title_and_desc_name_the_image(kind, series, desc):
    root = _parse(render_svg(_chart(kind, series=series)))
    title, description = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", "c-title", "Briefs per month")
    assert (description.tag, description.get("id"), description.text) == (f"{SVG}desc", "c-desc", desc)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert "Briefs per month" in _texts(root)  # the title is drawn too, not only named


def test_percent_shares_read_from_0_to_100_percent():
    chart = _chart("lines", series=([0.95, None, 1.0, 0.5],), percent=True)
    root = _parse(render_svg(chart))
    assert {"0%", "100%"} <= set(_texts(root))
    assert root[1].text.endswith("last series 0 50 %.")


@pytest.mark.parametrize("kind", ["bars", "stacked", "lines"])
@pytest.mark.parametrize("values", [[1.0, 2.0, None, 3.0], [0.0, 0.0, None, 0.0]])
def test_counts_get_whole_number_ticks_from_zero(kind, values):
    chart = _chart(kind, series=(values,), labels=["a", "b", "c", "d"])
    numbers = [text for text in _texts(_parse(render_svg(chart))) if re.fullmatch(r"[\d.,−-]+", text)]
    assert numbers[0] == "0"
    assert numbers and all(re.fullmatch(r"\d+", number) for number in numbers)


def test_two_charts_in_one_page_share_no_id_and_every_reference_stays_in_its_chart():
    first, second = (_parse(render_svg(_chart(kind, key=kind))) for kind in ("bars", "lines"))
    for root, key in ((first, "bars"), (second, "lines")):
        ids = _ids(root)
        assert len(ids) == len(set(ids))
        assert all(id_.startswith(f"{key}-") for id_ in ids)
        references = {element.get(XLINK_HREF)[1:] for element in root.iter() if element.get(XLINK_HREF)}
        references |= {
            match
            for element in root.iter()
            for match in re.findall(r"url\(#([^)]+)\)", element.get("clip-path", ""))
        }
        assert references and references <= set(ids)
    assert not set(_ids(first)) & set(_ids(second))
    # Same data under two keys: matplotlib's hashed ids differ too, not only by the prefix.
    same = [_ids(_parse(render_svg(_chart("lines", key=key)))) for key in ("one", "two")]
    assert not set(same[0]) & set(same[1])


def test_the_same_chart_renders_the_same_bytes():
    assert render_svg(_chart("lines")) == render_svg(_chart("lines"))


@pytest.mark.parametrize("kind", ["bars", "stacked", "lines"])
def test_inline_ready_and_scales_with_its_container(kind):
    svg = render_svg(_chart(kind))
    assert svg.startswith("<svg ")
    for standalone in ("<?xml", "<!DOCTYPE", "<!--", "<metadata", "<style", "Date"):
        assert standalone not in svg
    root = _parse(svg)
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert "height:auto" in root.get("style") and "max-width" in root.get("style")
    assert len(root.get("viewBox").split()) == 4
    assert "pt" not in root.get("width")


def test_legend_only_for_two_series_or_more():
    assert "c-legend" not in _ids(_parse(render_svg(_chart("bars", series=(FIRST,)))))
    assert "c-legend" in _ids(_parse(render_svg(_chart("bars"))))


@pytest.mark.parametrize(("labels", "series"), [([], ()), ([], ([],)), (MONTHS, ([None] * 4,))])
def test_a_chart_without_data_says_so(labels, series):
    root = _parse(render_svg(_chart("bars", labels=labels, series=series)))
    assert "no data" in _texts(root)
    assert root[0].text == "Briefs per month"
    assert root[1].text == "No data."
    assert not [id_ for id_ in _ids(root) if "-bar-" in id_ or "-line-" in id_]


def test_two_hundred_months_show_a_dozen_labels_at_most_and_stay_small():
    months = [f"{2006 + n // 12}-{n % 12 + 1:02d}" for n in range(200)]
    chart = _chart("bars", labels=months, series=([float(n % 41) for n in range(200)],))
    svg = render_svg(chart)
    shown = [text for text in _texts(_parse(svg)) if re.fullmatch(r"\d{4}-\d{2}", text)]
    assert 2 <= len(shown) <= 12
    assert shown[0] == "2006-01"
    assert len(svg.encode()) < 150_000


def test_ten_lines_of_a_hundred_points_stay_small_and_each_looks_its_own():
    crawls = [f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}T192724Z" for n in range(100)]
    series = tuple([0.5 + 0.04 * s] * 100 for s in range(10))
    svg = render_svg(_chart("lines", labels=crawls, series=series, percent=True))
    assert len(svg.encode()) < 200_000
    root = _parse(svg)
    looks = set()
    for s in range(10):
        (line,) = root.iterfind(f".//*[@id='c-line-{s}']")
        marker = line.find(f"{SVG}use")
        looks.add((marker.get("style"), root.find(f".//*[@id='{marker.get(XLINK_HREF)[1:]}']").get("d")))
    assert len(looks) == 10  # colour and marker shape: no two lines alike


def test_a_hostile_title_is_text_everywhere():
    hostile = "<script>alert(1)</script>&\"' $x$"
    chart = _chart("bars", title=hostile, series=([1.0, None, 2.0, 3.0],), labels=[*MONTHS[:3], hostile])
    svg = render_svg(chart)
    assert "<script" not in svg
    root = _parse(svg)
    assert root[0].text == hostile
    assert hostile in root[1].text  # the desc names the highest bar's label
    assert hostile in _texts(root)  # drawn as typed: no markup, no mathtext
    assert not list(root.iter("script", f"{SVG}script"))


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, []), (1, [0]), (12, list(range(12))), (13, list(range(0, 13, 2))), (193, list(range(0, 193, 17)))],
)
def test_tick_indices(count, shown):
    assert tick_indices(count) == shown
    assert len(shown) <= 12


@pytest.mark.parametrize(
    ("labels", "shown"),
    [
        (["2026-12-04T192724Z", "2026-12-05T080001Z"], ["12-04 19:27", "12-05 08:00"]),
        (["2025-12-31T235959Z", "2026-01-01T000000Z"], ["2025-12-31 23:59", "2026-01-01 00:00"]),
        (["2021-03", "The Peninsula, a long series name"], ["2021-03", "The Peninsula, …"]),
        # crawls within a minute of each other (a test, the demo) keep their seconds
        (["2026-12-04T192724Z", "2026-12-04T192731Z"], ["12-04 19:27:24", "12-04 19:27:31"]),
    ],
)
def test_short_labels(labels, shown):
    assert short_labels(labels) == shown


@pytest.mark.parametrize("changes", [{"key": "Has Space"}, {"key": ""}, {"series": ([1.0],)}])
def test_a_malformed_chart_is_refused(changes):
    with pytest.raises(ValueError):
        _chart("bars", **changes)
