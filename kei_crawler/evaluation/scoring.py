"""Pure scoring of extracted fields against a gold page: exact match, body token F1, boilerplate left in.

Nothing here reads files or times anything, so every rule is a table-driven test away from being checked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from kei_crawler.items import EXTRACTED
from kei_crawler.text.dates import parse_published, parse_updated

# The fields compared for equality, in the order the table shows them; "body" is scored apart.
EXACT_FIELDS = tuple(name for name in EXTRACTED if name != "body")
SCORED_FIELDS = (*EXACT_FIELDS, "body")

# Text that belongs to the site or the series around a brief, never to the brief's own body. Each one is
# something a generic extractor tends to keep (a sidebar line, the Korea View blurb, the editors' credit).
BOILERPLATE_MARKERS = (
    "Search All Site Content",
    "Total Index:",
    "Subscribe to our Mailing List",
    "Return to the Peninsula",
    "Stay Informed",
    "Register to receive updates",
    "This briefing comes from Korea View",
    "was edited by",
)

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Miss:
    """One field of one page that the extractor got wrong, with what was expected and what came out."""

    field: str
    expected: Any
    got: Any
    note: str = ""


@dataclass(frozen=True)
class PageScore:
    """The verdict on one page: exact-match results per field, and the body's F1 and leftover boilerplate."""

    exact: dict[str, bool] = field(default_factory=dict)
    body_f1: float | None = None
    boilerplate: tuple[str, ...] = ()
    misses: tuple[Miss, ...] = ()


def tokens(text: str) -> list[str]:
    """Word tokens, casefolded: white space and punctuation only separate, so layout never counts."""
    return _TOKEN.findall(text.casefold())


def token_f1(expected: str, got: str) -> float:
    """Harmonic mean of token precision and recall (multiset overlap); two empty texts agree fully."""
    want, have = Counter(tokens(expected)), Counter(tokens(got))
    if not want and not have:
        return 1.0
    overlap = sum((want & have).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(have.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def boilerplate_found(body: str, caption: str | None = None) -> list[str]:
    """The markers (and the page's own photo caption) that ``body`` contains, compared casefolded."""
    text = " ".join(body.split()).casefold()
    markers = [*BOILERPLATE_MARKERS, *([caption] if caption else [])]
    return [marker for marker in markers if " ".join(marker.split()).casefold() in text]


def published_iso(raw: str | None) -> str | None:
    """The ISO date a "Published …" text states, or None: how both sides' dates are compared."""
    day = parse_published(raw or "")
    return day.isoformat() if day else None


def updated_iso(raw: str | None) -> str | None:
    """The ISO revision date an "Updated …" text states, or None (the snapshot's ``updated`` column)."""
    day = parse_updated(raw or "")
    return day.isoformat() if day else None


def expected_values(expected: Mapping[str, Any]) -> dict[str, Any]:
    """The gold values of the scored fields an expected.json gives; "published" is derived when absent."""
    values = {name: expected[name] for name in SCORED_FIELDS if name in expected}
    if "published" not in values and "published_raw" in expected:
        # Older fixtures only hold the raw line; the date it states is what the snapshot would hold.
        values["published"] = published_iso(expected["published_raw"])
    if "updated" not in values and "updated_raw" in expected:
        values["updated"] = updated_iso(expected["updated_raw"])
    return values


def score_page(expected: Mapping[str, Any], got: Mapping[str, Any]) -> PageScore:
    """Score the fields present on both sides; a field the extractor does not offer is not scored."""
    exact: dict[str, bool] = {}
    misses: list[Miss] = []
    for name in EXACT_FIELDS:
        if name in expected and name in got:
            exact[name] = expected[name] == got[name]
            if not exact[name]:
                misses.append(Miss(name, expected[name], got[name]))
    body_f1: float | None = None
    leftovers: list[str] = []
    if "body" in expected and "body" in got:
        body = got["body"] or ""
        body_f1 = token_f1(expected["body"] or "", body)
        leftovers = boilerplate_found(body, expected.get("photo_caption"))
        if body_f1 < 1.0 or leftovers:
            note = f"F1 {body_f1:.3f}" + (f"; boilerplate: {', '.join(leftovers)}" if leftovers else "")
            misses.append(Miss("body", expected["body"], body, note))
    return PageScore(exact, body_f1, tuple(leftovers), tuple(misses))


@dataclass(frozen=True)
class FieldStats:
    """One row of the report: how many pages were scored and how well (percentages 0–100)."""

    pages: int
    exact_pct: float | None = None
    mean_f1: float | None = None
    no_boilerplate_pct: float | None = None


def aggregate(scores: Iterable[PageScore]) -> dict[str, FieldStats | None]:
    """Per-field totals over pages; None for a field no page was scored on (the extractor lacks it)."""
    scores = list(scores)
    stats: dict[str, FieldStats | None] = {}
    for name in EXACT_FIELDS:
        verdicts = [s.exact[name] for s in scores if name in s.exact]
        stats[name] = FieldStats(len(verdicts), 100.0 * sum(verdicts) / len(verdicts)) if verdicts else None
    bodies = [s for s in scores if s.body_f1 is not None]
    stats["body"] = (
        FieldStats(
            len(bodies),
            mean_f1=fmean(s.body_f1 for s in bodies if s.body_f1 is not None),
            no_boilerplate_pct=100.0 * sum(not s.boilerplate for s in bodies) / len(bodies),
        )
        if bodies
        else None
    )
    return stats
