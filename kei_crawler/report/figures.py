"""The report's charts, from the archive and its runs: what each one plots, its title, axes and data table.

Every chart is drawn at build time as an SVG (``report.charts``) and comes with its data as a table, the
text alternative a screen reader or a copy-and-paste needs; both are made from the one :class:`Figure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kei_crawler.items import EXTRACTED
from kei_crawler.pages.strategies import STRATEGIES
from kei_crawler.report.charts import Chart, Series, render_svg
from kei_crawler.report.facts import Archive, is_live
from kei_crawler.report.runs import RunRecord

Kind = Literal["bars", "stacked", "lines"]
CHARTED_RUNS = 120
"""The runs a crawl-history chart shows, the latest: a year of hourly crawls would make the overview tens of
megabytes, and a bar a pixel wide says nothing. About four months of daily crawls."""


@dataclass(frozen=True)
class Figure:
    chart: Chart
    caption: str
    """What to read in it, under the title."""

    @property
    def svg(self) -> str:
        return render_svg(self.chart)

    @property
    def header(self) -> list[str]:
        return [self.chart.x_label, *(series.name for series in self.chart.series)]

    @property
    def rows(self) -> list[list[str]]:
        shown = _percent if self.chart.percent else _number
        return [
            [label, *(shown(series.values[i]) for series in self.chart.series)]
            for i, label in enumerate(self.chart.labels)
        ]


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _figure(key: str, title: str, caption: str, kind: Kind, x: tuple[str, Sequence[str]], y: str,
            series: Mapping[str, Sequence[float | None]], percent: bool = False) -> Figure:  # fmt: skip
    x_label, labels = x
    chart = Chart(key, title, x_label, y, list(labels),
                  [Series(name, list(values)) for name, values in series.items()], kind, percent)  # fmt: skip
    return Figure(chart, caption)


def briefs_per_month(archive: Archive) -> Figure:
    """Every brief the archive holds, by the month the site dated it; removed ones stacked on the live."""
    live: dict[str, int] = {}
    removed: dict[str, int] = {}
    for brief in archive.briefs:
        published: date | None = brief["published"]
        if published is not None:
            month = f"{published:%Y-%m}"
            bucket = live if is_live(brief) else removed
            bucket[month] = bucket.get(month, 0) + 1
    months = _months(min([*live, *removed], default=""), max([*live, *removed], default=""))
    return _figure(
        "months", "Briefs per month", "By the publication date each brief shows; removed briefs in their month.",
        "stacked", ("Month", months), "Briefs",
        {"Live": [live.get(m, 0) for m in months], "Removed": [removed.get(m, 0) for m in months]},
    )  # fmt: skip


def _months(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM), so that a month without briefs shows as a gap."""
    if not first:
        return []
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def crawl_history(runs: list[RunRecord]) -> list[Figure]:
    """Per run, oldest first: what it found, what it asked, what failed and how long it took — the latest
    :data:`CHARTED_RUNS` runs (the runs page lists every one)."""
    total, runs = len(runs), runs[-CHARTED_RUNS:]
    ids = ("Crawl", [run.crawl_id for run in runs])
    latest = (
        f" The latest {len(runs)} of {total} crawls; the runs page lists all." if total > len(runs) else ""
    )
    return [
        _figure(
            "crawl-briefs", "Briefs found per crawl", "New, changed and removed briefs each crawl found." + latest,
            "stacked", ids, "Briefs",
            {"New": [run.count("briefs_new") for run in runs],
             "Changed": [run.count("briefs_changed") for run in runs],
             "Removed": [run.count("briefs_removed") for run in runs]},
        ),
        _figure(
            "crawl-requests", "Requests per crawl", "Every request a crawl sent: pages, photos, robots.txt, sitemaps." + latest,
            "bars", ids, "Requests", {"Requests": [run.count("requests") for run in runs]},
        ),
        _figure(
            "crawl-failures", "Errors and drops per crawl",
            "What a crawl could not get, as its exit code 7 counts it: requests for briefs or listing pages that "
            "failed for good, and pages dropped (a duplicate kept under another URL is not one; see Runs for why)."
            + latest,
            "stacked", ids, "Briefs", {"Errors": [run.errors for run in runs], "Drops": [run.drops for run in runs]},
        ),
        _figure(
            "crawl-duration", "Crawl duration", "From a crawl's start to its end, in seconds." + latest,
            "lines", ids, "Seconds", {"Duration": [run.duration for run in runs]},
        ),
    ]  # fmt: skip


def fill_rates(runs: list[RunRecord]) -> Figure:
    """Each extracted field's share of a run's fetched briefs that have it: a redesign shows as a cliff."""
    read = [run for run in runs if run.fill_rates]
    total, read = len(read), read[-CHARTED_RUNS:]
    latest = f" The latest {len(read)} of {total} such crawls." if total > len(read) else ""
    return _figure(
        "fill-rates", "Field fill rates per crawl",
        "The share of the briefs each crawl fetched that have each field; crawls that fetched none are left out. "
        "A field falling off a cliff means the site's markup changed." + latest,
        "lines", ("Crawl", [run.crawl_id for run in read]), "Briefs with the field",
        {name: [run.fill_rates.get(name) for run in read] for name in EXTRACTED}, percent=True,
    )  # fmt: skip


def provenance_mix(archive: Archive) -> Figure:
    """Which strategy read each field of the live briefs, each as its page was last downloaded."""
    mix, briefs = archive.provenance, archive.live
    fields = [name for name in STRATEGIES if name in mix]
    strategies = [s for s in dict.fromkeys(s for name in fields for s in STRATEGIES[name])
                  if any(s in mix[name] for name in fields)]  # fmt: skip
    shares = {
        strategy: [mix[name].get(strategy, 0) / briefs or None for name in fields] for strategy in strategies
    }
    return _figure(
        "provenance", "Which strategy read each field",
        f"Over the {briefs:,} live briefs, each as its page was last downloaded; a field's bar is short by the "
        "share of briefs without it. The table below gives the mix per crawl.",
        "stacked", ("Field", fields), "Briefs", shares, percent=True,
    )  # fmt: skip
