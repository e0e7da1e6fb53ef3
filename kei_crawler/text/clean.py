"""Pure text cleaning shared by the page objects: white space, entities, titles, lists and the body format.

The page object applies them once, as it builds a brief's fields; the pipelines never clean again.
Nothing here knows about HTML structure; that is ``kei_crawler.pages``' business.
"""

from __future__ import annotations

import html
import re
import unicodedata

# str.split() already splits on NBSP, line/paragraph separators and the other Unicode spaces; zero-width
# characters and the BOM are not "space" to Python but render as nothing, so they would split or glue words.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_text(s: str) -> str:
    """Entities decoded, NFC, every run of white space (NBSP, newlines, zero-width…) one space, stripped.

    Called hundreds of times per page, mostly on text that is already clean, so each step is skipped when
    it cannot change anything: no "&" means no entity; an ASCII string is NFC and holds no invisible
    character (``isascii`` is O(1) in CPython). ``" ".join(s.split())`` is the old ``\\s+`` → " " plus
    strip: both use the same Unicode white-space table (tests/unit/test_fast_paths.py checks every code point).
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


# The only non-ASCII characters that IGNORECASE matches to ASCII letters (tests/unit/test_fast_paths.py checks
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
