"""What ``kei-crawler crawl`` prints: a scheduled run (stdout not a terminal), a person at a terminal
(a pseudo-terminal), ``-v``, ``-q`` and ``--logfile``. The snapshot's path stays the last line of stdout."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_argv
from tests.support.faulty_site import FaultySite, status

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "80"}
SCRAPY_LOG = ("[scrapy.", "Dumping Scrapy stats", "Overridden settings", "Enabled extensions")


@pytest.fixture
def broken_brief() -> Iterator[ReplicaServer]:
    """The replica with one brief answering 500 for good: a warning the crawl must report."""
    site = build_site(30, theme="flat")
    server = ReplicaServer(FaultySite(site, {site.briefs[3].path: status(500)}))  # type: ignore[arg-type]
    server.start()
    yield server
    server.stop()


def crawl(base_url: str, out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """A crawl as a scheduler runs it: stdout and stderr are pipes, no ``-s LOG_LEVEL``."""
    argv = crawl_argv(base_url, out, *flags, LOG_LEVEL=None)
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=ENV)


def last_line_is_the_snapshot(stdout: str, out: Path) -> None:
    latest = store.latest(out)
    assert latest is not None
    assert stdout.splitlines()[-1] == str(latest.path)


def test_a_scheduled_run_prints_the_summary_and_one_line_warnings(
    broken_brief: ReplicaServer, tmp_path: Path
) -> None:
    done = crawl(broken_brief.base_url, tmp_path / "out")
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-3000:]
    last_line_is_the_snapshot(done.stdout, tmp_path / "out")
    assert "elapsed" in done.stdout and "fields filled" in done.stdout
    assert not any(marker in done.stdout + done.stderr for marker in SCRAPY_LOG)
    assert "ETA" not in done.stdout + done.stderr  # no progress bar for a log file
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("kei-crawler: ") for line in lines), done.stderr
    assert any(line.startswith("kei-crawler: warning: Could not fetch brief ") for line in lines)
    assert max(len(line) for line in done.stdout.splitlines()[:-1]) <= 80


@pytest.mark.parametrize("flags", [("-v",), ("-s", "LOG_LEVEL=INFO")])
def test_scrapys_log_at_v_or_a_log_level_given(
    replica: ReplicaServer, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    done = crawl(replica.base_url, tmp_path / "out", *flags)
    assert done.returncode == ExitCode.OK, done.stderr[-3000:]
    assert "[scrapy.core.engine] INFO" in done.stderr and "Dumping Scrapy stats" in done.stderr
    assert "kei-crawler: warning:" not in done.stderr  # Scrapy's log carries the warnings itself
    last_line_is_the_snapshot(done.stdout, tmp_path / "out")


def test_quiet_prints_the_path_alone(replica: ReplicaServer, tmp_path: Path) -> None:
    done = crawl(replica.base_url, tmp_path / "out", "-q")
    assert done.returncode == ExitCode.OK, done.stderr[-3000:]
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 1
    last_line_is_the_snapshot(done.stdout, tmp_path / "out")


def test_logfile_holds_scrapys_full_log(broken_brief: ReplicaServer, tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    done = crawl(broken_brief.base_url, tmp_path / "out", "--logfile", str(log))
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-3000:]
    text = log.read_text()
    assert "[scrapy.core.engine] INFO: Spider opened" in text and "Dumping Scrapy stats" in text
    assert "WARNING: Could not fetch brief" in text
    assert not any(marker in done.stderr for marker in SCRAPY_LOG)
    assert "kei-crawler: warning: Could not fetch brief " in done.stderr  # still on stderr, one line
    last_line_is_the_snapshot(done.stdout, tmp_path / "out")


def run_in_terminal(argv: list[str], timeout: float = 120) -> tuple[int, str]:
    """``argv`` with stdin, stdout and stderr a pseudo-terminal, as a person runs it; all it wrote."""
    leader, follower = pty.openpty()
    env = {**ENV, "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks: list[bytes] = []
    try:
        while select.select([leader], [], [], timeout)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: every holder of the terminal has closed it
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    shown = b"".join(chunks).decode(errors="replace")
    return process.wait(timeout=timeout), re.sub(
        r"\x1b\[[0-9;?]*[A-Za-z]", "", shown
    )  # colours, cursor moves


def test_a_terminal_shows_a_progress_bar_then_the_summary(replica: ReplicaServer, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, shown = run_in_terminal(crawl_argv(replica.base_url, out, LOG_LEVEL=None, DOWNLOAD_DELAY=0.02))
    assert code == ExitCode.OK, shown[-3000:]
    assert "crawl (full)" in shown and " pages " in shown and "ETA" in shown
    assert "66/66 pages" in shown  # 6 listing pages and 60 briefs: the listing's count, read at once
    assert not any(marker in shown for marker in SCRAPY_LOG)
    assert "elapsed" in shown
    latest = store.latest(out)
    assert latest is not None
    assert shown.rstrip().splitlines()[-1].strip() == str(latest.path)


def test_reextract_on_a_terminal_shows_the_warcs_read(replica: ReplicaServer, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = crawl(replica.base_url, out)
    assert done.returncode == ExitCode.OK, done.stderr[-3000:]
    warcs = sorted(str(path) for path in (out / "warc").glob("*.warc.gz"))
    again = tmp_path / "again"
    argv = [sys.executable, "-m", "kei_crawler", "reextract", *warcs, "--output-dir", str(again)]
    code, shown = run_in_terminal(argv)
    assert code == ExitCode.OK, shown[-3000:]
    assert "reextract" in shown and " records" in shown and "ETA" in shown
    assert "100%" in shown  # every byte of the WARC read
    latest = store.latest(again)
    assert latest is not None
    assert shown.rstrip().splitlines()[-1].strip() == str(latest.path)
