"""A reader that goes away (``kei-crawler diff --format json | head -1``, ``| true``) is not a failure:
no traceback, and the command's own exit code."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kei_crawler.commands import main
from tests.support.snapshots import two_snapshots


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return two_snapshots(tmp_path / "out")


@contextlib.contextmanager
def closed_stdout() -> Iterator[int]:
    """sys.stdout on a pipe whose reading end is closed: every write to it fails with EPIPE. Installed in
    the test's body: pytest's capture sets sys.stdout again when the test starts."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    stream = io.TextIOWrapper(io.BufferedWriter(io.FileIO(write_end, "w")), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdout", stream)
        yield write_end
    stream.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "--format", "json"],
        ["diff", "--format", "text"],
        ["diff", "--format", "csv"],
        ["diff", "--format", "markdown"],
        ["snapshots"],
        ["feed", "--output", "-"],
    ],
)
def test_a_closed_stdout_keeps_the_exit_code(
    argv: list[str], archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Point 13: ``diff --format json | true`` ended in a BrokenPipeError traceback."""
    monkeypatch.chdir(tmp_path)  # where today's main writes a file named "-"
    expected = 1 if argv[0] == "diff" else 0
    with closed_stdout() as fd:
        assert main([*argv, "--output-dir", str(archive)]) == expected
        sys.stdout.flush()  # what the interpreter does at exit: it must not fail either
        assert os.path.samestat(os.fstat(fd), os.stat(os.devnull))  # as the Python docs advise
    assert "Traceback" not in capsys.readouterr().err


def test_a_reader_that_left_early_leaves_the_since_last_cursor_unmoved(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cursor = archive / "cursors" / "diff.json"
    with closed_stdout():
        assert main(["diff", "--since-last", "--format", "json", "--output-dir", str(archive)]) == 1
    assert not cursor.exists()  # the changes were never read: shown again next time
    assert main(["diff", "--since-last", "--format", "json", "--output-dir", str(archive)]) == 1
    assert cursor.exists()
    assert "Traceback" not in capsys.readouterr().err
