"""What ``diff --output`` and ``feed --output`` write: never over the archive, in the format the file's
name says, to standard output for ``-``, and whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kei_crawler.commands import main
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.snapshots import brief, edit, write_snapshot

OLD, NEW = "2026-01-01T000000Z", "2026-01-02T000000Z"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    first = [brief(f"b{n}") for n in range(4)]
    write_snapshot(out, OLD, first)
    write_snapshot(out, NEW, [edit(first[0], title="Edited"), *first[1:3], brief("b9")])
    layout = OutputLayout.of(out)
    layout.warc.mkdir()
    layout.warc_file(NEW).write_bytes(b"a WARC")
    layout.cdxj(NEW).write_bytes(b"an index")
    layout.runs.mkdir()
    layout.manifest(NEW).write_text("{}")
    layout.lock_file.write_text("")
    layout.latest.symlink_to(f"snapshots/snapshot={NEW}")
    return out


def archive_files(out: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def refused(code: int, capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, err
    assert err.startswith("kei-crawler: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def published_targets(out: Path) -> dict[str, Path]:
    layout = OutputLayout.of(out)
    return {
        "snapshot": store.snapshot_path(out, NEW),
        "other snapshot": store.snapshot_path(out, OLD),
        "new file in a snapshot folder": layout.snapshot_dir(NEW) / "changes.parquet",
        "snapshots folder": layout.snapshots / "changes.parquet",
        "warc": layout.warc_file(NEW),
        "cdxj": layout.cdxj(NEW),
        "new file in warc": layout.warc / "changes.parquet",
        "manifest": layout.manifest(NEW),
        "runs": layout.runs / "feed.json",
        "lock": layout.lock_file,
        "views database": layout.views_database,
        "through latest": layout.latest / "changes.parquet",
        "tmp": layout.tmp / "x.parquet",
        "job": layout.default_jobdir / "x.parquet",
    }


@pytest.mark.parametrize("what", list(published_targets(Path("out"))))
@pytest.mark.parametrize("command", ["diff", "feed"])
def test_output_never_overwrites_the_archive(
    what: str, command: str, archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Point 3: ``diff --output`` replaced a published snapshot with a change table; ``feed --output``
    wrote XML over it."""
    target = published_targets(archive)[what]
    before = archive_files(archive)
    code = main([command, "--output-dir", str(archive), "--output", str(target)])
    err = refused(code, capsys)
    assert "--output" in err and "archive" in err
    assert archive_files(archive) == before


@pytest.mark.parametrize("command", ["diff", "feed"])
def test_output_through_a_symlink_or_a_relative_path_into_the_archive(
    command: str, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    before = archive_files(archive)
    link = tmp_path / "latest.parquet"
    link.symlink_to(store.snapshot_path(archive, NEW))
    refused(main([command, "--output-dir", str(archive), "--output", str(link)]), capsys)
    folder_link = tmp_path / "snaps"
    folder_link.symlink_to(archive / "snapshots")
    refused(main([command, "--output-dir", str(archive), "--output", str(folder_link / "x.parquet")]), capsys)
    monkeypatch.chdir(archive / "warc")
    refused(
        main([command, "--output-dir", str(archive), "--output", "../snapshots/../warc/x.parquet"]), capsys
    )
    assert archive_files(archive) == before


def test_output_never_overwrites_a_snapshot_outside_an_output_dir(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A snapshot copied elsewhere (or the OLD or NEW being compared) is recognised by its metadata."""
    copy = tmp_path / "copy.parquet"
    table = pq.read_table(store.snapshot_path(archive, NEW))
    pq.write_table(table.replace_schema_metadata({b"kei_crawler.crawl_id": NEW.encode()}), copy)
    before = copy.read_bytes()
    code = main(["diff", str(store.snapshot_path(archive, OLD)), str(copy), "--output", str(copy)])
    refused(code, capsys)
    refused(main(["feed", "--output-dir", str(archive), "--output", str(copy)]), capsys)
    assert copy.read_bytes() == before


def test_diff_output_is_never_old_or_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Even a snapshot file with no kei-crawler metadata, outside any archive, when it is being compared."""
    old, new = tmp_path / "old.parquet", tmp_path / "new.parquet"
    pq.write_table(pq.read_table(write_snapshot(tmp_path / "a", OLD, [brief("b0")])), old)
    pq.write_table(pq.read_table(write_snapshot(tmp_path / "b", NEW, [brief("b1")])), new)
    before = new.read_bytes()
    refused(main(["diff", str(old), str(new), "--output", str(new)]), capsys)
    assert new.read_bytes() == before


def test_diff_output_format_follows_the_file_name(archive: Path, tmp_path: Path) -> None:
    """Point 14: ``diff --output changes.csv`` wrote Parquet into a .csv file."""
    base = ["diff", "--output-dir", str(archive), "--output"]
    assert main([*base, str(tmp_path / "changes.csv")]) == 1
    rows = list(csv.DictReader(io.StringIO((tmp_path / "changes.csv").read_text())))
    assert sorted((r["change"], r["url"].split("/")[-2]) for r in rows) == [
        ("added", "b9"), ("changed", "b0"), ("removed", "b3")
    ]  # fmt: skip
    assert main([*base, str(tmp_path / "changes.JSON")]) == 1
    document = json.loads((tmp_path / "changes.JSON").read_text())
    assert document["counts"]["added"] == 1 and document["new"]["snapshot"] == NEW
    assert main([*base, str(tmp_path / "changes.md")]) == 1
    assert (tmp_path / "changes.md").read_text().startswith("**The Peninsula**")
    assert main([*base, str(tmp_path / "changes.parquet")]) == 1
    assert pq.read_table(tmp_path / "changes.parquet").column("change").to_pylist().count("insert") == 1


@pytest.mark.parametrize("name", ["changes.txt", "changes", "changes.parquet.gz", "changes.xml"])
def test_diff_output_with_a_name_of_no_known_format_is_refused(
    name: str, archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diff", "--output-dir", str(archive), "--output", str(tmp_path / name)])
    assert ".parquet, .csv, .json or .md" in refused(code, capsys)
    assert not (tmp_path / name).exists()


def test_feed_to_standard_output(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """Point 14: ``feed --output -`` created a file named ``-``."""
    monkeypatch.chdir(tmp_path)
    assert main(["feed", "--output", "-", "--output-dir", str(archive)]) == 0
    assert not (tmp_path / "-").exists()
    root = ET.fromstring(capsysbinary.readouterr().out)  # the feed and nothing else
    # b9 new, b0 edited, b3 removed, and the first snapshot's four briefs: seven events.
    assert root.tag == "{http://www.w3.org/2005/Atom}feed" and len(root.findall("{*}entry")) == 7


def test_diff_output_dash_is_refused_not_a_file(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report already goes to standard output (``--format`` chooses it): ``--output -`` would mix two
    documents there, so it is refused rather than written to a file named ``-``."""
    monkeypatch.chdir(tmp_path)
    assert "--format" in refused(main(["diff", "--output-dir", str(archive), "--output", "-"]), capsys)
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", ["diff", "feed"])
def test_output_that_is_a_folder_or_cannot_be_written(
    command: str, archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "folder.parquet"
    folder.mkdir()
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for target in (folder, a_file / "x.parquet", tmp_path / "missing" / "x.parquet", tmp_path / ("x" * 300)):
        target = target if command == "feed" or target.suffix else target.with_suffix(".parquet")
        refused(main([command, "--output-dir", str(archive), "--output", str(target)]), capsys)
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]
    assert leftovers == [] and a_file.read_text() == "x" and not any(folder.iterdir())


def test_a_failed_write_leaves_no_half_file(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every --output file goes through storage.atomic: a full disk leaves the old file, whole."""
    target = tmp_path / "changes.csv"
    target.write_text("yesterday's changes\n")

    def full_disk(path: object, *args: object, **kwargs: object) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr("kei_crawler.storage.atomic.fsync_path", full_disk)
    code = main(["diff", "--output-dir", str(archive), "--output", str(target)])
    assert code == ExitCode.USAGE and "No space left" in capsys.readouterr().err
    assert target.read_text() == "yesterday's changes\n"
    assert [p.name for p in tmp_path.iterdir() if p.name != "out"] == ["changes.csv"]
