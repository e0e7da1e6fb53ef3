"""The readable diff of a changed brief (storage/snapshot/textdiff.py), table-driven, and where it is
carried: diff's changed table, JSON, CSV, markdown, text and the Parquet change table."""

from __future__ import annotations

import csv
import difflib
import io
import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from rich.console import Console

from kei_crawler.monitor import formats
from kei_crawler.monitor.sources import Source
from kei_crawler.storage.snapshot.diff import diff
from kei_crawler.storage.snapshot.schema import to_table
from kei_crawler.storage.snapshot.textdiff import CONTEXT_LINES, cap, field_diff, sentences, text_diff
from tests.support.snapshots import brief, edit

SENTENCES = [
    ("One. Two.", ["One.", "Two."]),
    ("GDP grew 2.5% in 2024. Exports fell.", ["GDP grew 2.5% in 2024.", "Exports fell."]),
    ('He said "no." Then left.', ['He said "no."', "Then left."]),
    ("First paragraph.\n\nSecond one", ["First paragraph.", "Second one"]),
    ("- a list item\n- another", ["- a list item", "- another"]),
    ("Is it? Yes! 3 more.", ["Is it?", "Yes!", "3 more."]),
    ("the U.S. and the R.O.K. agreed", ["the U.S. and the R.O.K. agreed"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


BODY = "Seoul hosted talks. The delegates met twice. Trade rose 4%.\n\nA second paragraph follows."
DIFFS = [
    # (old, new, lines expected in the diff, lines that must not be in it)
    ({"body": BODY}, {"body": BODY}, [], ["---"]),
    (
        {"body": BODY},
        {"body": BODY.replace("rose 4%", "rose 5%")},
        ["--- body (before)", "+++ body (after)", "-Trade rose 4%.", "+Trade rose 5%.",
         " The delegates met twice."],
        [" Seoul hosted talks."],  # one sentence of context, not the whole body
    ),
    (
        {"body": BODY},
        {"body": BODY + "\n\nA closing note."},
        ["+A closing note.", " A second paragraph follows."],
        ["-A second paragraph follows."],
    ),
    (
        {"title": "Old title", "body": BODY, "photo_caption": "A caption."},
        {"title": "New title", "body": BODY, "photo_caption": None},
        ["--- title (before)", "-Old title", "+New title", "--- photo_caption (before)", "-A caption."],
        ["--- body (before)"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "present", "absent"), DIFFS)
def test_text_diff(old: dict, new: dict, present: list[str], absent: list[str]) -> None:
    lines = text_diff(old, new).split("\n")
    for line in present:
        assert line in lines
    for line in absent:
        assert line not in lines
    if not present:
        assert text_diff(old, new) == ""


CAPS = [
    (["a" * 10, "b" * 10, "c" * 10], 100, ["a" * 10, "b" * 10, "c" * 10]),
    (["a" * 10, "b" * 10, "c" * 10], 22, ["a" * 10, "b" * 10, "… 1 more line of diff not shown"]),
    (["a" * 10, "b" * 10, "c" * 10], 11, ["a" * 10, "… 2 more lines of diff not shown"]),
    (["x" * 50, "y"], 10, ["x" * 9 + "…", "… 1 more line of diff not shown"]),
    (["x" * 50], 10, ["x" * 9 + "…"]),
]


@pytest.mark.parametrize(("lines", "limit", "expected"), CAPS)
def test_cap(lines: list[str], limit: int, expected: list[str]) -> None:
    assert cap(lines, limit).split("\n") == expected


def test_a_rewritten_body_is_capped() -> None:
    old = {"body": " ".join(f"Sentence {n} of the old text." for n in range(2000))}
    new = {"body": " ".join(f"Sentence {n} of the new text." for n in range(2000))}
    shown = text_diff(old, new, limit=2000)
    assert len(shown) < 2100 and shown.endswith("of diff not shown")


def changes_with_an_edit() -> tuple:
    a, b, c = brief("a"), brief("b"), brief("c")
    old = to_table([a, b, c])
    new = to_table([
        edit(a, body=a.body.replace("Paragraph 3 says", "Paragraph three says")),
        edit(b, published=date(2025, 5, 2)),  # not a text field: no text diff
        c,
    ])  # fmt: skip
    return diff(old, new), Source("old", Path("old")), Source("new", Path("new"))


def test_the_diff_is_carried_in_every_format(tmp_path: Path) -> None:
    changes, old, new = changes_with_an_edit()
    by_slug = dict(zip(changes.changed["slug"].to_pylist(), changes.changed["text_diff"].to_pylist(),
                       strict=True))  # fmt: skip
    assert by_slug["b"] is None
    assert "+a: Paragraph 0" not in by_slug["a"] and "+Paragraph three says" in by_slug["a"]
    document = json.loads(formats.to_json(changes, old, new))
    assert {e["text_diff"] for e in document["changed"]} == {by_slug["a"], None}
    rows = {r["brief_id"]: r for r in csv.DictReader(io.StringIO(formats.to_csv(changes)))}
    assert sorted(r["text_diff"] for r in rows.values()) == ["", by_slug["a"]]
    markdown = formats.to_markdown(changes, old, new)
    assert "  ```diff\n  --- body (before)\n" in markdown and "  +Paragraph three says" in markdown
    buffer = io.StringIO()
    formats.print_text(Console(file=buffer, width=100), changes, old, new)
    assert "+Paragraph three says" in buffer.getvalue() and "\x1b[" not in buffer.getvalue()
    formats.write_change_table(changes, old, new, tmp_path / "c.parquet")
    table = pq.read_table(tmp_path / "c.parquet")
    assert sorted(filter(None, table["text_diff"].to_pylist())) == [by_slug["a"]]


def test_piped_text_keeps_each_diff_line_whole() -> None:
    changes, old, new = changes_with_an_edit()
    diff_lines = next(filter(None, changes.changed["text_diff"].to_pylist())).split("\n")
    buffer = io.StringIO()
    formats.print_text(Console(file=buffer, width=40), changes, old, new)  # narrower than the diff lines
    printed = buffer.getvalue().split("\n")
    assert all(line in printed for line in diff_lines if len(line) > 40)
    assert any(len(line) > 40 for line in diff_lines)


def test_a_fence_is_longer_than_any_backticks_inside() -> None:
    assert formats.fence("plain") == "```"
    assert formats.fence("code ```` inside") == "`````"


LONG = "\n\n".join(f"Paragraph {n} opens. It goes on {n} times. It ends here." for n in range(8))
EDITS = [
    LONG.replace("Paragraph 0 opens.", "Paragraph zero opens."),
    LONG.replace("It goes on 4 times.", "It goes on four times."),
    LONG.replace("It ends here.", "It stops.", 1) + "\n\nA new last one.",
    LONG.rsplit("\n\n", 1)[0],
    LONG.replace("Paragraph 3 opens. It goes on 3 times. It ends here.\n\n", ""),
    "- a new list item\n" + LONG,
]


@pytest.mark.parametrize("edited", EDITS)
def test_leaving_out_shared_paragraphs_changes_nothing(edited: str) -> None:
    """The hunks, their line numbers included, are those of the diff of every sentence of both texts."""
    whole = difflib.unified_diff(sentences(LONG), sentences(edited), fromfile="body (before)",
                                 tofile="body (after)", n=CONTEXT_LINES, lineterm="")  # fmt: skip
    assert field_diff("body", LONG, edited) == list(whole)
