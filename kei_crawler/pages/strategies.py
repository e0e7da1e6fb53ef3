"""The extraction strategies per field, in the order BriefPage tries them, and the names provenance uses.

docs/extraction.md describes each strategy and the cross-check rules. The pipelines use
:func:`missing_reason` to say why a required field came out empty ("title: tried json-ld, meta, …").
"""

from __future__ import annotations

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


def missing_reason(field: str) -> str:
    """The drop reason for a field nothing found: "title: tried json-ld, meta, title-tag, heading"."""
    return f"{field}: tried {', '.join(STRATEGIES.get(field, ()))}"
