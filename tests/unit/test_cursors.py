from __future__ import annotations

from pathlib import Path

import pytest

from kei_crawler.run import cursors
from kei_crawler.run.layout import OutputLayout


@pytest.fixture
def layout(tmp_path: Path) -> OutputLayout:
    return OutputLayout.of(tmp_path)


def test_a_cursor_is_absent_until_written_then_read_back(layout: OutputLayout) -> None:
    assert cursors.read(layout, "notify-x") is None
    cursors.write(layout, "notify-x", "2026-12-01T000000Z", {"failed": ["smtp"]})
    cursor = cursors.read(layout, "notify-x")
    assert cursor is not None
    assert (cursor.crawl_id, cursor.extra) == ("2026-12-01T000000Z", {"failed": ["smtp"]})
    assert not list((layout.root / "cursors").glob(".*"))  # no temporary left beside it


def test_a_cursor_moves_forward_only(layout: OutputLayout) -> None:
    cursors.write(layout, "diff", "2026-12-02T000000Z")
    cursors.write(layout, "diff", "2026-12-02T000000Z")  # staying put is fine
    with pytest.raises(cursors.CursorError, match="does not move back"):
        cursors.write(layout, "diff", "2026-12-01T000000Z")


@pytest.mark.parametrize(
    ("name", "crawl_id", "message"),
    [
        ("../up", "2026-12-01T000000Z", "cursor name"),
        ("Diff", "2026-12-01T000000Z", "cursor name"),
        ("diff", "yesterday", "crawl id"),
    ],
)
def test_bad_names_and_ids_are_refused(layout: OutputLayout, name: str, crawl_id: str, message: str) -> None:
    with pytest.raises(cursors.CursorError, match=message):
        cursors.write(layout, name, crawl_id)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "cannot be read"),
        ("[]", "cannot be read"),
        ('{"crawl_id": "x", "moved_at": "t"}', "not a crawl id"),
    ],
)
def test_a_damaged_cursor_is_one_line(layout: OutputLayout, content: str, message: str) -> None:
    (layout.root / "cursors").mkdir()
    (layout.root / "cursors" / "diff.json").write_text(content)
    with pytest.raises(cursors.CursorError, match=message):
        cursors.read(layout, "diff")


def test_a_linked_cursor_or_folder_is_refused(layout: OutputLayout, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (layout.root / "cursors").symlink_to(outside)
    with pytest.raises(cursors.CursorError, match="where kei-crawler keeps its cursors"):
        cursors.write(layout, "diff", "2026-12-01T000000Z")
    assert not list(outside.iterdir())
