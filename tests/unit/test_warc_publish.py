"""A WARC is moved into warc/ whole, with its index, or not at all: a publish that fails half way takes
back the parts it had moved (else the next crawl would index them, and publish a WARC no snapshot names)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kei_crawler.storage import failpoints
from kei_crawler.storage.warc.catalog import unindexed_parts
from kei_crawler.storage.warc.parts import Exchange, WarcParts


@pytest.fixture
def enospc_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(failpoints.ENV, "warc.before_index_rename:enospc")
    failpoints.reset()
    yield
    monkeypatch.delenv(failpoints.ENV)
    failpoints.reset()


def _parts(directory: Path) -> WarcParts:
    parts = WarcParts(directory, "2026-11-29T000000Z", {"software": "test"})
    parts.capture(
        Exchange(
            url="http://127.0.0.1/the-peninsula/a/", method="GET", request_headers=[], request_body=b"",
            status=200, response_headers=[("Content-Type", "text/html")], body=b"<html>a</html>",
            received_at=datetime(2026, 11, 29, tzinfo=UTC),
        )
    )  # fmt: skip
    return parts


def test_a_publish_that_fails_before_the_index_takes_its_parts_back(tmp_path: Path, enospc_at: None) -> None:
    warc = tmp_path / "warc"
    warc.mkdir()
    (warc / "earlier.warc.gz").write_bytes(b"an earlier crawl's")
    (warc / "earlier.cdxj").write_text("its index\n")
    with pytest.raises(OSError, match="No space left"):
        _parts(tmp_path / "job").publish(warc)
    assert sorted(os.listdir(warc)) == ["earlier.cdxj", "earlier.warc.gz"]
    assert unindexed_parts(warc) == {}


def test_a_dangling_link_where_the_warc_goes_is_a_clash(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    warc.mkdir()
    (warc / "2026-11-29T000000Z.warc.gz").symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        _parts(tmp_path / "job").publish(warc)
    assert (warc / "2026-11-29T000000Z.warc.gz").is_symlink() and not (tmp_path / "nowhere").exists()
