"""The extraction fast paths give exactly what the straightforward code they replaced gives.

Each reference below is the code as first written (regex passes, dateutil, a scan of every label); the
fast versions in kei_crawler.text.clean and kei_crawler.pages skip work only where it cannot change the
result, and these tests hold them to that on clean, dirty and adversarial input.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from datetime import date, datetime

import pytest
from dateutil import parser as date_parser

from kei_crawler.pages.meta import _COLON_OPTIONAL, _KINDS, _LABEL, _SEPARATORS, Segment, meta_segments
from kei_crawler.text.clean import (
    _ASCII_FOLDS,
    _NAME_ENDS,
    _NAME_STARTS,
    _SITE_NAMES,
    _TITLE_PREFIX,
    _TITLE_SUFFIX,
    clean_body,
    clean_text,
    clean_title,
)
from kei_crawler.text.dates import parse_published
from tests.support import FIXTURES

EVERY_CHARACTER = "".join(map(chr, range(sys.maxunicode + 1)))


def _reference_clean_text(s: str) -> str:
    if not s:
        return ""
    text = unicodedata.normalize("NFC", html.unescape(s))
    text = re.sub("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def test_str_split_white_space_is_regex_white_space() -> None:
    """``" ".join(s.split())`` stands in for ``\\s+`` → " ": they must agree on every code point."""
    assert set(re.findall(r"\s", EVERY_CHARACTER)) == {c for c in EVERY_CHARACTER if c.isspace()}
    # str.split() splits exactly where str.isspace() holds (both read the same table in CPython).
    assert "".join(EVERY_CHARACTER.split()) == "".join(c for c in EVERY_CHARACTER if not c.isspace())


TEXTS = [
    "already clean text",
    "  padded\tand\nnewlines  ",
    "Tom &amp; Jerry &",
    "AT&T and R&D",
    "&nbsp;&nbsp;x&#8203;y&shy;z",
    "&#x301;e after an entity",
    "Cafe\u0301 \u00a0 \u2028 \u3000 wide",
    "zero\u200bwidth\u200c\u200d\u2060\ufeff\u00adsoft",
    "\u200b",
    "&amp;amp; double",
    "김지윤\u00a0 씨 “quoted” — dash",
    "\x1c\x1d\x1e\x1f\x85 separators",
    "e\u0301\u0327 combining",
]


@pytest.mark.parametrize("raw", TEXTS)
def test_clean_text_fast_path_matches_reference(raw: str) -> None:
    assert clean_text(raw) == _reference_clean_text(raw)


def _reference_date(text: str) -> date | None:
    """_date_in's month-name branch as first written: dateutil over the matched text."""
    try:
        return date_parser.parse(text.replace(".", ""), default=datetime(1, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


_MONTH_SPELLINGS = ["Jan", "January", "Feb", "February", "Mar", "March", "Apr", "April", "May", "Jun", "June",
                    "Jul", "July", "Aug", "August", "Sep", "Sept", "September", "Oct", "October", "Nov",
                    "November", "Dec", "December"]  # fmt: skip


@pytest.mark.parametrize("month", _MONTH_SPELLINGS)
def test_month_name_dates_match_dateutil(month: str) -> None:
    """The dict-and-date() fast path reads every spelling, day and suffix as dateutil does."""
    days = (
        "1",
        "01",
        "9",
        "12",
        "28",
        "29",
        "30",
        "31",
        "2nd",
        "3rd",
        "4th",
        "21st",
        "22ND",
        "0",
        "32",
        "39",
    )
    # Years dateutil reads its own way (0000–0099 as two-digit years) and the ends of the range.
    odd_years = [
        (day, year) for day in ("4", "29") for year in ("1000", "9999", "0999", "0099", "0001", "0000")
    ]
    pairs = [*((day, year) for day in days for year in ("2020", "2021", "1999")), *odd_years]
    for spelling in (month, month.upper(), month.lower(), month + "."):
        for day, year in pairs:
            for text in (f"{spelling} {day}, {year}", f"{day} {spelling} {year}", f"{spelling} {day} {year}"):
                assert parse_published(text) == _reference_date(text), text


def test_ascii_folds_are_every_non_ascii_ignorecase_match_of_a_letter() -> None:
    """clean_title's pre-check maps these before lower(); any other would let a site name slip past it."""
    matches = {c for c in re.findall("[a-z]", EVERY_CHARACTER, re.IGNORECASE) if not c.isascii()}
    assert matches == {chr(code) for code in _ASCII_FOLDS}
    for code, letter in _ASCII_FOLDS.items():
        assert re.fullmatch(letter, chr(code), re.IGNORECASE)


def _reference_clean_title(s: str) -> str:
    title = clean_text(s)
    while True:
        stripped = _TITLE_PREFIX.sub("", _TITLE_SUFFIX.sub("", title))
        if stripped == title or not stripped:
            return title
        title = stripped


@pytest.mark.parametrize(
    "raw",
    [
        "Plain title with no site name",
        "Korea’s “trade” numbers",
        "Title - Korea Economic Institute of America",
        "Title | KEI",
        "Title | KEİ",
        "Title | ĸei",
        "Title | \u212aEI",
        "Title » The Peninſula",
        "Title :: The Penınsula Blog",
        "KEIA - Title",
        "keia.org | Title",
        "Korea View",
        "김지윤 - Korea View",
        "A Peninsula of Ideas",
        "KEI experts on Korea",
        "Title · Korea View",
        "Korea View – Title",
        "THE PENINSULA » Title",
        "Title - KOREA ECONOMIC INSTITUTE (KEIA)",
        "Title | keia.org",
    ],
)
def test_clean_title_pre_check_matches_reference(raw: str) -> None:
    assert clean_title(raw) == _reference_clean_title(raw)


# Every name _SITE_NAMES spells: the pre-check's starts and ends must cover each of them.
SITE_NAMES = ["KEI", "KEIA", "keia.org", "Korea Economic Institute", "Korea Economic Institute of America",
              "Korea Economic Institute (KEI)", "Korea Economic Institute of America (KEIA)", "The Peninsula",
              "The Peninsula Blog", "Korea View"]  # fmt: skip


@pytest.mark.parametrize("name", SITE_NAMES)
def test_site_name_starts_and_ends_cover_every_site_name(name: str) -> None:
    assert re.fullmatch(_SITE_NAMES, name, re.IGNORECASE)
    assert name.lower().endswith(_NAME_ENDS)
    assert name.lower().startswith(_NAME_STARTS)
    for shown in (name, name.upper(), name.lower()):
        assert clean_title(f"Title | {shown}") == "Title"
        assert clean_title(f"{shown} - Title") == "Title"


def _reference_clean_body(s: str) -> str:
    bullet = re.compile(r"^\s*[-•*▪◦‣](?:\s+|$)")
    if not s:
        return ""
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", s.replace("\r\n", "\n").replace("\r", "\n")):
        prose: list[str] = []
        items: list[str] = []
        for line in [*chunk.split("\n"), ""]:
            if bullet.match(line):
                item = clean_text(bullet.sub("", line, count=1))
                if item:
                    items.append(item)
                if prose:
                    blocks.append(clean_text(" ".join(prose)))
                    prose = []
            elif clean_text(line) or line == "":
                if items:
                    blocks.append("\n".join(f"- {item}" for item in items))
                    items = []
                if clean_text(line):
                    prose.append(line)
        if prose:
            blocks.append(clean_text(" ".join(prose)))
    return "\n\n".join(block for block in blocks if block)


@pytest.mark.parametrize(
    "raw",
    [
        "One paragraph.",
        "One paragraph.\n\nTwo paragraphs.",
        "A line\nof one paragraph\n\n- item\n- item two",
        "What Happened\n- a\n- b\nAfter the list",
        "  \n\n\u200b- hidden bullet\n\n* star\n•  dot\n-\n- ",
        "Tom &amp;\nJerry\r\n\r\nCafe\u0301\rnext",
        "&#8203;\n \n\t\n- &amp;amp;",
        "",
    ],
)
def test_clean_body_matches_reference(raw: str) -> None:
    assert clean_body(raw) == _reference_clean_body(raw)
    assert clean_body(clean_body(raw)) == _reference_clean_body(_reference_clean_body(raw))


def _reference_meta_segments(text: str) -> list[Segment]:
    """meta_segments without the opening-label check (Drupal's "Submitted by … on …" aside)."""
    text = clean_text(text)
    starts = []
    for match in _LABEL.finditer(text):
        label = clean_text(match.group(1)).lower()
        before = text[: match.start()].rstrip()
        at_boundary = not before or before[-1] in _SEPARATORS or re.search(r"\d{4}$", before) is not None
        if match.group(2) or (label in _COLON_OPTIONAL and at_boundary):
            starts.append((match.start(), match.end(), label))
    if not starts or starts[0][0] != 0:
        return []
    segments = []
    for i, (start, end, label) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        segments.append(Segment(_KINDS[label], text[start:stop].strip(_SEPARATORS), text[end:stop].strip(_SEPARATORS)))  # fmt: skip
    return segments


@pytest.mark.parametrize(
    "line",
    [
        "Published July 24, 2022 | Author: Korea View",
        "Author: Kyle Ferrier · Category: Trade",
        "By Kyle Ferrier and Sang Kim",
        "Date July 24, 2022",
        "Date: July 24, 2022",
        "Tags trade, security",
        "Topics: trade",
        "The ministry published its figures; Author: nobody",
        "Updated July 3, 2021",
        "  published   on July 1, 2021 / updated July 3, 2021",
        "Bypass the label",
        "",
    ],
)
def test_meta_segments_opening_check_matches_reference(line: str) -> None:
    assert meta_segments(line) == _reference_meta_segments(line)


def test_block_within_matches_an_ancestor_scan() -> None:
    """Block.within's cached ancestor set answers exactly as walking the owner's ancestors does."""
    from kei_crawler.evaluation.gold import load_gold_set
    from kei_crawler.pages.document import parse_document
    from kei_crawler.pages.fields import FieldReader

    for page in load_gold_set(FIXTURES)[:12]:
        root = parse_document(page.html, page.encoding)
        assert root is not None
        reader = FieldReader(page.url, root)
        elements = list(reader.root.iter())
        for block in reader.blocks:
            ancestors = list(block.owner.iterancestors())
            assert block.chain == (block.owner, *ancestors)
            for el in elements:
                assert block.within(el) == (block.owner is el or any(a is el for a in ancestors))
