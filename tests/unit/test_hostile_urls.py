"""Hostile names: a crawl id that tries to leave the output folder is refused before anything is written
(hostile links and the crawl command: tests/e2e/test_hostile_urls.py)."""

from __future__ import annotations

import pytest

from kei_crawler.config import ConfigError, KeiConfig
from kei_crawler.run.layout import OutputLayout


def check_crawl_id(value: str) -> str:
    return KeiConfig.from_settings({"KEI_CRAWL_ID": value}).crawl_id


@pytest.mark.parametrize(
    "value", ["../../x", "a/b", "..", ".", "/etc/x", "a\\b", "a\x00b", ".hidden", "x" * 101, "a b"]
)
def test_a_crawl_id_that_is_a_path_is_a_usage_error(value: str) -> None:
    with pytest.raises(ConfigError, match="KEI_CRAWL_ID must be a crawl id like"):
        check_crawl_id(value)
    with pytest.raises(ValueError, match="is not a crawl id"):
        OutputLayout.of("out").tmp_dir(value)  # the last guard, should a crawl id come from elsewhere


@pytest.mark.parametrize("value", ["", "2026-11-29T043512Z"])  # other names: test_newest_snapshot.py
def test_plain_crawl_ids_pass(value: str) -> None:
    assert check_crawl_id(value) == value
