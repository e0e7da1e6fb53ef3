"""The general-purpose baseline: trafilatura for title, body, authors, categories and photo, htmldate for
the date. Imported lazily: neither is a runtime dependency of the crawler."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

BASELINE_NAME = "trafilatura"
INSTALL_HINT = "pip install trafilatura htmldate lxml_html_clean"
# What the baseline can be scored on: it has no notion of a series, an editors' credit or a caption.
BASELINE_FIELDS = ("title", "published", "authors", "categories", "body", "photo_url")

Extractor = Callable[[str, bytes], dict[str, Any]]

# trafilatura returns one author string; these are the separators it leaves between names.
_AUTHOR_SEPARATOR = re.compile(r"\s*[;,]\s*(?:and\s+)?|\s+and\s+")  # the Oxford comma too


def split_authors(author: str | None) -> list[str]:
    """trafilatura's author string as a list, split on ";", "," and " and "."""
    if not author:
        return []
    return [name.strip() for name in _AUTHOR_SEPARATOR.split(author) if name.strip()]


def load_baseline() -> tuple[Extractor | None, str | None]:
    """The baseline extractor, or None and a one-line reason when its packages are not importable."""
    try:
        import htmldate
        import trafilatura
    except ImportError as exc:
        return None, f"baseline unavailable: {exc.name or exc} is not installed ({INSTALL_HINT})"

    def extract(url: str, html: bytes) -> dict[str, Any]:
        """The fields trafilatura offers, under our names; series, credits and caption it has none of."""
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, favor_precision=True
        )
        # original_date: the publication date, not the last modification, as the snapshot's column means.
        published = htmldate.find_date(html, url=url, original_date=True)

        # trafilatura 2 returns a Document, 1.x (and as_dict=True) a dict; read either the same way.
        def get(key: str) -> Any:
            if isinstance(document, dict):
                return document.get(key)
            return getattr(document, key, None)

        return {
            "title": get("title"),
            "published": published,
            "authors": split_authors(get("author")),
            "categories": list(get("categories") or []),
            "body": get("text") or "",
            "photo_url": get("image"),
        }

    return extract, None
