"""Path arguments of every command: an empty path, a path that is not UTF-8, a missing file, a folder for a
file or a file for a folder is one line on stderr and exit 2, before anything is crawled or written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kei_crawler.commands import demo, main
from kei_crawler.config import ConfigError, KeiConfig
from kei_crawler.run.outcome import ExitCode
from tests.support.snapshots import brief, two_snapshots, write_snapshot

NOT_UTF8 = os.fsdecode(b"out\xff")  # as Python hands a non-UTF-8 argument to the program (surrogateescape)


class Started(Exception):
    """Raised by a stand-in for the crawl or the demo: reaching it means the bad path was let through."""


@pytest.fixture
def no_crawl(monkeypatch: pytest.MonkeyPatch) -> None:
    def started(*args: Any, **kwargs: Any) -> None:
        raise Started

    monkeypatch.setattr("kei_crawler.jobs.crawl.run_crawl", started)
    monkeypatch.setattr("kei_crawler.jobs.reextract.reextract", started)
    monkeypatch.setattr(demo, "run_demo", started)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return two_snapshots(tmp_path / "out")


def one_line_usage_error(code: int, capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, err
    assert err.startswith("kei-crawler: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err
    return err


@pytest.mark.parametrize("command", ["crawl", "demo", "reextract", "diff", "feed", "snapshots", "wacz"])
def test_an_empty_output_dir_is_refused_not_read_as_output(
    command: str, no_crawl: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Point 10: ``--output-dir ""`` never silently means ./output (and a crawl of the real site)."""
    monkeypatch.chdir(tmp_path)
    write_snapshot(tmp_path / "output", "2026-01-01T000000Z", [brief("b0")])
    write_snapshot(tmp_path / "output", "2026-01-02T000000Z", [brief("b1")])
    extra = {
        "reextract": ["x.warc.gz"],
        "feed": ["--output", "feed.xml"],
        "wacz": ["--output", "kei.wacz"],
    }.get(command, [])
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code = main([command, *extra, "--output-dir", ""])
    one_line_usage_error(code, capsys, "--output-dir", "empty")
    code = main([command, *extra, "--output-dir", " "])
    one_line_usage_error(code, capsys, "--output-dir", "empty")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_output_dir_setting_is_refused(
    value: str, no_crawl: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)  # today's main takes the current folder for an output directory
    code = main(["crawl", "-s", f"KEI_OUTPUT_DIR={value}"])
    one_line_usage_error(code, capsys, "KEI_OUTPUT_DIR", "empty")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["crawl", "--output-dir", NOT_UTF8],
        ["crawl", "-s", f"KEI_OUTPUT_DIR={NOT_UTF8}"],
        ["crawl", "-s", f"JOBDIR={NOT_UTF8}"],
        ["demo", "--output-dir", NOT_UTF8],
        ["reextract", NOT_UTF8],
        ["diff", NOT_UTF8, "2026-01-02T000000Z"],
        ["diff", "--output", f"{NOT_UTF8}.parquet"],
        ["feed", "--output", NOT_UTF8],
        ["wacz", "--output", f"{NOT_UTF8}.wacz"],
        ["wacz", "--output", "kei.wacz", "--output-dir", NOT_UTF8],
        ["snapshots", "--output-dir", NOT_UTF8],
    ],
)
def test_a_path_that_is_not_utf8_is_refused_before_anything_starts(
    argv: list[str], no_crawl: None, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Point 11: Parquet metadata, the manifest and WARC headers hold paths as UTF-8; such a path crawled
    the whole site, then failed with a UnicodeEncodeError."""
    monkeypatch.chdir(tmp_path)
    named = "--output-dir" in argv or any(arg.startswith("KEI_OUTPUT_DIR=") for arg in argv)
    command = argv if named else [*argv, "--output-dir", str(archive)]
    code = main(command)
    one_line_usage_error(code, capsys, "UTF-8")
    assert not any(os.fsencode(p.name).endswith(b"\xff") for p in tmp_path.rglob("*"))


@pytest.mark.parametrize("briefs", ["100000000", str(10**30), "10001"])
def test_demo_size_is_bounded(
    briefs: str, no_crawl: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Point 12: ``demo --briefs 100000000`` built replica dates before year 1 (OverflowError)."""
    monkeypatch.chdir(tmp_path)
    one_line_usage_error(main(["demo", "--briefs", briefs]), capsys, "--briefs", "10000")


def wrong_paths(tmp_path: Path) -> dict[str, Path]:
    """Every kind of path a user can get wrong."""
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a snapshot")
    a_dir = tmp_path / "a-dir"
    a_dir.mkdir()
    fifo = tmp_path / "a-fifo"
    os.mkfifo(fifo)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    return {
        "missing": tmp_path / "missing",
        "directory": a_dir,
        "under a file": a_file / "x",
        "fifo": fifo,
        "dangling symlink": dangling,
        "symlink loop": loop,
        "name too long": tmp_path / ("x" * 5000),
        "not a snapshot": a_file,
    }


@pytest.mark.parametrize(
    "kind",
    ["missing", "directory", "under a file", "fifo", "dangling symlink", "symlink loop", "name too long",
     "not a snapshot"],
)  # fmt: skip
def test_diff_old_new_that_are_not_snapshot_files(
    kind: str, archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = wrong_paths(tmp_path)[kind]
    new = str(archive / "snapshots" / "snapshot=2026-01-02T000000Z")
    one_line_usage_error(main(["diff", str(bad), new, "--output-dir", str(archive)]), capsys)
    one_line_usage_error(main(["diff", new, str(bad), "--output-dir", str(archive)]), capsys)
    if kind != "missing":  # OLD and NEW as crawl ids, looked up in an output directory that cannot be one
        code = main(["diff", "2026-01-01T000000Z", "2026-01-02T000000Z", "--output-dir", str(bad)])
        one_line_usage_error(code, capsys)


@pytest.mark.parametrize(
    "kind", ["directory", "under a file", "fifo", "dangling symlink", "symlink loop", "name too long"]
)
def test_reextract_warcs_that_are_not_files(
    kind: str, no_crawl: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = wrong_paths(tmp_path)[kind]
    out = tmp_path / "out"
    one_line_usage_error(main(["reextract", str(bad), "--output-dir", str(out)]), capsys, "WARC")
    assert not out.exists()  # refused before the output directory was made


@pytest.mark.parametrize("kind", ["missing", "under a file", "fifo", "name too long", "not a snapshot"])
@pytest.mark.parametrize("command", ["diff", "feed", "snapshots", "wacz"])
def test_output_dirs_that_are_not_folders(
    kind: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = wrong_paths(tmp_path)[kind]
    outputs = {
        "feed": ["--output", str(tmp_path / "feed.xml")],
        "wacz": ["--output", str(tmp_path / "kei.wacz")],
    }
    extra = outputs.get(command, [])
    one_line_usage_error(main([command, *extra, "--output-dir", str(bad)]), capsys, "--output-dir")


@pytest.mark.parametrize("kind", ["under a file", "fifo", "name too long", "not a snapshot"])
@pytest.mark.parametrize("command", ["crawl", "demo", "reextract"])
def test_output_dirs_that_cannot_be_folders(
    kind: str, command: str, no_crawl: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = wrong_paths(tmp_path)[kind]
    warc = tmp_path / "x.warc.gz"
    warc.write_bytes(b"")
    extra = [str(warc)] if command == "reextract" else []
    one_line_usage_error(main([command, *extra, "--output-dir", str(bad)]), capsys, "--output-dir")


@pytest.mark.parametrize("kind", ["empty", "not UTF-8", "name too long", "under a file", "symlink loop"])
def test_evaluate_fixtures_that_cannot_be_a_folder(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # "" read as the current folder, today
    paths = {"empty": "", "not UTF-8": NOT_UTF8} | {k: str(v) for k, v in wrong_paths(tmp_path).items()}
    code = main(["evaluate", paths[kind], "--no-baseline"])
    one_line_usage_error(code, capsys, "FIXTURES")


def test_an_output_dir_setting_with_a_nul_is_refused() -> None:
    """Only a settings module or Scrapyd can pass one (argv cannot); os.stat() would raise ValueError."""
    with pytest.raises(ConfigError, match="NUL"):
        KeiConfig.from_settings({"KEI_OUTPUT_DIR": "out\x00put"})
