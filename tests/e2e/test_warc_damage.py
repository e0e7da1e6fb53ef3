"""WARCs that are damaged or missing, and rows that would name captures that are not there.

Two crawls of one site make the archive these tests damage: the second (``--full``, after one brief was
edited) holds revisit records of every unchanged page, pointing into the first crawl's WARC.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from benchmarks.kill_trials import problems
from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_command, run_crawl
from tests.support.interrupting import brief_requests, interrupted_slow_crawl

BRIEFS = 20


@dataclass
class TwoCrawls:
    out: Path
    port: int
    first: Path
    second: Path
    site: object


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> TwoCrawls:
    out = tmp_path_factory.mktemp("damage") / "out"
    site = build_site(BRIEFS, theme="flat")
    with ReplicaServer(site) as server:
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK
        site.edit(site.briefs[5].slug)
        second = run_crawl(server.base_url, out, "--full")
        assert second.returncode == ExitCode.OK, second.stderr[-2000:]
    first, second_warc = sorted(OutputLayout.of(out).warc.glob("*.warc.gz"))
    assert record_kinds(second_warc).count("revisit") >= BRIEFS - 1
    return TwoCrawls(out, server.port, first, second_warc, site)


def record_kinds(path: Path) -> list[str]:
    with open(path, "rb") as stream:
        return [record.rec_type for record in ArchiveIterator(stream)]


def copy_of(crawls: TwoCrawls, tmp_path: Path) -> OutputLayout:
    shutil.copytree(crawls.out, tmp_path / "out")
    return OutputLayout.of(tmp_path / "out")


def cut_in_half(path: Path) -> int:
    size = path.stat().st_size // 2
    with open(path, "r+b") as stream:
        stream.truncate(size)
    return size


def reextract(warc: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["reextract", str(warc), "--output-dir", str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def published_rows(out: Path) -> list[dict[str, object]]:
    ref = store.latest(out)
    assert ref is not None
    return pq.read_table(ref.path).to_pylist()


# --- 19: revisits into a WARC that is gone or cut short -------------------------------------------


def test_reextract_of_revisits_into_a_deleted_warc_names_it_and_counts_the_lost_briefs(
    two_crawls: TwoCrawls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = copy_of(two_crawls, tmp_path)
    (layout.warc / two_crawls.first.name).unlink()
    code, _, err = reextract(layout.warc / two_crawls.second.name, tmp_path / "again", capsys)
    assert "Traceback" not in err
    damaged = [line for line in err.splitlines() if two_crawls.first.name in line]
    assert len(damaged) == 1, err  # one line for the missing WARC, however many revisits point into it
    assert damaged[0].startswith("kei-crawler: ") and "missing" in damaged[0]
    assert f"{BRIEFS - 1} briefs could not be recovered" in err
    assert code == ExitCode.WITH_ERRORS
    rows = published_rows(tmp_path / "again")
    assert len(rows) == 1  # the edited brief: its new payload is in the second WARC itself
    counts = json.loads(store.metadata(store.latest(tmp_path / "again").path)["counts"])  # type: ignore[union-attr]
    assert counts["brief_errors"] == {"warc_missing": BRIEFS - 1}
    assert len(counts["errors"]) == BRIEFS - 1


def test_reextract_of_revisits_into_a_truncated_warc_recovers_what_is_whole(
    two_crawls: TwoCrawls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = copy_of(two_crawls, tmp_path)
    cut_in_half(layout.warc / two_crawls.first.name)
    code, _, err = reextract(layout.warc / two_crawls.second.name, tmp_path / "again", capsys)
    assert "Traceback" not in err and "StopIteration" not in err
    damaged = [line for line in err.splitlines() if two_crawls.first.name in line]
    assert len(damaged) == 1, err
    assert "cut short" in damaged[0] or "damaged" in damaged[0]
    assert code == ExitCode.WITH_ERRORS
    rows = published_rows(tmp_path / "again")
    counts = json.loads(store.metadata(store.latest(tmp_path / "again").path)["counts"])  # type: ignore[union-attr]
    lost = counts["brief_errors"]["warc_damaged"]
    assert 0 < lost < BRIEFS - 1 and len(rows) + lost == BRIEFS  # the half still there is recovered


# --- 20: a WARC cut in half ------------------------------------------------------------------------


def test_reextract_of_a_warc_cut_in_half_says_where_it_broke(
    two_crawls: TwoCrawls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = copy_of(two_crawls, tmp_path)
    warc = layout.warc / two_crawls.first.name
    size = cut_in_half(warc)
    code, _, err = reextract(warc, tmp_path / "again", capsys)
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if warc.name in line]
    assert line.startswith("kei-crawler: ") and "cut short" in line
    # Where it broke: the offset of the record that is cut, before the end of what is left.
    broke_at = int(line.split("at byte ")[1].split()[0])
    assert 0 < broke_at < size
    read = int(line.split(" after ")[1].split()[0])
    assert 0 < read < len(record_kinds(two_crawls.first))
    assert code == ExitCode.WITH_ERRORS
    assert 0 < len(published_rows(tmp_path / "again")) < BRIEFS


# --- 21: a crawl after an earlier WARC is deleted or cut short ----------------------------------


@pytest.mark.parametrize("damage", ["deleted", "cut in half"])
def test_a_full_crawl_writes_revisits_only_against_captures_that_are_there(
    two_crawls: TwoCrawls, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    layout = copy_of(two_crawls, tmp_path)
    first = layout.warc / two_crawls.first.name
    if damage == "deleted":
        first.unlink()
    else:
        cut_in_half(first)
    # The same address: the pages' links, so their payloads, are those the earlier crawls captured.
    with ReplicaServer(two_crawls.site, port=two_crawls.port) as server:  # type: ignore[arg-type]
        third = run_crawl(server.base_url, layout.root, "--full")
    assert third.returncode in (ExitCode.OK, ExitCode.NOTHING_NEW), third.stderr[-2000:]
    newest = max(layout.warc.glob("*.warc.gz"), key=lambda p: p.name)
    kinds = record_kinds(newest)
    assert kinds.count("revisit") > 0  # what is still there is referred to
    # The pages whose first capture is gone are written in full (all of them, or those of the lost half).
    assert kinds.count("response") >= (BRIEFS - 1 if damage == "deleted" else 1)
    # Every page of the new crawl can be recovered: the WARC re-extracts to every brief, with no loss.
    code, out, err = reextract(newest, tmp_path / "again", capsys)
    assert code == ExitCode.OK, err
    assert f"Re-extracted {BRIEFS} briefs" in out


# --- 5: --resume with the WARC switched off -------------------------------------------------------


def test_resume_with_another_warc_setting_is_refused_and_rows_name_only_captures_that_are_there(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    site = build_site(60)
    server, _ = interrupted_slow_crawl(out, site, signal.SIGTERM)
    with ReplicaServer(site, port=server.port) as fast:
        off = run_crawl(fast.base_url, out, "--resume", "-s", "KEI_WARC_ENABLED=False")
        assert off.returncode == ExitCode.USAGE, off.stderr[-2000:]
        lines = [line for line in off.stderr.splitlines() if line.startswith("kei-crawler:")]
        assert len(lines) == 1 and "KEI_WARC_ENABLED" in lines[0], off.stderr[-2000:]
        assert "Traceback" not in off.stderr
        assert store.list_snapshots(out) == []
        done = run_crawl(fast.base_url, out, "--resume")  # the same setting: it goes on
    assert done.returncode == ExitCode.OK, done.stderr[-2000:]
    rows = published_rows(out)
    assert len(rows) == 60 and all(row["warc_file"] for row in rows)
    assert problems(out, {}, settled=True) == []  # every row's link leads to its record


def test_a_resumed_run_that_fetches_nothing_still_publishes_the_warc_its_rows_name(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(10)
    server = ReplicaServer(site, delay=0.3)
    base_url = server.start()
    slow = ("-s", "CONCURRENT_REQUESTS=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    proc = subprocess.Popen(
        crawl_command(base_url, out, "--full", *slow),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while brief_requests(server) < 10:  # every brief asked for: the stop leaves (almost) nothing to fetch
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        server.stop()
    assert proc.returncode == ExitCode.ABORTED, stderr[-2000:]
    with ReplicaServer(site, port=server.port) as fast:
        done = run_crawl(fast.base_url, out, "--resume")
    assert done.returncode == ExitCode.OK, done.stderr[-2000:]
    rows = published_rows(out)
    assert len(rows) == 10 and all(row["warc_file"] for row in rows)
    assert problems(out, {}, settled=True) == []  # the interrupted run's WARC is published with its rows
