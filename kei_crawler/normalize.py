"""Pure text functions shared by the page objects and the pipelines: text, titles, dates, names, captions.

Every function here is idempotent on its own output, so the pipelines can re-apply them to values a page
object already cleaned. Nothing here knows about HTML structure; that is ``kei_crawler.pages``' business.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from datetime import date
from functools import lru_cache

SERIES = "Korea View"

# str.split() already splits on NBSP, line/paragraph separators and the other Unicode spaces; zero-width
# characters and the BOM are not "space" to Python but render as nothing, so they would split or glue words.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_text(s: str) -> str:
    """Entities decoded, NFC, every run of white space (NBSP, newlines, zero-width…) one space, stripped.

    Called hundreds of times per page, mostly on text that is already clean, so each step is skipped when
    it cannot change anything: no "&" means no entity; an ASCII string is NFC and holds no invisible
    character (``isascii`` is O(1) in CPython). ``" ".join(s.split())`` is the old ``\\s+`` → " " plus
    strip: both use the same Unicode white-space table (tests/test_fast_paths.py checks every code point).
    """
    if not s:
        return ""
    if "&" in s:
        s = html.unescape(s)
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)  # returns ``s`` itself after a quick check when already NFC
        if _INVISIBLE.search(s):
            s = _INVISIBLE.sub(" ", s)
    return " ".join(s.split())


def clean_optional(s: str | None) -> str | None:
    """``clean_text``, or None when nothing is left."""
    if s is None:
        return None
    return clean_text(s) or None


# The site has suffixed its <title> in several ways across redesigns; the visible heading never has one.
_SITE_NAMES = (
    r"(?:KEI|KEIA|keia\.org|Korea Economic Institute(?: of America)?(?:\s*\((?:KEI|KEIA)\))?"
    r"|The Peninsula(?: Blog)?|Korea View)"
)
_TITLE_SUFFIX = re.compile(rf"(?:\s*(?:\||::|»)\s*|\s+[-–—·•]\s+){_SITE_NAMES}\s*$", re.IGNORECASE)
# Older templates put the site's name first ("Korea Economic Institute - <title>").
_TITLE_PREFIX = re.compile(rf"^{_SITE_NAMES}(?:\s*(?:\||::|»)\s*|\s+[-–—·•]\s+)", re.IGNORECASE)


# The only non-ASCII characters that IGNORECASE matches to ASCII letters (tests/test_fast_paths.py checks
# every code point); with these mapped, ``lower()`` finds every site name the title patterns can match.
_ASCII_FOLDS = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
# How the site names in ``_SITE_NAMES`` start and end, lower-cased.
_NAME_STARTS = ("kei", "korea economic institute", "korea view", "the peninsula")
_NAME_ENDS = ("kei", "keia", "keia.org", "institute", "america", "kei)", "keia)", "peninsula", "blog", "view")


_TITLE_MAX = 1000
_AFFIX_MAX = 200  # longer than any one site-name suffix (" | Korea Economic Institute of America (KEIA)")


def clean_title(s: str) -> str:
    """``clean_text`` and no site-name suffix (" - Korea Economic Institute of America", " | KEI", …) or
    prefix ("Korea Economic Institute - …")."""
    title = clean_text(s)
    if len(title) > _TITLE_MAX:
        # No title is this long, and a hostile page's "x | KEI | KEI | …" would take one pass per suffix.
        # Left as it is, which is idempotent too.
        return title
    folded = (title if title.isascii() else title.translate(_ASCII_FOLDS)).lower()
    if not folded.startswith(_NAME_STARTS) and not folded.endswith(_NAME_ENDS):
        # A prefix starts the text with a site name, a suffix ends it with one (``title`` is clean: no
        # trailing space), and folded, every site name starts and ends as listed: neither pattern can
        # match, so most titles and every block a page compares with its title skip both regex scans.
        return title
    while True:
        # A suffix ends the text and is short: searching only the tail keeps each pass from rescanning
        # the whole title (passes × length was cubic: "x" + " | KEI" × 4,000 took 20 s).
        suffix = _TITLE_SUFFIX.search(title, max(0, len(title) - _AFFIX_MAX))
        head = title[: suffix.start()] if suffix else title
        prefix = _TITLE_PREFIX.match(head)  # match, not sub: sub would try every position of the title
        stripped = head[prefix.end() :] if prefix else head
        if stripped == title or not stripped:
            return title
        title = stripped


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


def clean_list(items: list[str]) -> list[str]:
    """Each item cleaned; empties and repeats dropped, first occurrence's order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        cleaned = clean_text(item)
        if cleaned and cleaned not in seen:
            seen.add(cleaned)
            out.append(cleaned)
    return out


_BULLET = re.compile(r"^\s*[-•*▪◦‣](?:\s+|$)")
_BLANK_LINE = re.compile(r"\n\s*\n")


# A brief's raw body is cleaned twice on its way into a row (validate, then to_brief): the last few
# results are kept, so the second call is a lookup. (Only under their input: "&amp;amp;" cleans to
# "&amp;", which cleans to "&", so a result is not its own clean form.)
@lru_cache(maxsize=64)
def clean_body(s: str) -> str:
    """A body in the body format: blocks split by one blank line, list items one per line as "- item".

    Inside a block, a run of bulleted lines becomes a list block and any other run of lines one paragraph,
    so a heading glued to its list ("What Happened\\n- a") comes out as two blocks.
    """
    if not s:
        return ""
    blocks: list[str] = []
    for chunk in _BLANK_LINE.split(s.replace("\r\n", "\n").replace("\r", "\n")):
        blocks.extend(_chunk_blocks(chunk.split("\n")))
    return "\n\n".join(blocks)


def _chunk_blocks(lines: list[str]) -> list[str]:
    """One blank-line-separated chunk as body blocks: runs of bullets and runs of prose kept apart."""
    blocks: list[str] = []
    prose: list[str] = []
    first = ""  # clean_text(prose[0]): a one-line paragraph (the usual case) is then not cleaned twice
    items: list[str] = []
    for line in [*lines, ""]:
        bullet = _BULLET.match(line)
        if bullet:
            item = clean_text(line[bullet.end() :])  # the pattern is anchored: its first match is this one
            if item:
                items.append(item)
            if prose:
                blocks.append(first if len(prose) == 1 else clean_text(" ".join(prose)))
                prose = []
            continue
        cleaned = clean_text(line)
        if cleaned or line == "":
            if items:
                blocks.append("\n".join(f"- {item}" for item in items))
                items = []
            if cleaned:
                if not prose:
                    first = cleaned
                prose.append(line)
    if prose:
        blocks.append(first if len(prose) == 1 else clean_text(" ".join(prose)))
    return [block for block in blocks if block]


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


def content_hash(title: str, published: date | None, body: str, photo_caption: str | None) -> str:
    """sha256 hex over the normalized title, date, body and caption; JSON keeps the parts apart."""
    parts = [
        clean_title(title),
        published.isoformat() if published else None,
        clean_body(body),
        clean_optional(photo_caption),
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()
