"""Crash safety: kill -9 at every failure point and at random moments, and a full disk, simulated and real.

After each, what readers look at is checked with ``benchmarks.kill_trials.problems`` (the checker the
RELIABILITY figures come from): the previous snapshot byte for byte, no partial snapshot or WARC where
readers look, every row's WARC record there; then the next run must complete and publish. The crawls
of one group run side by side (each in its own copy of a first crawl's output) to keep the file short.
The failure points themselves, parsed and fired in this process: tests/unit/test_crash_safety.py.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from benchmarks.kill_trials import completed, crawl, finished, problems, published, run_trials, start
from kei_crawler.extensions.manifest import latest_manifest
from kei_crawler.replica import ReplicaServer, Site, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import PUBLISHED as PUBLISHED_CODES
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage import failpoints
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.warc.catalog import unindexed_parts
from tests.support.interrupting import STARTUP_POINTS, brief_requests

BRIEFS = 30
KILLED = -signal.SIGKILL
WORKERS = 3  # crawls side by side: they are child processes, the threads only wait for them


# --- a first crawl, shared --------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Site:
    return build_site(BRIEFS)


@pytest.fixture(scope="module")
def server(site: Site) -> Iterator[ReplicaServer]:
    with ReplicaServer(site) as running:
        yield running


@pytest.fixture(scope="module")
def baseline(server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output directory holding one published snapshot and its WARC."""
    out = tmp_path_factory.mktemp("baseline") / "out"
    done = crawl(server.base_url, out)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(store.list_snapshots(out)) == 1
    return out


def copy_of(baseline: Path, where: Path) -> Path:
    shutil.copytree(baseline, where / "out")
    return where / "out"


def test_the_checker_finds_what_a_careless_writer_would_leave(baseline: Path, tmp_path: Path) -> None:
    """The invariants can fail: each kind of damage is reported."""
    out = copy_of(baseline, tmp_path)
    before = published(out)
    assert problems(out, before, settled=True) == []
    (snapshot,) = before
    warc = next((out / "warc").glob("*.warc.gz"))
    warc.write_bytes(warc.read_bytes()[: warc.stat().st_size // 2])  # a WARC cut short
    found = "\n".join(problems(out, before, settled=True))
    assert f"{warc.name}: gzip stream broken" in found
    assert "a row names" in found  # rows whose WARC records are gone
    assert "names" in found and "not there" in found  # index lines too
    partial = out / store.SNAPSHOTS / "snapshot=2026-01-01T000000Z"
    partial.mkdir()
    (partial / store.FILENAME).write_bytes(snapshot.read_bytes()[:1000])  # half a snapshot
    snapshot.write_bytes(snapshot.read_bytes() + b"x")  # the previous snapshot touched
    (OutputLayout.of(out).tmp / "2026-01-01T000000Z").mkdir(parents=True)
    found = "\n".join(problems(out, before, settled=True))
    assert "previous snapshot changed" in found
    assert "unreadable snapshot snapshot=2026-01-01T000000Z" in found
    assert "left in .tmp/ after a completed run" in found


# --- kill -9 at each failure point ------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    point: str
    nth: int = 1
    flags: tuple[str, ...] = ("--full",)


# A --full crawl writes many WARC records, spool parts and row groups (@n puts the kill mid-way through
# them); the quicker incremental crawl of the unchanged site reaches the rest, the carry-forward included.
KILLS = [
    Kill("warc.record", 25),
    Kill("spool.part", 2),
    Kill("snapshot.row_group", 3),
    Kill("snapshot.carry", 2, ()),
    Kill("warc.before_publish", 1, ()),
    Kill("warc.before_index_rename", 1, ()),
    Kill("warc.after_publish", 1, ()),
    Kill("snapshot.before_rename", 1, ()),
    Kill("snapshot.after_rename", 1, ()),
    Kill("manifest.write", 1, ()),
]
PUBLISHED_BY_THE_KILLED_RUN = ("snapshot.after_rename", "manifest.write")


def killed_at(kill: Kill, base_url: str, out: Path) -> list[str]:
    """Kill a crawl at ``kill``; what is wrong afterwards, and after the next, plain run."""
    before = published(out)
    done = crawl(base_url, out, *kill.flags, env={failpoints.ENV: f"{kill.point}@{kill.nth}"})
    if done.returncode != KILLED:
        return [f"the crawl was not killed at {kill.point} (exit {done.returncode}): {done.stderr[-1500:]}"]
    found = problems(out, before, settled=False)
    new = len(store.list_snapshots(out)) - len(before)
    if new != (1 if kill.point in PUBLISHED_BY_THE_KILLED_RUN else 0):
        found.append(f"the killed run published {new} snapshots")
    if kill.point == "warc.before_index_rename" and not unindexed_parts(out / "warc"):
        found.append("the kill did not land between the WARC's and its index's renames")
    following = crawl(base_url, out)
    found += completed(following)
    found += problems(out, before, settled=True)
    if len(store.list_snapshots(out)) != len(before) + new + 1:
        found.append("the next run published no snapshot")
    return found


# --- kill -9 while an interrupted crawl saves its state, and while a resumed crawl runs ------------


def stop_slow_crawl(out: Path, server: ReplicaServer, env: dict[str, str]) -> int | None:
    """A --full crawl of a slow replica, sent SIGTERM once it is fetching briefs; its exit code."""
    running, stem = start(server.base_url, out, "--full", "-s", "CONCURRENT_REQUESTS=2", env=env)
    deadline = time.monotonic() + 120
    while brief_requests(server) < 4 and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    running.signal(signal.SIGTERM)
    stopped = finished(running, stem)
    server.delay = 0  # the rest of the story at full speed, from the same address (--resume needs it)
    return stopped.returncode


def refused_resume(server: ReplicaServer, out: Path) -> list[str]:
    done = crawl(server.base_url, out, "--resume")
    if (
        done.returncode == ExitCode.USAGE
        and "did not stop cleanly" in done.stderr
        and "Traceback" not in done.stderr
    ):
        return []
    return [
        f"--resume after a kill should be refused in one line; exit {done.returncode}: {done.stderr[-1500:]}"
    ]


def resume_killed_while_saving(site: Site, out: Path) -> list[str]:
    """SIGTERM, then kill -9 while the resume state is written: not resumable (said in one line), the
    plain run completes."""
    before = published(out)
    with ReplicaServer(site, delay=0.2) as server:
        code = stop_slow_crawl(out, server, {failpoints.ENV: "resume.save"})
        if code != KILLED:
            return [f"not killed while saving the resume state (exit {code})"]
        found = problems(out, before, settled=False)
        found += refused_resume(server, out)
        found += completed(crawl(server.base_url, out))
    return found + problems(out, before, settled=True)


def resume_after_kill_past_saving(site: Site, out: Path) -> list[str]:
    """SIGTERM, then kill -9 once the resume state is saved (writing the manifest): --resume completes."""
    before = published(out)
    with ReplicaServer(site, delay=0.2) as server:
        code = stop_slow_crawl(out, server, {failpoints.ENV: "manifest.write"})
        if code != KILLED:
            return [f"not killed while writing the manifest (exit {code})"]
        found = problems(out, before, settled=False)
        interrupted = json.loads((out / ".job" / "kei-resume.json").read_text())["crawl_id"]
        found += completed(crawl(server.base_url, out, "--resume"))
    latest = store.latest(out)
    if latest is None or latest.crawl_id != interrupted:
        found.append(f"--resume did not publish the interrupted crawl {interrupted}")
    return found + problems(out, before, settled=True)


def resumed_run_killed(site: Site, out: Path) -> list[str]:
    """SIGTERM, --resume killed -9 while writing its WARC: the half-consumed job is not resumed again."""
    before = published(out)
    with ReplicaServer(site, delay=0.2) as server:
        code = stop_slow_crawl(out, server, {})
        if code != ExitCode.ABORTED:
            return [f"SIGTERM should stop the crawl cleanly (exit {code})"]
        done = crawl(server.base_url, out, "--resume", env={failpoints.ENV: "warc.record@6"})
        if done.returncode != KILLED:
            return [f"the resumed crawl was not killed (exit {done.returncode}): {done.stderr[-1500:]}"]
        found = problems(out, before, settled=False)
        found += refused_resume(server, out)
        found += completed(crawl(server.base_url, out))
    return found + problems(out, before, settled=True)


RESUMES = {
    "killed while saving the resume state": resume_killed_while_saving,
    "killed after saving it": resume_after_kill_past_saving,
    "a resumed crawl killed": resumed_run_killed,
}


@pytest.fixture(scope="module")
def kill_results(
    site: Site, server: ReplicaServer, baseline: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    """Every kill scenario, side by side, each in its own copy of the first crawl's output."""
    root = tmp_path_factory.mktemp("kills")
    jobs: dict[str, Callable[[], list[str]]] = {}
    for kill in KILLS:
        jobs[kill.point] = partial(killed_at, kill, server.base_url, copy_of(baseline, root / kill.point))
    for name, scenario in RESUMES.items():
        jobs[name] = partial(scenario, site, copy_of(baseline, root / name.replace(" ", "-")))
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {name: pool.submit(reported, job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def reported(job: Callable[[], list[str]]) -> list[str]:
    """A scenario's problems; one that raised fails its own test only, with the traceback."""
    try:
        return job()
    except Exception:
        return [traceback.format_exc()]


def test_every_failure_point_is_killed_at() -> None:
    assert sorted([k.point for k in KILLS] + ["resume.save", *STARTUP_POINTS]) == sorted(failpoints.POINTS)


@pytest.mark.parametrize("point", [kill.point for kill in KILLS])
def test_kill_9_at_a_failure_point(point: str, kill_results: dict[str, list[str]]) -> None:
    assert kill_results[point] == []


@pytest.mark.parametrize("scenario", list(RESUMES))
def test_kill_9_around_resume(scenario: str, kill_results: dict[str, list[str]]) -> None:
    assert kill_results[scenario] == []


# --- kill -9 at random moments ------------------------------------------------------------------

TRIALS = 10


def test_kill_9_at_random_moments() -> None:
    result = run_trials(TRIALS, seed=7, workers=2, briefs=BRIEFS)
    assert result["failures"] == []
    assert result["passed"] == result["trials"] == TRIALS


# --- a full disk --------------------------------------------------------------------------------


def assert_one_line_error(done: subprocess.CompletedProcess[str], *naming: str) -> None:
    """Exit 1, no traceback, and one line saying why nothing was published that holds all of ``naming``."""
    assert done.returncode == ExitCode.NOT_PUBLISHED, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    said = [ln for ln in done.stderr.splitlines() if ln.startswith("kei-crawler: no snapshot published")]
    assert len(said) == 1 and all(part in said[0] for part in naming), (naming, said)


NO_SPACE = "[Errno 28] No space left on device"


def test_enospc_while_writing_gives_one_clear_line_and_keeps_the_previous_snapshot(
    site: Site, baseline: Path, tmp_path: Path
) -> None:
    out = copy_of(baseline, tmp_path)
    before = published(out)
    with ReplicaServer(site) as server:
        # The snapshot file, as it is assembled.
        done = crawl(server.base_url, out, "--full", env={failpoints.ENV: "snapshot.row_group:enospc@2"})
        assert_one_line_error(done, "could not write the snapshot", NO_SPACE, str(OutputLayout.of(out).tmp))
        assert problems(out, before, settled=True) == []  # nothing left behind, not even in .tmp/
        assert latest_manifest(out)["published"] is False

        # The WARC, mid-crawl: the crawl stops there instead of fetching pages it could not archive.
        server.clear_log()
        done = crawl(server.base_url, out, "--full", "-s", "CONCURRENT_REQUESTS=2",
                     env={failpoints.ENV: "warc.record:enospc@8"})  # fmt: skip
        assert_one_line_error(done, "could not write the WARC", NO_SPACE, ".warc.gz")
        assert len(server.requests) <= 8, f"{len(server.requests)} requests after the WARC failed"
        assert "Closing spider (write_failed)" in done.stderr
        assert problems(out, before, settled=True) == []
        assert not (out / ".job").exists()  # nothing to resume: its space is given back
        assert "No space left on device" in latest_manifest(out)["not_published_because"]

        # The crawl's rows, spooled mid-crawl for --resume.
        done = crawl(server.base_url, out, "--full", env={failpoints.ENV: "spool.part:enospc@2"})
        assert_one_line_error(done, "could not write the snapshot", NO_SPACE, "kei-spool")
        assert problems(out, before, settled=True) == []

        # The run manifest itself: the snapshot stands, the run says the manifest is missing.
        done = crawl(server.base_url, out, env={failpoints.ENV: "manifest.write:enospc"})
        assert done.returncode in PUBLISHED_CODES, done.stderr[-2000:]
        assert f"kei-crawler: could not write the run manifest: {NO_SPACE}" in done.stderr
        assert "Traceback" not in done.stderr
        assert not list((out / "runs").glob("*.tmp"))

        following = crawl(server.base_url, out)
    assert completed(following) == []
    assert problems(out, before, settled=True) == []
    assert len(store.list_snapshots(out)) == len(before) + 2


def tmpfs_available(where: Path) -> str | None:
    """Why a tmpfs cannot be mounted in a user namespace here, or None when it can."""
    if shutil.which("unshare") is None:
        return "no unshare command"
    where.mkdir()
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
        capture_output=True, text=True,
    )  # fmt: skip
    if probe.returncode != 0:
        return f"cannot mount a tmpfs in a user namespace: {probe.stderr.strip()}"
    return None


def test_a_real_full_disk(site: Site, tmp_path: Path) -> None:
    """A tmpfs too small for the WARC of a --full crawl, then for the snapshot of an incremental one."""
    mountpoint = tmp_path / "mnt"
    why = tmpfs_available(mountpoint)
    if why:
        pytest.skip(why)
    results = tmp_path / "results"
    results.mkdir()
    with ReplicaServer(site) as server:
        driver = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-m", "tests.support.tmpfs_crawls",
             server.base_url, str(mountpoint), str(results)],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert driver.returncode == 0, driver.stderr[-3000:]

    def step(name: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
        saved = results / name
        done = subprocess.CompletedProcess([], int((saved / "rc").read_text()), (saved / "stdout").read_text(),
                                           (saved / "stderr").read_text())  # fmt: skip
        return saved / "out", done

    first_out, first = step("first")
    assert first.returncode == 0, first.stderr[-2000:]
    first_snapshots = {p.relative_to(first_out): data for p, data in published(first_out).items()}
    full_requests = latest_manifest(first_out)["counts"]["requests"]

    for name, expected in (("full-disk-warc", "could not write the WARC"),
                           ("full-disk-snapshot", "could not write the snapshot")):  # fmt: skip
        out, done = step(name)
        before = {out / rel: data for rel, data in first_snapshots.items()}
        assert_one_line_error(done, expected, NO_SPACE, str(mountpoint))
        assert problems(out, before, settled=True) == [], name  # previous intact, tmp leftovers removed
        assert not (out / ".job").exists(), name
        manifest = latest_manifest(out)
        assert manifest["published"] is False and "No space left" in str(manifest["not_published_because"])
        if name == "full-disk-warc":
            requests = manifest["counts"]["requests"]
            # The disk fills about half way through the WARC (24 KB left of its ~50 KB): a crawl that went
            # on fetching after the failed record would make every request.
            assert requests < full_requests * 3 / 4, f"{requests} of {full_requests} requests, disk full"

    out, after = step("after")
    assert completed(after) == []
    assert problems(out, {out / rel: data for rel, data in first_snapshots.items()}, settled=True) == []
    assert len(store.list_snapshots(out)) == 2
