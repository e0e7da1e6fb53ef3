"""The Korea View series' own lines: its blurb, the editors' credit line, and photo captions beside them."""

from __future__ import annotations

import re

from kei_crawler.text.clean import clean_text

SERIES = "Korea View"


def is_series_name(name: str) -> bool:
    """True for the series' own name in any case or spacing ("Korea View", "KOREA  VIEW")."""
    return clean_text(name).casefold() == SERIES.casefold()


# The Korea View series blurb has been reworded over the years; what stays is that it names the series and
# the newsletter or the sign-up form.
_BLURB_MARKERS = ("newsletter", "sign up", "signup", "online form", "subscribe")


def is_series_blurb(text: str) -> bool:
    """True for the Korea View paragraph ("This briefing comes from Korea View, a weekly newsletter …")."""
    t = clean_text(text).casefold()
    return "korea view" in t and any(marker in t for marker in _BLURB_MARKERS) and len(t) < 700


# "Korea View was edited by …", "This issue of Korea View was compiled by …", "Korea View is produced and
# edited by …": the series name, a form of "be", one or two production verbs, "by".
_CREDIT_VERB = r"(?:edited|compiled|prepared|produced|written|curated|put\s+together)"
_CREDIT = re.compile(
    rf"^(?:this\s+(?:issue|edition|briefing|week's\s+issue|week’s\s+issue)\s+of\s+)?korea\s+view\s+"
    rf"(?:was|is|has\s+been)\s+{_CREDIT_VERB}(?:\s+and\s+{_CREDIT_VERB})?\s+by\b",
    re.IGNORECASE,
)


def is_credit_line(text: str) -> bool:
    """True for the editors' credit line ("Korea View was edited by …")."""
    return bool(_CREDIT.match(clean_text(text)))


_CAPTION_OPENER = (
    r"(?:(?:Picture|Photo(?:graph)?|Image|Cover\s+photo|Cover\s+image)\s+(?:of|from|by|courtesy\s+of|credit)\b"
    r"|(?:Photo|Image|Picture|Pictured|Caption|Photo\s+credit|Image\s+credit|Source)\s*:)"
)
_CAPTION_START = re.compile(rf"^{_CAPTION_OPENER}", re.IGNORECASE)
# The caption starts at an opener word right after a sentence end; initials and "Jr." inside the editors'
# names end in a period too, which is why the opener, not the period, decides.
_CAPTION_AFTER_SENTENCE = re.compile(rf"(?<=[.!?)])\s+(?={_CAPTION_OPENER})")


def is_caption_sentence(text: str) -> bool:
    """True for a short text that opens like a photo caption ("Picture of …", "Photo by …", "Image: …")."""
    cleaned = clean_text(text)
    return bool(_CAPTION_START.match(cleaned)) and len(cleaned) <= 400


def split_credit_and_caption(text: str) -> tuple[str, str | None]:
    """The credit sentence(s) and the caption that follows them on the same line, if any."""
    cleaned = clean_text(text)
    match = _CAPTION_AFTER_SENTENCE.search(cleaned)
    if not match:
        return cleaned, None
    return cleaned[: match.start()].strip(), cleaned[match.end() :].strip() or None


def collapse_repeat(text: str) -> str:
    """A caption printed twice in a row ("Photo by X. Photo by X.") kept once; other text unchanged."""
    cleaned = clean_text(text)
    half, rest = divmod(len(cleaned), 2)
    # Two copies joined by one space: the first copy ends right before the middle space.
    if rest and cleaned[:half] == cleaned[half + 1 :] and cleaned[half] == " ":
        return cleaned[:half]
    return cleaned


def strip_caption(body: str, caption: str | None) -> str:
    """``body`` with no block that is the caption, and no caption left at a block's end."""
    if not body or not caption:
        return body
    kept: list[str] = []
    for block in body.split("\n\n"):
        if block == caption:
            continue
        if block.endswith(" " + caption):
            block = block[: -len(caption) - 1].rstrip()
        kept.append(block)
    return "\n\n".join(kept)
