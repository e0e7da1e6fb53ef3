from datetime import date

import pytest

from kei_crawler.items import EXTRACTED, Brief
from kei_crawler.run.counts import fill_rates, filled_fields


@pytest.mark.parametrize(
    ("changes", "filled"),
    [
        ({}, ["title", "body"]),
        (
            {"authors": ["Sang Kim"], "photo_caption": "Picture of x."},
            ["title", "authors", "body", "photo_caption"],
        ),
        ({"published": date(2022, 7, 24), "series": "", "credits": None}, ["title", "published", "body"]),
    ],
)
def test_filled_fields(changes: dict[str, object], filled: list[str]) -> None:
    brief = Brief(url="https://keia.org/the-peninsula/x/", title="T", body="B", **changes)  # type: ignore[arg-type]
    assert filled_fields(brief) == filled


def test_fill_rates() -> None:
    stats = {"kei/filled/title": 4, "kei/filled/photo_caption": 1}
    rates = fill_rates(stats, 4)
    assert set(rates) == set(EXTRACTED)
    assert rates["title"] == 1.0 and rates["photo_caption"] == 0.25 and rates["body"] == 0.0
    assert fill_rates(stats, 0)["title"] == 0.0
