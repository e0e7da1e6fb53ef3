"""What ``kei-crawler evaluate`` prints: one side-by-side table and our misses, or the same as JSON."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.console import Console
from rich.table import Table

from kei_crawler.evaluation.runner import Evaluation, SystemResult
from kei_crawler.evaluation.scoring import EXACT_FIELDS, FieldStats

NA = "n/a"


def scores_table(ev: Evaluation) -> Table:
    systems = [s for s in (ev.ours, ev.baseline) if s is not None]
    table = Table()
    table.add_column("field", no_wrap=True)
    table.add_column("pages", justify="right")
    for system in systems:
        table.add_column(system.name, justify="right")
    for name in EXACT_FIELDS:
        ours = ev.ours.stats[name]
        table.add_row(f"{name} (exact)", str(ours.pages if ours else 0),
                      *(_pct(s.stats[name], "exact_pct") for s in systems))  # fmt: skip
    body = ev.ours.stats["body"]
    pages = str(body.pages if body else 0)
    table.add_row("body (mean token F1)", pages, *(_f1(s.stats["body"]) for s in systems))
    table.add_row(
        "body (no boilerplate)", pages, *(_pct(s.stats["body"], "no_boilerplate_pct") for s in systems)
    )
    table.add_row(f"pages/s (median of {ev.repeat})", str(ev.page_count),
                  *(f"{s.pages_per_second:,.0f}" for s in systems), end_section=False)  # fmt: skip
    return table


def _pct(stats: FieldStats | None, attribute: str) -> str:
    value = getattr(stats, attribute) if stats else None
    return NA if value is None else f"{value:.1f}%"


def _f1(stats: FieldStats | None) -> str:
    return NA if stats is None or stats.mean_f1 is None else f"{stats.mean_f1:.3f}"


def print_report(console: Console, ev: Evaluation) -> None:
    # The heading is its own line: as a table title it would wrap to the width of a narrow table.
    console.print(f"Extraction on {ev.page_count} gold pages in {ev.folder}", soft_wrap=True, markup=False)
    console.print(scores_table(ev))
    if ev.note:
        console.print(ev.note, soft_wrap=True)
    misses = ev.ours.misses
    if not misses:
        console.print("No misses: every scored field of every page is right.")
        return
    console.print(f"Misses (ours), {len(misses)} field(s) to fix:")
    for page, miss in misses:
        if miss.field == "body" or miss.note:
            detail = miss.note
        else:
            detail = f"expected {_short(miss.expected)}, got {_short(miss.got)}"
        console.print(f"  {page}  {miss.field}: {detail}", soft_wrap=True, markup=False)


def _short(value: Any, limit: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_json(ev: Evaluation) -> dict[str, Any]:
    """The scores as plain data (percentages 0–100, F1 0–1); misses are ours, one entry per field."""
    return {
        "fixtures": str(ev.folder),
        "pages": ev.page_count,
        "repeat": ev.repeat,
        "ours": _system_json(ev.ours),
        "baseline": _system_json(ev.baseline) if ev.baseline else None,
        "baseline_note": ev.note,
        "misses": [
            {"page": page, "field": miss.field, "expected": miss.expected, "got": miss.got, "note": miss.note}
            for page, miss in ev.ours.misses
        ],
    }


def _system_json(system: SystemResult) -> dict[str, Any]:
    return {
        "name": system.name,
        "pages_per_second": round(system.pages_per_second, 1),
        "fields": {
            name: {k: v for k, v in dataclasses.asdict(stats).items() if v is not None} if stats else None
            for name, stats in system.stats.items()
        },
    }
