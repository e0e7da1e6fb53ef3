"""What a run finds lying in its output directory or its job directory, of the wrong kind or planted
there by someone else: one line (CannotStart) before anything is touched, nothing written through a
symbolic link, nothing deleted that a crawl did not make."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kei_crawler.config import KeiConfig
from kei_crawler.run.context import CannotStart, open_run
from kei_crawler.run.layout import JobLayout, OutputLayout
from tests.support.wrong_entries import WRONG_ENTRIES, Plant, outside_folder, tree


@pytest.mark.parametrize("plant", WRONG_ENTRIES.values(), ids=WRONG_ENTRIES.keys())
def test_a_wrong_entry_in_the_output_directory_is_one_line_before_anything_is_touched(
    tmp_path: Path, plant: Plant
) -> None:
    out, outside = tmp_path / "out", outside_folder(tmp_path)
    out.mkdir()
    plant(out, outside)
    before, before_out = tree(outside), sorted(os.listdir(out))
    with pytest.raises(CannotStart) as refused:
        open_run(KeiConfig(output_dir=str(out)), jobdir=OutputLayout.of(out).default_jobdir)
    message = str(refused.value)
    assert "\n" not in message and str(out) in message
    assert tree(outside) == before  # nothing written or deleted through a link
    assert sorted(os.listdir(out)) == before_out  # nothing created or deleted in the output directory


def test_a_lock_file_linked_out_is_never_written_through(tmp_path: Path) -> None:
    """Issue 14, 1: ``ln -s /some/file OUT/.lock`` truncated /some/file and wrote a pid into it."""
    out, outside = tmp_path / "out", outside_folder(tmp_path)
    out.mkdir()
    (out / ".lock").symlink_to(outside / "file.txt")
    with pytest.raises(CannotStart, match=r"\.lock is a symbolic link"):
        open_run(KeiConfig(output_dir=str(out)))
    assert (outside / "file.txt").read_text() == "not the crawler's"


def test_a_lock_file_hard_linked_to_a_file_outside_is_never_written(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", outside_folder(tmp_path)
    out.mkdir()
    os.link(outside / "file.txt", out / ".lock")
    with pytest.raises(CannotStart, match="not a lock file"):
        open_run(KeiConfig(output_dir=str(out)))
    assert (outside / "file.txt").read_text() == "not the crawler's"


def test_a_jobdir_with_a_scrapy_file_name_and_other_files_is_not_cleared(tmp_path: Path) -> None:
    """Issue 14, 2: one file named ``requests.seen`` passed for a job directory, and all of it went."""
    jobdir = tmp_path / "J"
    jobdir.mkdir()
    (jobdir / "requests.seen").write_text("a file of the user's with that name")
    (jobdir / "notes.txt").write_text("years of work")
    before = tree(jobdir)
    with pytest.raises(CannotStart, match=r"is not a crawl.s job directory"):
        open_run(KeiConfig(output_dir=str(tmp_path / "out")), jobdir=jobdir)
    assert tree(jobdir) == before


def test_a_crawls_jobdir_is_cleared_of_what_crawls_make_only(tmp_path: Path) -> None:
    """A job directory a crawl made is cleared as the next run starts and when a run finishes, of the
    crawl's own files only: a file someone added to it stays, and so does the folder holding it."""
    jobdir = tmp_path / "J"
    with open_run(KeiConfig(output_dir=str(tmp_path / "out")), jobdir=jobdir) as run:
        assert run.job is not None
        for made in ("requests.seen", "spider.state", "kei-resume.json"):
            (jobdir / made).write_text("x")
        for folder in ("requests.queue", "kei-spool", "kei-warc"):
            (jobdir / folder).mkdir()
            (jobdir / folder / "part").write_text("x")
    (jobdir / "notes.txt").write_text("added by hand")
    with open_run(KeiConfig(output_dir=str(tmp_path / "out")), jobdir=jobdir) as run:
        assert sorted(os.listdir(jobdir)) == [JobLayout.MARKER, "notes.txt"]
        (jobdir / "requests.seen").write_text("x")
        run.clear_job()
    assert sorted(os.listdir(jobdir)) == ["notes.txt"]


def test_a_jobdir_the_crawl_made_goes_when_it_is_cleared(tmp_path: Path) -> None:
    jobdir = tmp_path / "out" / ".job"
    with open_run(KeiConfig(output_dir=str(tmp_path / "out")), jobdir=jobdir) as run:
        assert (jobdir / JobLayout.MARKER).is_file()
        (jobdir / "kei-spool").mkdir()
        run.clear_job()
    assert not jobdir.exists()


def test_an_empty_folder_given_as_jobdir_is_kept_when_cleared(tmp_path: Path) -> None:
    jobdir = tmp_path / "J"
    jobdir.mkdir()
    with open_run(KeiConfig(output_dir=str(tmp_path / "out")), jobdir=jobdir) as run:
        run.clear_job()
    assert jobdir.is_dir() and not any(jobdir.iterdir())


@pytest.mark.parametrize(
    "name", ["kei-warc", "kei-spool", "requests.queue", "requests.seen", JobLayout.MARKER]
)
def test_a_link_in_a_crawls_jobdir_is_refused(tmp_path: Path, name: str) -> None:
    outside = outside_folder(tmp_path)
    jobdir = tmp_path / "J"
    with open_run(KeiConfig(output_dir=str(tmp_path / "out")), jobdir=jobdir):
        pass
    jobdir.mkdir(exist_ok=True)
    (jobdir / JobLayout.MARKER).write_text("{}")
    (jobdir / name).unlink(missing_ok=True)
    (jobdir / name).symlink_to(outside / "folder")
    before = tree(outside)
    with pytest.raises(CannotStart, match="symbolic link"):
        open_run(KeiConfig(output_dir=str(tmp_path / "out")), jobdir=jobdir)
    assert tree(outside) == before and (jobdir / name).is_symlink()


def test_a_stray_entry_in_tmp_is_left_alone(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", outside_folder(tmp_path)
    tmp = OutputLayout.of(out).tmp
    tmp.mkdir(parents=True)
    (tmp / "2026-01-01T000000Z").symlink_to(outside / "folder")
    (tmp / "notes.txt").write_text("someone's")
    (tmp / "2026-01-02T000000Z").mkdir()  # a killed run's folder: removed
    before = tree(outside)
    with open_run(KeiConfig(output_dir=str(out))):
        pass
    assert sorted(os.listdir(tmp)) == ["2026-01-01T000000Z", "notes.txt"]
    assert tree(outside) == before
