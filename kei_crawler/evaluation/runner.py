"""Run our extractor (and the baseline) over a gold set, timed in interleaved passes, and score both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from time import perf_counter
from typing import Any

from kei_crawler.evaluation.baseline import BASELINE_FIELDS, BASELINE_NAME, Extractor, load_baseline
from kei_crawler.evaluation.gold import GoldPage
from kei_crawler.evaluation.scoring import (
    EXACT_FIELDS,
    SCORED_FIELDS,
    FieldStats,
    Miss,
    PageScore,
    aggregate,
    expected_values,
    published_iso,
    score_page,
    updated_iso,
)
from kei_crawler.pages import BriefPage

PageExtractor = Callable[[GoldPage], dict[str, Any]]


def extract_ours(page: GoldPage) -> dict[str, Any]:
    """Our page object's fields under the scored names; the date as the normalize step would parse it."""
    fields = BriefPage(page.url, page.html, encoding=page.encoding).fields()
    values = {name: fields[name] for name in EXACT_FIELDS if name in fields}
    values["published"] = published_iso(fields.get("published_raw"))
    if "updated_raw" in fields:
        values["updated"] = updated_iso(fields["updated_raw"])
    values["body"] = fields.get("body") or ""
    return values


@dataclass(frozen=True)
class SystemResult:
    """One extractor's verdicts: per page, per field, and its throughput."""

    name: str
    pages: list[tuple[str, PageScore]]
    stats: dict[str, FieldStats | None]
    pages_per_second: float

    @property
    def misses(self) -> list[tuple[str, Miss]]:
        return [(name, miss) for name, score in self.pages for miss in score.misses]


@dataclass(frozen=True)
class Evaluation:
    folder: Path
    page_count: int
    repeat: int
    ours: SystemResult
    baseline: SystemResult | None
    note: str | None  # why the baseline column is missing, when it is


def evaluate(folder: Path, pages: list[GoldPage], *, baseline: bool = True, repeat: int = 3) -> Evaluation:
    """Score ours (and the baseline unless switched off or not installed) on ``pages``.

    Each round runs every system over every page, one system after the other, so a noisy moment on the
    machine hits both alike; pages per second is the page count over the median round.
    """
    systems: dict[str, PageExtractor] = {"ours": extract_ours}
    note = None
    if baseline:
        extract, note = load_baseline()
        if extract is not None:
            systems[BASELINE_NAME] = _on_gold_page(extract)
    # The first pass is scored but not timed: it pays for lazy imports and first-call caches, which a
    # crawl pays once, not per page. Then ``repeat`` timed rounds, every system once per round.
    outputs = {
        name: [_guarded(extract_page, page) for page in pages] for name, extract_page in systems.items()
    }
    durations: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(max(1, repeat)):
        for name, extract_page in systems.items():
            start = perf_counter()
            for page in pages:
                _guarded(extract_page, page)
            durations[name].append(perf_counter() - start)
    offers = {"ours": SCORED_FIELDS, BASELINE_NAME: BASELINE_FIELDS}
    scored = {
        name: _score(name, offers[name], pages, outputs[name], median(durations[name])) for name in systems
    }
    return Evaluation(folder, len(pages), max(1, repeat), scored["ours"], scored.get(BASELINE_NAME), note)


def _on_gold_page(extract: Extractor) -> PageExtractor:
    # The baseline reads the bytes as a crawler would get them; a fixture's charset hint is ours to use.
    return lambda page: extract(page.url, page.html)


def _guarded(extract: PageExtractor, page: GoldPage) -> dict[str, Any]:
    # A report must cover every page: an extractor that raises on one scores nothing there, visibly.
    try:
        return extract(page)
    except Exception as exc:
        return {"_error": f"{type(exc).__name__}: {exc}"}


def _score(
    name: str, offers: tuple[str, ...], pages: list[GoldPage], outputs: list[dict[str, Any]], seconds: float
) -> SystemResult:
    verdicts: list[tuple[str, PageScore]] = []
    for page, got in zip(pages, outputs, strict=True):
        expected = expected_values(page.expected)
        if "_error" in got:
            # Every field the system offers counts as missed, so a crash lowers its scores visibly.
            empty: dict[str, Any] = {field: None for field in offers}
            score = score_page(expected, {**empty, "body": ""})
            score = PageScore(score.exact, score.body_f1, score.boilerplate,
                              (Miss("(page)", None, None, f"extraction raised {got['_error']}"),))  # fmt: skip
        else:
            score = score_page(expected, got)
        verdicts.append((page.name, score))
    rate = len(pages) / seconds if seconds > 0 else float("inf")
    return SystemResult(name, verdicts, aggregate(score for _, score in verdicts), rate)
