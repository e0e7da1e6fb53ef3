"""The report's charts: SVG drawn by matplotlib at build time and inlined in the page, no script, no CDN.

:func:`render_svg` turns a :class:`Chart` into one ``<svg>`` element: ``role="img"`` named by its
``<title>`` and ``<desc>`` (a one-sentence summary of the data), scaling with its container down to a
phone's width, text kept as text, the same bytes for the same chart.

Ids (the browser test counts by them; every id in the SVG starts with ``{key}-``, so charts inlined in
one page never share one):

- ``{key}-title``, ``{key}-desc``: the ``<title>`` and ``<desc>`` that ``aria-labelledby`` names;
- ``{key}-bar-{s}-{i}``: the bar of series ``s`` at label ``i`` (both from 0), kinds ``bars`` and
  ``stacked``: one for every value that is not None, zeros included, none for None;
- ``{key}-line-{s}``: series ``s`` of kind ``lines``; its ``<use>`` children are its markers, one for
  every value that is not None;
- ``{key}-legend``: the legend, drawn only when there are two series or more;
- ``{key}-…`` anything else matplotlib needs an id for (marker definitions, clip paths).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import matplotlib
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator, PercentFormatter

from kei_crawler.report.chart_svg import inline_svg

# Okabe & Ito's colour-blind-safe palette, yellow last: it is the faintest on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
# A marker shape per line series, so lines differ by more than colour. Seven shapes against eight
# colours: no two of the first 56 series share both.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
MAX_TICK_LABELS = 12
FIGURE_INCHES = (6.4, 3.6)
LABEL_CHARS = 16
LEGEND_CHARS = 72  # about what one line of legend holds across FIGURE_INCHES at the charts' font size
_KEY = re.compile(r"[a-z0-9-]+")
_CRAWL_ID = re.compile(r"(\d{4})-(\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})Z")


@dataclass(frozen=True)
class Series:
    """One series of a chart: its legend label and one value per label (None: no value there)."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    """A chart of categories along x: bars side by side, stacked bars, or lines with a marker per point.

    ``key`` prefixes every id in the SVG and must be unique in a page. With ``percent`` the values are
    shares from 0 to 1 and the y axis reads 0–100 %.
    """

    key: str
    title: str
    x_label: str
    y_label: str
    labels: Sequence[str]
    series: Sequence[Series]
    kind: Literal["bars", "stacked", "lines"]
    percent: bool = False

    def __post_init__(self) -> None:
        if not _KEY.fullmatch(self.key):
            raise ValueError(f"chart key {self.key!r} must be made of [a-z0-9-]")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(
                    f"chart {self.key}: series {series.name!r} has {len(series.values)} values for {len(self.labels)} labels"
                )


def render_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element ready to inline in an HTML5 page.

    The figure is matplotlib's object-oriented ``Figure`` (no pyplot state), but ``rc_context`` sets the
    process-wide rcParams for the call's length: render charts one at a time, not from parallel threads.
    """
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            # Matplotlib salts the ids of clip paths and marker definitions with a random value unless told.
            "svg.hashsalt": chart.key,
            # Titles and labels are data: a "$" in them is a dollar sign, not the start of a formula.
            "text.parse_math": False,
            "font.size": 11,
            # Text stays text in the SVG: the reader's own sans-serif draws it, so name no more than that.
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        figure = Figure(figsize=FIGURE_INCHES, layout="constrained")
        axes = figure.add_subplot()
        axes.set_title(chart.title, loc="left")
        if _has_data(chart):
            bars = _draw(figure, axes, chart)
            # The layout rests on the labels, ticks and legend, not on the bars: laid out and frozen
            # before they are added, the bars (the bulk of a long chart) are drawn once, not on both
            # of savefig's passes.
            figure.draw_without_rendering()
            figure.set_layout_engine("none")
            for bar in bars:
                axes.add_artist(bar)
        else:
            axes.set_axis_off()
            axes.text(0.5, 0.5, "no data", ha="center", va="center", transform=axes.transAxes)
        document = io.BytesIO()
        figure.savefig(document, format="svg", metadata={"Date": None})
    return inline_svg(document.getvalue(), chart.key, chart.title, describe(chart))


def describe(chart: Chart) -> str:
    """One sentence saying what the chart shows, for readers who cannot see it (the page has the table)."""
    if not _has_data(chart):
        return "No data."
    kind = {"bars": "Bars", "stacked": "Stacked bars", "lines": "Lines"}[chart.kind]
    labels = chart.labels
    span = f"{labels[0]}" if len(labels) == 1 else f"{len(labels)} from {labels[0]} to {labels[-1]}"
    opening = f"{kind} by {chart.x_label.lower()}: {span}"
    if chart.kind == "lines":
        lasts = [
            f"{series.name} {_number(last, chart.percent)}"
            for series in chart.series
            if (last := next((v for v in reversed(series.values) if v is not None), None)) is not None
        ]
        return f"{opening}; last {', '.join(lasts)}."
    if chart.kind == "stacked":
        totals = [sum(s.values[i] or 0.0 for s in chart.series) for i in range(len(labels))]
        top = max(range(len(labels)), key=lambda i: totals[i])
        if not totals[top]:
            return f"{opening}; all zero."
        return f"{opening}; highest total {_number(totals[top], chart.percent)} in {labels[top]}."
    peaks = []
    for series in chart.series:
        present = [i for i, value in enumerate(series.values) if value is not None]
        if present:
            top = max(present, key=lambda i: series.values[i] or 0.0)
            named = f" {series.name}" if len(chart.series) > 1 else ""
            peaks.append(f"{_number(series.values[top] or 0.0, chart.percent)}{named} in {labels[top]}")
    return f"{opening}; highest {', '.join(peaks)}."


def tick_indices(count: int) -> list[int]:
    """The labels to show along x: every one when few, else evenly spaced, at most MAX_TICK_LABELS."""
    step = max(1, math.ceil(count / MAX_TICK_LABELS))
    return list(range(0, count, step))


def short_labels(labels: Sequence[str]) -> list[str]:
    """Labels as the x axis shows them: crawl ids as date and minute (no year if all share one; the second when
    two share a minute), the rest cut."""
    crawls = [_CRAWL_ID.fullmatch(label) for label in labels]
    one_year = all(crawls) and len({match[1] for match in crawls if match}) == 1
    minutes = [f"{m[1]}{m[2]}{m[3]}{m[4]}" for m in crawls if m]
    to_second = len(set(minutes)) < len(minutes)  # crawls a minute apart (a test, the demo) stay apart
    shown = []
    for label, match in zip(labels, crawls, strict=True):
        if match:
            day = match[2] if one_year else f"{match[1]}-{match[2]}"
            shown.append(f"{day} {match[3]}:{match[4]}" + (f":{match[5]}" if to_second else ""))
        elif len(label) > LABEL_CHARS:
            shown.append(label[: LABEL_CHARS - 1] + "…")
        else:
            shown.append(label)
    return shown


def _has_data(chart: Chart) -> bool:
    return any(value is not None for series in chart.series for value in series.values)


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f} %"
    if value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _draw(figure: Figure, axes: Axes, chart: Chart) -> list[Rectangle]:
    """Everything but the bars, which are returned for the caller to add."""
    bars: list[Rectangle] = []
    handles = _lines(axes, chart) if chart.kind == "lines" else _bars(axes, chart, bars)
    axes.set_xlabel(chart.x_label)
    axes.set_ylabel(chart.y_label)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    _x_axis(axes, chart.labels)
    if chart.percent:
        axes.set_ylim(0, 1)
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    else:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max(1.0, axes.get_ylim()[1]))
    if len(chart.series) > 1:
        legend = figure.legend(
            handles,
            [series.name for series in chart.series],
            loc="outside lower center",
            ncols=_legend_columns([series.name for series in chart.series]),
            frameon=False,
        )
        legend.set_gid(f"{chart.key}-legend")
    return bars


def _legend_columns(names: list[str]) -> int:
    """As many legend columns as fit the figure's width with the longest name (a cut legend hides series)."""
    return max(1, min(4, len(names), LEGEND_CHARS // (max(map(len, names)) + 5)))


def _bars(axes: Axes, chart: Chart, bars: list[Rectangle]) -> list[Artist]:
    """Each bar a Rectangle of its own (its gid is the test hook), appended to ``bars``, not ``Axes.bar``.

    ``Axes.bar`` updates the data limits bar by bar, which took half of a 200-month chart's time; the
    limits are set once here instead: x by :func:`_x_axis`, y from 0 to the highest bar.
    """
    stacked = chart.kind == "stacked"
    count = len(chart.series)
    width = 0.8 if stacked else 0.8 / count
    bottoms = [0.0] * len(chart.labels)
    handles: list[Artist] = []
    for s, series in enumerate(chart.series):
        offset = 0.0 if stacked else (s - (count - 1) / 2) * width
        for i, value in enumerate(series.values):
            if value is None:
                continue
            bottom = bottoms[i] if stacked else 0.0
            bar = Rectangle((i + offset - width / 2, bottom), width, value, facecolor=_colour(s), linewidth=0)
            bar.set_gid(f"{chart.key}-bar-{s}-{i}")
            bars.append(bar)
            if stacked:
                bottoms[i] += value
        handles.append(Patch(color=_colour(s)))
    highest = (
        max(bottoms) if stacked else max(v for series in chart.series for v in series.values if v is not None)
    )
    if highest > 0:  # all zeros: the axis keeps its 0 to 1
        # The 5 % headroom matplotlib's autoscaling would leave above the highest bar.
        axes.set_ylim(0, highest * 1.05)
    return handles


def _lines(axes: Axes, chart: Chart) -> list[Artist]:
    handles: list[Artist] = []
    for s, series in enumerate(chart.series):
        values = [math.nan if value is None else float(value) for value in series.values]
        (line,) = axes.plot(
            range(len(values)),
            values,
            color=_colour(s),
            marker=MARKERS[s % len(MARKERS)],
            markersize=4,
            linewidth=1.5,
            # Unclipped, a marker at the top of the axis (a 100 % fill rate) is drawn whole.
            clip_on=False,
        )
        line.set_gid(f"{chart.key}-line-{s}")
        handles.append(line)
    return handles


def _x_axis(axes: Axes, labels: Sequence[str]) -> None:
    shown = tick_indices(len(labels))
    texts = short_labels(labels)
    axes.set_xticks(shown, [texts[i] for i in shown])
    axes.set_xlim(-0.5, len(labels) - 0.5)
    if max(len(texts[i]) for i in shown) * len(shown) > 60:
        for text in axes.get_xticklabels():
            text.set(rotation=40, horizontalalignment="right", rotation_mode="anchor")
