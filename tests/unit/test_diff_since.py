"""``diff --since ID`` and ``diff --since-last``: the net change over several snapshots, and the cursor."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest

from kei_crawler.commands import main
from kei_crawler.run import cursors
from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import store
from tests.support.snapshots import brief, edit, write_snapshot

S1, S2, S3, S4 = "2026-01-01T000000Z", "2026-01-02T000000Z", "2026-01-03T000000Z", "2026-01-04T000000Z"
A, B, C = brief("a"), brief("b"), brief("c")
B2 = edit(B, body=B.body.replace("Paragraph 1 says", "Paragraph one says"))
B3 = edit(B2, body=B2.body.replace("Paragraph one says", "Paragraph I says"))
D, E = brief("d"), brief("e")


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """s1: a b c · s2: b edited, d new · s3: b edited again, c gone, d gone again, e new."""
    out = tmp_path / "out"
    write_snapshot(out, S1, [A, B, C])
    write_snapshot(out, S2, [A, B2, C, D])
    write_snapshot(out, S3, [A, B3, E])
    return out


def run_json(capsys: pytest.CaptureFixture[str], out: Path, *argv: str) -> tuple[int, dict, str]:
    code = main(["diff", *argv, "--format", "json", "--output-dir", str(out)])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else {}, captured.err


def slugs(entries: list[dict]) -> list[str]:
    return sorted(entry["url"].rstrip("/").rsplit("/", 1)[1] for entry in entries)


def test_since_is_the_net_change_to_the_newest(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document, err = run_json(capsys, archive, "--since", S1)
    assert (code, err) == (1, "")
    assert (document["old"]["snapshot"], document["new"]["snapshot"]) == (S1, S3)
    # d came and went inside the span: no news. b was edited twice: one change, first text → last text.
    assert document["counts"] == {"added": 1, "removed": 1, "changed": 1, "moved": 0}
    assert slugs(document["added"]) == ["e"] and slugs(document["removed"]) == ["c"]
    lines = document["changed"][0]["text_diff"].split("\n")
    assert "-b: Paragraph 0 says something about the Korean peninsula and its economy." not in lines
    assert "-Paragraph 1 says something about the Korean peninsula and its economy." in lines
    assert "+Paragraph I says something about the Korean peninsula and its economy." in lines
    assert not any("Paragraph one says" in line for line in lines)  # the edit in between is not shown


def test_since_the_newest_is_no_change(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document, _ = run_json(capsys, archive, "--since", S3)
    assert code == 0 and document["counts"] == {"added": 0, "removed": 0, "changed": 0, "moved": 0}
    assert not (archive / "cursors").exists()  # --since is a look, not a reader's bookmark


def test_since_last_walks_forward_and_shows_nothing_twice(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = OutputLayout.of(archive)
    code, document, _ = run_json(capsys, archive, "--since-last")
    # The first time: the two newest, as a bare diff; then the cursor is at the newest.
    assert code == 1 and (document["old"]["snapshot"], document["new"]["snapshot"]) == (S2, S3)
    assert cursors.read(layout, "diff").crawl_id == S3  # type: ignore[union-attr]
    code, document, _ = run_json(capsys, archive, "--since-last")
    assert code == 0 and not any(document["counts"].values())
    write_snapshot(archive, S4, [A, B3, E, brief("f")])
    code, document, _ = run_json(capsys, archive, "--since-last")
    assert code == 1 and document["old"]["snapshot"] == S3 and slugs(document["added"]) == ["f"]
    assert cursors.read(layout, "diff").crawl_id == S4  # type: ignore[union-attr]


def test_since_last_on_a_first_snapshot_reports_nothing_and_starts_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    write_snapshot(out, S1, [A, B])
    code, document, err = run_json(capsys, out, "--since-last")
    assert (code, err) == (0, "") and not any(document["counts"].values())
    write_snapshot(out, S2, [A, B, C])
    code, document, _ = run_json(capsys, out, "--since-last")
    assert code == 1 and document["old"]["snapshot"] == S1 and slugs(document["added"]) == ["c"]


def test_since_last_after_its_snapshot_was_pruned(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cursors.write(OutputLayout.of(archive), "diff", S2)
    shutil.rmtree(store.snapshot_dir(archive, S2))
    code, document, err = run_json(capsys, archive, "--since-last")
    assert code == 1 and document["old"]["snapshot"] == S1
    assert f"snapshot {S2}, where the diff cursor is, is gone; diffing from {S1}" in err


def test_since_last_with_a_failed_output_leaves_the_cursor(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "blocked.json").mkdir()  # a folder where the file should go
    code = main(["diff", "--since-last", "--output", str(tmp_path / "blocked.json"),
                 "--output-dir", str(archive)])  # fmt: skip
    assert code == 2 and capsys.readouterr().err.startswith("kei-crawler: ")
    assert cursors.read(OutputLayout.of(archive), "diff") is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", S1, S1, S3], "--since compares with the newest snapshot; give it without OLD NEW"),
        (["--since-last", S1, S3], "--since-last compares with the newest snapshot"),
        (["--since", "2025-01-01T000000Z"], "no snapshot 2025-01-01T000000Z in"),
        (["--since", "nowhere"], "--since"),
        (["--since", S1, "--since-last"], "not allowed with argument"),
    ],
)
def test_refusals(archive: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    argparse_refuses = "--since-last" in argv and "--since" in argv
    with pytest.raises(SystemExit) if argparse_refuses else contextlib.nullcontext():
        assert main(["diff", *argv, "--output-dir", str(archive)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kei-crawler: ") and message in err and err.count("\n") == 1


def test_a_cursor_ahead_of_the_archive_is_refused(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cursors.write(OutputLayout.of(archive), "diff", S4)
    assert main(["diff", "--since-last", "--output-dir", str(archive)]) == 2
    assert f"the diff cursor is at {S4}, after the newest snapshot {S3}" in capsys.readouterr().err
