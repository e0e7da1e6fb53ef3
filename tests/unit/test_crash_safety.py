"""Crash safety, in this process: the failure points parsed and fired, a half-cleared job directory
cleared, an OS error named in one line (the kills and full disks: tests/e2e/test_crash_safety.py)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kei_crawler.config import KeiConfig
from kei_crawler.run.context import open_run
from kei_crawler.run.layout import JobLayout
from kei_crawler.storage import failpoints
from kei_crawler.storage.atomic import os_error_line

# --- the failure points themselves --------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("snapshot.before_rename", failpoints.Failpoint("snapshot.before_rename", "kill", 1)),
        ("warc.record:enospc", failpoints.Failpoint("warc.record", "enospc", 1)),
        ("spool.part@3", failpoints.Failpoint("spool.part", "kill", 3)),
        ("manifest.write:kill@2", failpoints.Failpoint("manifest.write", "kill", 2)),
    ],
)
def test_failpoint_spec_is_parsed(spec: str, expected: failpoints.Failpoint) -> None:
    assert failpoints.parse(spec) == expected


@pytest.mark.parametrize("spec", ["warc.record:explode", "warc.record@x", "warc.record@0"])
def test_a_malformed_failpoint_spec_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match=failpoints.ENV):
        failpoints.parse(spec)


@pytest.fixture
def armed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    def arm(spec: str) -> None:
        monkeypatch.setenv(failpoints.ENV, spec)
        failpoints.reset()

    yield arm
    monkeypatch.delenv(failpoints.ENV, raising=False)
    failpoints.reset()


def test_enospc_fires_at_the_nth_hit_and_after_naming_the_path(armed: Callable[[str], None]) -> None:
    armed("spool.part:enospc@2")
    failpoints.hit("spool.part", "/x/part-1.tmp")
    failpoints.hit("warc.record", "/x/y.warc.gz")  # another point: not counted
    for _ in range(2):  # a full disk stays full
        with pytest.raises(OSError, match=r"\[Errno 28\] No space left on device: '/x/part-2.tmp'"):
            failpoints.hit("spool.part", "/x/part-2.tmp")


def test_no_failpoint_armed_is_a_no_op(armed: Callable[[str], None]) -> None:
    armed("")
    for name in failpoints.POINTS:
        failpoints.hit(name, "/anywhere")
    assert failpoints.armed() is None


@pytest.mark.parametrize("left", ["kei-warc/x.warc.gz", "kei-spool/part-000000.parquet", "requests.seen", ""])
def test_a_job_directory_a_killed_run_half_cleared_is_cleared_by_the_next(tmp_path: Path, left: str) -> None:
    """The marker is written first and removed last: a run killed while it cleared the folder leaves it."""
    jobdir = tmp_path / ".job"
    jobdir.mkdir()
    (jobdir / JobLayout.MARKER).touch()
    if left:
        (jobdir / left).parent.mkdir(parents=True, exist_ok=True)
        (jobdir / left).write_bytes(b"what the clearing had not reached yet")
    with open_run(KeiConfig(output_dir=str(tmp_path / "out")), jobdir=jobdir) as run:
        assert run.job is not None and run.job.root == jobdir
        assert os.listdir(jobdir) == [JobLayout.MARKER]
        run.clear_job()
    assert not jobdir.exists()


@pytest.mark.parametrize(
    ("error", "path", "line"),
    [
        (OSError(28, "No space left on device", "/o/x.json"), "/o", "[Errno 28] No space left on device: '/o/x.json'"),
        # pyarrow's wording, and no file name: the path being written is added
        (OSError(28, "Error writing bytes to file. Detail: [errno 28] No space left on device"), "/o/b.parquet",
         "[Errno 28] No space left on device: '/o/b.parquet'"),
        (OSError(28, "No space left on device"), None, "[Errno 28] No space left on device"),
        (FileExistsError("/o/warc/x.warc.gz already exists"), None, "/o/warc/x.warc.gz already exists"),
    ],
)  # fmt: skip
def test_os_error_line_names_the_error_and_the_path(error: OSError, path: str | None, line: str) -> None:
    assert os_error_line(error, path) == line
