"""People's names as bylines write them: "Author: A and B", "By A, B, and C", "A, Jr."."""

from __future__ import annotations

import re

from kei_crawler.text.clean import clean_list, clean_text

_NAME_LABEL = re.compile(
    r"^(?:(?:authors?|written\s+by|posted\s+by|by|contributors?)\s*[:：]?\s+|(?:authors?|contributors?)\s*[:：]\s*)",
    re.IGNORECASE,
)
_NAME_SEPARATOR = re.compile(r"\s*(?:[,;，、&]|\band\b)\s*")
# Tokens that a comma separates from the name they belong to ("Sang Kim, Jr.").
_NAME_SUFFIX = re.compile(r"^(?:Jr|Sr|II|III|IV|Ph\.?D|M\.?D|Esq)\.?$", re.IGNORECASE)


def split_names(s: str) -> list[str]:
    """The names of an "Author(s): …" / "By …" line: label gone, split on commas and "and", in order."""
    text = _NAME_LABEL.sub("", clean_text(s), count=1)
    names: list[str] = []
    for part in _NAME_SEPARATOR.split(text):
        part = part.strip(" .") if not _NAME_SUFFIX.match(part) else part
        if not part:
            continue
        if names and _NAME_SUFFIX.match(part):
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    return clean_list(names)
