"""Every command that reads or writes an output directory, over one holding wrong-typed entries (files
for folders, folders for files, symbolic links out of it): no traceback; one line on stderr and a
non-zero exit, or a normal completion; nothing written or deleted outside the output directory; nothing
in it deleted or changed that the command did not make — no published snapshot or WARC above all.

``crawl`` and ``demo`` run as child processes (Twisted's reactor starts once); the commands that only
read, or publish without Scrapy (``reextract``), run in this process through ``main``. ``evaluate``
reads a gold set, not an output directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import JobLayout, OutputLayout
from kei_crawler.run.outcome import PUBLISHED, ExitCode
from kei_crawler.storage import failpoints
from tests.support.crawling import crawl_argv
from tests.support.wrong_entries import STRAY_ENTRIES, WRONG_ENTRIES, Plant, outside_folder, tree

ALL_ENTRIES = {**WRONG_ENTRIES, **STRAY_ENTRIES}
OURS_MOVED_ON = ("latest", "kei.duckdb")
"""What every publish replaces when the crawler made it (``run/current.py``): not a user's entry."""


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_site(12)) as running:
        yield running


@pytest.fixture(scope="module")
def baseline(server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two crawls' snapshots, WARCs and manifests."""
    out = tmp_path_factory.mktemp("baseline") / "out"
    for _ in range(2):
        done = subprocess.run(crawl_argv(server.base_url, out), capture_output=True, text=True, timeout=180)
        assert done.returncode in PUBLISHED, done.stderr[-2000:]
    return out


class Planted:
    """A copy of the baseline with one wrong entry planted, and the trees around it as they were."""

    def __init__(self, baseline: Path, tmp_path: Path, plant: Plant) -> None:
        self.out = tmp_path / "out"
        shutil.copytree(baseline, self.out, symlinks=True)
        self.outside = outside_folder(tmp_path)
        plant(self.out, self.outside)
        self.made_by_crawls = {
            name for name in OURS_MOVED_ON if tree(baseline).get(name) == tree(self.out).get(name)
        }
        self.out_before, self.outside_before = tree(self.out), tree(self.outside)

    def check(self, code: int, stderr: str, *, completed: tuple[int, ...]) -> None:
        assert "Traceback" not in stderr, stderr[-3000:]
        # Warnings about what a reader skips (a stray file in snapshots/) may precede the one error line.
        lines = [
            line
            for line in stderr.splitlines()
            if line.strip() and not line.startswith("kei-crawler: warning:")
        ]
        if code not in completed:
            assert code != 0 and len(lines) == 1 and lines[0].startswith("kei-crawler: "), (
                code,
                stderr[-3000:],
            )
        assert tree(self.outside) == self.outside_before  # nothing written or deleted through a link
        after = tree(self.out)
        for name, was in self.out_before.items():
            if name == ".lock" and isinstance(was, bytes):
                continue  # the lock file says who holds it: every run rewrites it
            if name in OURS_MOVED_ON and name in self.made_by_crawls:
                continue  # the baseline's own pointer and views, moved on by a publish
            if name == "datapackage.json" and isinstance(was, bytes):
                continue  # the data dictionary names the newest snapshot: every publish rewrites it
            assert after.get(name) == was, f"{name} was deleted or changed"


@pytest.mark.parametrize("plant", ALL_ENTRIES.values(), ids=ALL_ENTRIES.keys())
def test_crawl(server: ReplicaServer, baseline: Path, tmp_path: Path, plant: Plant) -> None:
    planted = Planted(baseline, tmp_path, plant)
    done = subprocess.run(
        crawl_argv(server.base_url, planted.out, "--full"), capture_output=True, text=True, timeout=180
    )
    stray = plant in STRAY_ENTRIES.values()
    planted.check(done.returncode, done.stderr, completed=PUBLISHED if stray else ())
    if not stray:
        assert done.returncode == ExitCode.USAGE


COMMANDS = {
    "snapshots": lambda out, tmp: ["snapshots", "--output-dir", str(out)],
    "diff": lambda out, tmp: ["diff", "--output-dir", str(out), "--format", "json"],
    "feed": lambda out, tmp: ["feed", "--output-dir", str(out), "--output", str(tmp / "feed.xml")],
    "wacz": lambda out, tmp: ["wacz", "--output-dir", str(out), "--output", str(tmp / "kei.wacz")],
    "reextract": lambda out, tmp: [
        "reextract",
        *map(str, sorted(tmp.glob("*.warc.gz"))),
        "--output-dir",
        str(out),
    ],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("plant", ALL_ENTRIES.values(), ids=ALL_ENTRIES.keys())
def test_reading_and_reextracting(
    baseline: Path, tmp_path: Path, plant: Plant, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    given = tmp_path / "given"
    given.mkdir()
    for warc in OutputLayout.of(baseline).warc.glob("*.warc.gz"):
        shutil.copy(warc, given)
    planted = Planted(baseline, tmp_path, plant)
    capsys.readouterr()
    code = main(COMMANDS[command](planted.out, given))
    # diff: 0 or 1 as diff(1); the others 0 when they did their work.
    planted.check(code, capsys.readouterr().err, completed=(0, 1) if command == "diff" else (0,))


DEMO_ENTRIES = (
    "a folder at .lock",
    "a link at .job to a folder outside",
    "a link at snapshots to a folder outside",
)


@pytest.mark.parametrize("name", DEMO_ENTRIES)
def test_demo(tmp_path: Path, name: str) -> None:
    """The demo clears only a folder it marked as its own, and its crawls refuse what they refuse."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".kei-demo").write_text("made by kei-crawler demo; cleared at each demo\n")
    outside = outside_folder(tmp_path)
    WRONG_ENTRIES[name](out, outside)
    before = tree(outside)
    done = subprocess.run(
        [sys.executable, "-m", "kei_crawler", "demo", "--briefs", "10", "--output-dir", str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0 and len(lines) == 1 and lines[0].startswith("kei-crawler: "), done.stderr
    assert tree(outside) == before


def test_demo_never_clears_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    (out / "runs" / "mine.json").write_text("{}")
    before = tree(out)
    code = main(["demo", "--briefs", "10", "--output-dir", str(out)])
    assert code == ExitCode.USAGE
    assert tree(out) == before


def test_a_jobdir_with_a_scrapy_name_among_other_files_is_refused(
    server: ReplicaServer, tmp_path: Path
) -> None:
    """Issue 14, 2: ``-s JOBDIR=J`` with a file named requests.seen among others had all of J deleted."""
    given = tmp_path / "J"
    given.mkdir()
    (given / "requests.seen").write_text("someone's file of that name")
    (given / "notes.txt").write_text("years of work")
    before = tree(given)
    done = subprocess.run(
        crawl_argv(server.base_url, tmp_path / "out", "-s", f"JOBDIR={given}"),
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == ExitCode.USAGE and done.stderr.count("\n") == 1, done.stderr[-2000:]
    assert "is not a crawl's job directory" in done.stderr
    assert tree(given) == before


def test_a_file_added_to_a_crawls_jobdir_outlives_the_next_crawl(
    server: ReplicaServer, tmp_path: Path
) -> None:
    """A killed crawl leaves its job directory, marked; the next crawl clears it of what crawls make only."""
    given, out = tmp_path / "J", tmp_path / "out"
    argv = crawl_argv(server.base_url, out, "-s", f"JOBDIR={given}")
    env = {**os.environ, failpoints.ENV: "snapshot.before_rename"}
    killed = subprocess.run(argv, capture_output=True, text=True, timeout=180, env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert (given / JobLayout.MARKER).is_file() and (given / "requests.seen").is_file()
    (given / "notes.txt").write_text("put here by hand")
    again = subprocess.run(argv, capture_output=True, text=True, timeout=180)
    assert again.returncode in PUBLISHED, again.stderr[-2000:]
    assert tree(given) == {"notes.txt": b"put here by hand"}
