"""The command line as a shell runs it: a reader that leaves the pipe, and an argument that is not UTF-8."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kei_crawler.replica import ReplicaServer
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_command

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}


def run_with_stdout_closed(argv: list[str] | list[bytes], timeout: float = 120) -> tuple[int, str]:
    """``argv | true``: the reader is gone before the command writes (so its first write fails, EPIPE,
    whatever it writes and however fast), as ``| head -1`` is gone after its first line."""
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        stderr = process.stderr.read().decode(errors="replace")
        return process.wait(timeout=timeout), stderr


def test_a_crawl_that_published_exits_0_when_its_reader_left(replica: ReplicaServer, tmp_path: Path) -> None:
    """Point 13: ``crawl … | head -1`` exited 1 although the snapshot was published."""
    out = tmp_path / "out"
    code, stderr = run_with_stdout_closed(crawl_command(replica.base_url, out))
    assert code == ExitCode.OK, stderr[-3000:]
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    assert store.latest(out) is not None

    code, stderr = run_with_stdout_closed(
        [sys.executable, "-m", "kei_crawler", "snapshots", "--output-dir", str(out)]
    )
    assert code == 0 and "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_diff_json_into_a_closed_pipe(replica: ReplicaServer, tmp_path: Path) -> None:
    """Point 13: ``kei-crawler diff --format json | true`` printed a BrokenPipeError traceback."""
    out = tmp_path / "out"
    for _ in range(2):
        done = subprocess.run(crawl_command(replica.base_url, out, "--full"), capture_output=True, env=ENV)
        assert done.returncode in (ExitCode.OK, ExitCode.NOTHING_NEW), done.stderr[-3000:]
        replica.site.publish(1)
    for fmt in ("json", "text", "csv"):
        diff = [sys.executable, "-m", "kei_crawler", "diff", "--output-dir", str(out), "--format", fmt]
        code, stderr = run_with_stdout_closed(diff)
        assert code == 1, stderr  # diff(1)'s "different", not a failure
        assert stderr == "", stderr


def test_an_output_dir_that_is_not_utf8_is_refused_before_the_crawl(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    """Point 11: such a path crawled the whole site, then failed with a UnicodeEncodeError, leaving a WARC
    without a snapshot."""
    out = os.fsencode(tmp_path) + b"/out\xff"
    argv = [os.fsencode(arg) for arg in crawl_command(replica.base_url, tmp_path / "placeholder")]
    argv[argv.index(os.fsencode(tmp_path / "placeholder"))] = out
    done = subprocess.run(argv, capture_output=True, env=ENV, timeout=120)
    stderr = done.stderr.decode(errors="replace")
    assert done.returncode == ExitCode.USAGE, stderr[-3000:]
    assert stderr.startswith("kei-crawler: --output-dir ") and "UTF-8" in stderr and stderr.count("\n") == 1
    assert replica.requests == []  # nothing fetched
    assert os.listdir(os.fsencode(tmp_path)) == []  # nothing written
