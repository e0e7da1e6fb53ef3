"""The extraction strategies per field, in the order they are tried, and the names provenance uses.

:data:`STRATEGIES` is both the documentation of the order and what runs it: the reader hands
:func:`first_found` one finder per strategy name, and ``first_found`` tries them in the table's order —
a finder the table does not name for that field is an error, so the two cannot drift apart.
docs/extraction.md describes each strategy and the cross-check rules. The pipelines use
:func:`missing_reason` to say why a required field came out empty ("title: tried json-ld, meta, …").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

# Per field, the strategies in the order they are tried; the first that finds a value names it in
# ``BriefPage.provenance()``. Names are a fixed vocabulary: a data team groups and counts by them.
STRATEGIES: dict[str, tuple[str, ...]] = {
    "section": ("text-layout",),
    "title": ("json-ld", "meta", "title-tag", "heading"),
    "published_raw": ("text-layout", "time-element", "date-line", "json-ld", "meta"),
    "updated_raw": ("text-layout",),
    "authors": ("text-layout", "json-ld", "meta"),
    "categories": ("text-layout", "json-ld", "meta"),
    "series": ("series-blurb", "credit-line", "text-layout", "json-ld"),
    "body": ("density", "page-density"),
    "credits": ("credit-line",),
    "photo_caption": ("figcaption", "image-wrapper", "caption-after-image", "credit-line", "text-layout"),
    "photo_url": ("figcaption", "image-wrapper", "caption-after-image", "content-image"),
}

VOCABULARY: frozenset[str] = frozenset(name for names in STRATEGIES.values() for name in names)

T = TypeVar("T")


def first_found(field: str, finders: Mapping[str, Callable[[], T | None]]) -> tuple[str, T] | None:
    """The first value a finder returns, tried in :data:`STRATEGIES`' order for ``field``, with the
    strategy's name; None when none finds one. ``finders`` may cover a part of the field's strategies
    (those read elsewhere, as the body's scan reads the credit line), never one the table lacks."""
    unknown = set(finders) - set(STRATEGIES[field])
    if unknown:
        raise ValueError(f"{field}: no strategy {', '.join(sorted(unknown))} in STRATEGIES")
    for name in STRATEGIES[field]:
        finder = finders.get(name)
        if finder is None:
            continue
        value = finder()
        if value is not None and value != "" and value != []:
            return name, value
    return None


def missing_reason(field: str) -> str:
    """The drop reason for a field nothing found: "title: tried json-ld, meta, title-tag, heading"."""
    return f"{field}: tried {', '.join(STRATEGIES.get(field, ()))}"
