"""Table tests for kei_crawler.text.clean: each function over the forms the site has used."""

from __future__ import annotations

from datetime import date

import pytest

from kei_crawler.items import content_hash
from kei_crawler.text.clean import clean_body, clean_list, clean_optional, clean_text, clean_title
from kei_crawler.text.dates import parse_published, parse_updated
from kei_crawler.text.names import split_names
from kei_crawler.text.series import (
    collapse_repeat,
    is_caption_sentence,
    is_credit_line,
    is_series_blurb,
    split_credit_and_caption,
    strip_caption,
)

CAPTURED_CREDIT = (
    "Korea View was edited by Yong Kwon with the help of  Jae Chang, Kaitlyn King, Yu Na Choi, and Mai Anna"
    " Pressley. Picture of South Korea and Mexico signing an agreement to cooperate in trade and culture on"
    " March 17, 1969."
)
CAPTURED_BLURB = (
    "This briefing comes from Korea View, a weekly newsletter published by the Korea Economic Institute."
    " Korea View aims to cover developments that reveal trends on the Korean Peninsula but receive little"
    " attention in the United States. If you would like to sign up, please find the online form here."
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("  plain  ", "plain"),
        ("a\u00a0b", "a b"),
        ("a\n\t b", "a b"),
        ("a\u200bb", "a b"),
        ("\ufeffTitle", "Title"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("&#8217;s &rsquo;", "’s ’"),
        ("Cafe\u0301", "Caf\u00e9"),
        ("Korea’s “trade”", "Korea’s “trade”"),
        ("김지윤  씨", "김지윤 씨"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected
    assert clean_text(expected) == expected


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), (" \u00a0\n", None), (" x ", "x")])
def test_clean_optional(raw: str | None, expected: str | None) -> None:
    assert clean_optional(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Renewed South Korea-Mexico Ties - Korea Economic Institute of America",
            "Renewed South Korea-Mexico Ties",
        ),
        ("Erosion of Data Privacy? | KEI", "Erosion of Data Privacy?"),
        ("Erosion of Data Privacy?", "Erosion of Data Privacy?"),
        ("The commanding dissent of churches – KEI", "The commanding dissent of churches"),
        ("A title | Korea Economic Institute of America", "A title"),
        ("A title | The Peninsula | KEI", "A title"),
        ("Korea’s “new” deal — Korea Economic Institute", "Korea’s “new” deal"),
        ("South Korea-Mexico", "South Korea-Mexico"),
        ("  Spaced\u00a0 title ", "Spaced title"),
        ("KEI", "KEI"),
        ("Korea Economic Institute - Jeju and regional inequality", "Jeju and regional inequality"),
        ("KEI | Erosion of Data Privacy?", "Erosion of Data Privacy?"),
        ("A title | Korea Economic Institute of America (KEI)", "A title"),
        ("A title :: KEIA", "A title"),
        ("A title » The Peninsula", "A title"),
        ("A title - keia.org", "A title"),
        ("A title — Korea View — KEI", "A title"),
        ("Seoul&#8217;s &ldquo;new&rdquo; deal &amp; more | KEI", "Seoul’s “new” deal & more"),
        ("Lessons from the KEI archive", "Lessons from the KEI archive"),
        ("Korea-U.S. Ties - A Review", "Korea-U.S. Ties - A Review"),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Published July 24, 2022", date(2022, 7, 24)),
        ("Published  July 15, 2021", date(2021, 7, 15)),
        ("July 24, 2022", date(2022, 7, 24)),
        ("Jul 24, 2022", date(2022, 7, 24)),
        ("Sept. 5, 2021", date(2021, 9, 5)),
        ("24 July 2022", date(2022, 7, 24)),
        ("2022-07-24", date(2022, 7, 24)),
        ("2022-07-24T09:00:00-04:00", date(2022, 7, 24)),
        ("2022-07-24T23:30:00-04:00", date(2022, 7, 24)),
        ("Posted on May 4, 2016", date(2016, 5, 4)),
        ("Posted on May 4, 2016 by Kyle Ferrier", date(2016, 5, 4)),
        ("May 4, 2016", date(2016, 5, 4)),
        ("Sunday, December 22nd, 2020", date(2020, 12, 22)),
        ("Published: July 2, 2021 | Updated: July 5, 2021", date(2021, 7, 2)),
        ("Published", None),
        ("Published sometime", None),
        ("", None),
        ("07/24/2022", None),
        ("2022", None),
        ("On July 4, the ministers met", None),
        ("Updated July 25, 2022", None),
        ("Last updated: July 25, 2022", None),
        ("February 30, 2021", None),
        ("2021-13-01", None),
        ("Published July 24, 2022", date(2022, 7, 24)),
        ("Published: Jul 24, 2022", date(2022, 7, 24)),
        ("Published 24 July 2022", date(2022, 7, 24)),
        ("2022-07-24T09:00:00Z", date(2022, 7, 24)),
        ("2022-07-24T09:00:00", date(2022, 7, 24)),
        ("2022-07-24 09:00", date(2022, 7, 24)),
        ("2022-07-24T21:30:00-04:00", date(2022, 7, 24)),
        ("Submitted by Kyle Ferrier on May 4, 2016 - 10:15am", date(2016, 5, 4)),
        ("Published July 1, 2021 · Updated July 3, 2021", date(2021, 7, 1)),
        ("Modified July 3, 2021", None),
    ],
)
def test_parse_published(raw: str, expected: date | None) -> None:
    assert parse_published(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Updated July 25, 2022", date(2022, 7, 25)),
        ("Updated: Jul 25, 2022", date(2022, 7, 25)),
        ("Last updated: 25 July 2022", date(2022, 7, 25)),
        ("Last updated on July 25, 2022 at 10:15 am", date(2022, 7, 25)),
        ("Modified 2022-07-25T10:00:00-04:00", date(2022, 7, 25)),
        ("Last modified: 2022-07-25", date(2022, 7, 25)),
        ("Revised August 1, 2022", date(2022, 8, 1)),
        ("Published July 1, 2021 · Updated July 3, 2021", date(2021, 7, 3)),
        ("Published: July 2, 2021 | Updated: July 5, 2021", date(2021, 7, 5)),
        ("Published July 1, 2021 Updated July 3, 2021", date(2021, 7, 3)),
        ("Published July 1, 2021 (updated July 3, 2021)", date(2021, 7, 3)),
        ("Published July 24, 2022", None),
        ("July 24, 2022", None),
        ("Updated", None),
        ("Updated recently", None),
        ("The ministry updated its guidance on July 5, 2022", None),
        ("", None),
    ],
)
def test_parse_updated(raw: str, expected: date | None) -> None:
    assert parse_updated(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Author: Korea View", ["Korea View"]),
        ("Authors: Sang Kim and Yong Kwon", ["Sang Kim", "Yong Kwon"]),
        ("By Kyle Ferrier", ["Kyle Ferrier"]),
        (
            "By Kyle Ferrier, Sang Kim, Yong Kwon, and Troy Stangarone",
            ["Kyle Ferrier", "Sang Kim", "Yong Kwon", "Troy Stangarone"],
        ),
        ("Author: 김지윤", ["김지윤"]),
        ("Authors: 김지윤 & J. Kim", ["김지윤", "J. Kim"]),
        ("Korea View", ["Korea View"]),
        ("By Sang Kim, Jr. and Yong Kwon", ["Sang Kim, Jr.", "Yong Kwon"]),
        ("Byron Kim", ["Byron Kim"]),
        ("By 김지윤, 박민수 and José Álvarez", ["김지윤", "박민수", "José Álvarez"]),
        ("Authors: Ana Müller; Sang Kim", ["Ana Müller", "Sang Kim"]),
        ("Written by Kyle Ferrier and Troy Stangarone", ["Kyle Ferrier", "Troy Stangarone"]),
        ("By Kyle Ferrier & Troy Stangarone.", ["Kyle Ferrier", "Troy Stangarone"]),
        ("Author: Andrea Anderson", ["Andrea Anderson"]),
        ("Authors:", []),
        ("", []),
    ],
)
def test_split_names(raw: str, expected: list[str]) -> None:
    assert split_names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], []),
        (["a", " a ", "", "b", "\u00a0"], ["a", "b"]),
        (["Korea View", "Korea  View"], ["Korea View"]),
        (["z", "y", "z"], ["z", "y"]),
    ],
)
def test_clean_list(raw: list[str], expected: list[str]) -> None:
    assert clean_list(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("One.", "One."),
        ("One.\n\n\n\nTwo.", "One.\n\nTwo."),
        ("  One\u00a0line\nwrapped. \n \nTwo.", "One line wrapped.\n\nTwo."),
        ("What Happened\n\n- One\n- Two", "What Happened\n\n- One\n- Two"),
        ("What Happened\n- One\n-   Two  ", "What Happened\n\n- One\n- Two"),
        ("• One\n• Two\nAfter.", "- One\n- Two\n\nAfter."),
        ("- One\n-\n- Two", "- One\n- Two"),
        ("\r\nA &amp; B\r\n\r\nC", "A & B\n\nC"),
        ("\n\n \n\n", ""),
    ],
)
def test_clean_body(raw: str, expected: str) -> None:
    assert clean_body(raw) == expected
    assert clean_body(expected) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CAPTURED_BLURB, True),
        (CAPTURED_BLURB.replace(" ", "\n  "), True),
        (
            "This brief comes from Korea View, KEI's weekly newsletter. To subscribe, use the form here.",
            True,
        ),
        ("Korea View aims to cover developments. Sign up here.", True),
        ("Korea View is a weekly newsletter from KEI. Subscribe here.", True),
        (
            "This briefing is part of Korea View, KEI’s weekly newsletter on developments that get little"
            " attention in the United States. Sign up for Korea View here.",
            True,
        ),
        ("Korea View was edited by Yong Kwon.", False),
        ("South Korea's newsletter industry grew.", False),
        ("", False),
    ],
)
def test_is_series_blurb(text: str, expected: bool) -> None:
    assert is_series_blurb(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Korea View was edited by Yong Kwon.", True),
        (CAPTURED_CREDIT, True),
        ("Korea View is edited by Yong Kwon and Sang Kim.", True),
        ("This issue of Korea View was compiled by Ellen Kim.", True),
        ("This week’s issue of Korea View was edited by Yong Kwon.", True),
        ("Korea View is produced and edited by Yong Kwon with the help of 김지윤.", True),
        ("Korea View has been prepared by Jenna Gibson.", True),
        ("Korea View was written by students.", True),
        ("Korea View readers edited by hand.", False),
        ("The report was edited by Yong Kwon.", False),
        (CAPTURED_BLURB, False),
    ],
)
def test_is_credit_line(text: str, expected: bool) -> None:
    assert is_credit_line(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Picture of Seoul at night.", True),
        ("Photo from the Presidential Office.", True),
        ("Photo by Yonhap.", True),
        ("Image: A cargo ship.", True),
        ("Photo of a ship", True),
        ("Photographers gathered in Seoul.", False),
        ("Pictures can deceive.", False),
        ("", False),
    ],
)
def test_is_caption_sentence(text: str, expected: bool) -> None:
    assert is_caption_sentence(text) is expected


@pytest.mark.parametrize(
    ("text", "credit", "caption"),
    [
        (
            CAPTURED_CREDIT,
            "Korea View was edited by Yong Kwon with the help of Jae Chang, Kaitlyn King, Yu Na Choi, and Mai"
            " Anna Pressley.",
            "Picture of South Korea and Mexico signing an agreement to cooperate in trade and culture on March"
            " 17, 1969.",
        ),
        ("Korea View was edited by Yong Kwon.", "Korea View was edited by Yong Kwon.", None),
        (
            "Korea View was edited by J. Kim and Sang Kim Jr. Photo from the Blue House.",
            "Korea View was edited by J. Kim and Sang Kim Jr.",
            "Photo from the Blue House.",
        ),
        (
            "Korea View was edited by Yong Kwon. Image: Cheong Wa Dae, Seoul.",
            "Korea View was edited by Yong Kwon.",
            "Image: Cheong Wa Dae, Seoul.",
        ),
        (
            "Korea View was edited by Yong Kwon with the help of Photo Kim. Photo by Yonhap.",
            "Korea View was edited by Yong Kwon with the help of Photo Kim.",
            "Photo by Yonhap.",
        ),
    ],
)
def test_split_credit_and_caption(text: str, credit: str, caption: str | None) -> None:
    assert split_credit_and_caption(text) == (credit, caption)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Photo by Yonhap. Photo by Yonhap.", "Photo by Yonhap."),
        ("Photo by Yonhap.  Photo by Yonhap.", "Photo by Yonhap."),
        ("Photo by Yonhap.", "Photo by Yonhap."),
        ("Photo by Yonhap. Photo by AP.", "Photo by Yonhap. Photo by AP."),
        ("a a", "a"),
        ("aa", "aa"),
        ("", ""),
    ],
)
def test_collapse_repeat(text: str, expected: str) -> None:
    assert collapse_repeat(text) == expected
    assert collapse_repeat(expected) == expected


@pytest.mark.parametrize(
    ("body", "caption", "expected"),
    [
        ("One.\n\nPhoto by Yonhap.\n\nTwo.", "Photo by Yonhap.", "One.\n\nTwo."),
        ("One. Photo by Yonhap.", "Photo by Yonhap.", "One."),
        ("One.\n\nTwo.", "Photo by Yonhap.", "One.\n\nTwo."),
        ("One.\n\nTwo.", None, "One.\n\nTwo."),
        ("Photo by Yonhap.", "Photo by Yonhap.", ""),
        ("", "Photo by Yonhap.", ""),
    ],
)
def test_strip_caption(body: str, caption: str | None, expected: str) -> None:
    assert strip_caption(body, caption) == expected


def test_content_hash_is_stable_and_sensitive() -> None:
    """Over the values as the page object cleaned them (white space it ignores: test_pages.py)."""
    base = content_hash("T", date(2022, 7, 24), "Body.", "Picture of x.")
    assert len(base) == 64
    assert content_hash("T", date(2022, 7, 24), "Body.", "Picture of x.") == base
    changed = [
        content_hash("T2", date(2022, 7, 24), "Body.", "Picture of x."),
        content_hash("T", date(2022, 7, 25), "Body.", "Picture of x."),
        content_hash("T", None, "Body.", "Picture of x."),
        content_hash("T", date(2022, 7, 24), "Body!", "Picture of x."),
        content_hash("T", date(2022, 7, 24), "Body.", None),
        # the parts are kept apart: moving text from one field to the next changes the hash
        content_hash("TBody.", date(2022, 7, 24), "", "Picture of x."),
    ]
    assert base not in changed
    assert len(set(changed)) == len(changed)
