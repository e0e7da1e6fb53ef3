"""Briefs listed but never captured are asked for again by every crawl until captured or gone: the
records carried from crawl to crawl (the crawls themselves: tests/e2e/test_outstanding.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from kei_crawler.run import outstanding
from kei_crawler.run.outstanding import Outstanding

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 1, 2, tzinfo=UTC)
A = Outstanding("a", "http_500", T0.isoformat(), 1)


@pytest.mark.parametrize(
    ("previous", "failures", "archived", "gone", "expected"),
    [
        ({}, {}, [], [], {}),
        # A new failure starts its record; a second failure keeps the first date and counts the attempt.
        ({}, {"a": "http_500"}, [], [], {"a": A}),
        ({"a": A}, {"a": "timeout"}, [], [], {"a": Outstanding("a", "timeout", T0.isoformat(), 2)}),
        # Captured now, or gone: no longer outstanding.
        ({"a": A}, {}, ["a"], [], {}),
        ({"a": A}, {}, [], ["a"], {}),
        # Not tried this time (an interrupted crawl resumed): kept as it was.
        ({"a": A}, {}, [], [], {"a": A}),
        # A failure of an archived brief is its row's refresh_error, not outstanding.
        ({}, {"b": "http_503"}, ["b"], [], {}),
    ],
)
def test_carry(
    previous: dict[str, Outstanding],
    failures: dict[str, str],
    archived: list[str],
    gone: list[str],
    expected: dict[str, Outstanding],
) -> None:
    now = T0 if not previous else T1
    assert outstanding.carry(previous, failures, archived=archived, gone=gone, now=now) == expected


@pytest.mark.parametrize("raw", [None, "", "not json", "[{}]", '{"a": 1}'])
def test_a_missing_or_damaged_record_means_none(raw: str | None) -> None:
    assert outstanding.decode(raw) == {}


def test_encode_decode_round_trip() -> None:
    records = {"b": Outstanding("b", "x", T1.isoformat(), 3), "a": A}
    assert outstanding.decode(json.dumps(outstanding.encode(records))) == records
