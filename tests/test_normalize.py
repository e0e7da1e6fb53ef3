"""Table tests for kei_crawler.normalize: each function over the forms the site has used."""

from __future__ import annotations

from datetime import date

import pytest

from kei_crawler.normalize import (
    clean_body,
    clean_list,
    clean_optional,
    clean_text,
    clean_title,
    content_hash,
    is_caption_sentence,
    is_credit_line,
    is_series_blurb,
    parse_published,
    split_credit_and_caption,
    split_names,
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
    ],
)
def test_parse_published(raw: str, expected: date | None) -> None:
    assert parse_published(raw) == expected


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


def test_content_hash_is_stable_and_sensitive() -> None:
    base = content_hash("T", date(2022, 7, 24), "Body.", "Picture of x.")
    assert len(base) == 64
    assert content_hash(" T ", date(2022, 7, 24), "Body.\n\n", " Picture of x. ") == base
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
