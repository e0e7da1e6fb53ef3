"""Publication and revision dates as pages write them: "Published July 24, 2022", "24 July 2022", ISO.

Pure functions; the raw text is kept beside the date by the caller (``published_raw``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as date_parser

from kei_crawler.text.clean import clean_text

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
# Every spelling ``_MONTH`` accepts (lower-cased, trailing "." dropped) → month number; dateutil reads the
# same names (tests/unit/test_fast_paths.py checks that both agree on every spelling).
_MONTHS = {
    name: number
    for number, names in enumerate(("jan january", "feb february", "mar march", "apr april", "may", "jun june",
                                    "jul july", "aug august", "sep sept september", "oct october",
                                    "nov november", "dec december"), start=1)
    for name in names.split()
}  # fmt: skip
_MONTH_FIRST = re.compile(rf"\b({_MONTH})\s+({_DAY}),?\s+(\d{{4}})\b", re.IGNORECASE)
_DAY_FIRST = re.compile(rf"\b({_DAY})\s+({_MONTH}),?\s+(\d{{4}})\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_UPDATED = re.compile(r"^(?:last\s+)?(?:updated|modified|revised)\b", re.IGNORECASE)
_UPDATED_TAIL = re.compile(r"\b(?:last\s+)?(?:updated|modified|revised)\b.*$", re.IGNORECASE)


def parse_published(raw: str) -> date | None:
    """The date a "Published …" line (or a bare date, ISO timestamp, "Posted on …") states, else None.

    Only dates that name a month or are ISO-formatted count: bare numbers like "07/08/2021" are ambiguous
    and never guessed. An ISO timestamp gives its local date as written, not the date in UTC. An
    "Updated …" line is a revision date, not a publication date.
    """
    text = clean_text(raw)
    if not text or _UPDATED.match(text):
        return None
    # "Published July 1, 2021 · Updated July 3, 2021": the revision date must not be read instead.
    return _date_in(_UPDATED_TAIL.sub("", text))


# "Updated" counts as a label only where a label can stand: at the start, after a separator or right
# after another date ("Published July 1, 2021 Updated July 3, 2021") — never inside a sentence such as
# "The ministry updated its guidance on July 5".
_UPDATED_LABEL = re.compile(
    r"(?:^|[|·•/–—,;(\[]\s*|(?<=\d{4})\s+|(?<=\d{4}[.)])\s+)(?:last\s+)?(?:updated|modified|revised)"
    r"(?:\s+on)?\s*[:：]?\s*",
    re.IGNORECASE,
)


def parse_updated(raw: str) -> date | None:
    """The date an "Updated …" / "Last updated …" / "Modified …" text states, also inside "Published X ·
    Updated Y"; None when the text names no revision date."""
    text = clean_text(raw)
    match = _UPDATED_LABEL.search(text)
    return _date_in(text[match.end() :]) if match else None


def _date_in(text: str) -> date | None:
    """The first date ``text`` states: ISO, "July 24, 2022", "Jul 24, 2022", "24 July 2022"."""
    iso = _ISO.search(text)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    match = _MONTH_FIRST.search(text) or _DAY_FIRST.search(text)
    if not match:
        return None
    month_first = match.re is _MONTH_FIRST
    month_name, day_text, year = match.group(1, 2, 3) if month_first else match.group(2, 1, 3)
    day = int(day_text.lower().rstrip("stndrh"))  # "24th", "24TH" → 24: only suffix letters follow
    if 1 <= day <= 31 and year[0] != "0":
        # The regex has already read a day, a month name and a four-digit year: building the date needs no
        # parser. dateutil reads days 0 and 32–39 and years 0000–0099 its own way: those (and any year with a
        # leading zero) still go to it.
        try:
            return date(int(year), _MONTHS[month_name.rstrip(".").lower()], day)
        except ValueError:
            return None
    try:
        # dateutil reads the month and ordinal forms; the regex has already checked that a day, a month
        # name and a four-digit year are all present, so nothing is filled in from the default.
        parsed: datetime = date_parser.parse(match.group(0).replace(".", ""), default=datetime(1, 1, 1))
    except (ValueError, OverflowError):
        return None
    return parsed.date()
