"""People's names as bylines write them: "Author: A and B", "By A, B, and C", "A, Jr."; and which of a
byline's names are people's (``people``): "Author: Korea View" names the series, not a person."""

from __future__ import annotations

import re

from kei_crawler.text.clean import clean_list, clean_text
from kei_crawler.text.series import is_series_name

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


def people(names: list[str]) -> list[str]:
    """``names`` without the series byline, in order: the ``authors`` column holds people only.

    Korea View briefs are signed "Author: Korea View" on some pages and carry no byline on others, while
    every listing shows "Korea View" for all of them; the ``series`` column records the series either
    way, so keeping it among the authors would make the same brief's authors depend on its markup.
    """
    return [name for name in names if not is_series_name(name)]
