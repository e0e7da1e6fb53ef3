"""kill -9 at random moments of a crawl, many times: what readers find afterwards, and whether the next run completes.

``run_trials(n, seed)`` serves a small replica, makes a first snapshot, times an unkilled ``--full``
crawl, then repeats: start a ``--full`` crawl, send it SIGKILL from outside at a moment drawn uniformly between its
start and the unkilled crawl's duration, check the output directory (:func:`problems`), run the next,
plain crawl and check again. ``tests/e2e/test_crash_safety.py`` runs a few trials and uses the same checker
for its failure-point kills, so the two cannot drift apart. RELIABILITY.md's figures come from::

    python -m benchmarks.kill_trials --trials 50 [--seed 1] [--workers 2] [--exec]

Crawls are forked from an interpreter that has already imported the crawler (``crawl_processes``), so
the kill moments fall in the crawl rather than in Python's start; ``--exec`` runs each as a new
``kei-crawler crawl`` process instead.

What is checked (every item is one line in ``problems``):

- every snapshot published before the killed run is still there, byte for byte;
- ``snapshots/`` holds only complete snapshots: each ``snapshot=<id>/`` holds exactly ``briefs.parquet``,
  readable, its row count the one its metadata records, its crawl id its folder's;
- every row's ``warc_file`` / ``warc_offset`` / ``warc_record_id`` names a record that is there;
- every ``.warc.gz`` in ``warc/`` is whole (its gzip members end where the file ends, every digest
  checks), every ``.cdxj`` line names a record at its offset, nothing else lies in ``warc/``; a WARC
  without its CDXJ index is allowed only right after a kill (the index is moved in last, and the next
  crawl writes it) — once a run has completed, every WARC has its index;
- every run manifest in ``runs/`` is whole JSON; once a run has completed, ``.tmp/`` is empty.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from warcio.archiveiterator import ArchiveIterator

from benchmarks.crawl_processes import Launcher, Running
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import PUBLISHED as PUBLISHED_CODES
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.warc.catalog import unindexed_parts
from kei_crawler.storage.warc.cdx import SUFFIX, read_cdxj
from kei_crawler.storage.warc.parts import WARC_SUFFIX
from tests.support.crawling import crawl_argv

BRIEFS = 30
BATCH_ROWS = 5  # small row groups and spool parts: a kill finds several of each being written


# --- the checker ------------------------------------------------------------------------------


def published(out: Path) -> dict[Path, bytes]:
    """Every published snapshot file and its bytes."""
    return {ref.path: ref.path.read_bytes() for ref in store.list_snapshots(out)}


def problems(out: Path, before: dict[Path, bytes], *, settled: bool) -> list[str]:
    """What is wrong with ``out`` for a reader; empty when nothing is. ``before``: the snapshots that
    must still be there unchanged; ``settled``: a run has completed since the last kill."""
    found: list[str] = []
    for path, data in before.items():
        if not path.is_file():
            found.append(f"previous snapshot lost: {path}")
        elif path.read_bytes() != data:
            found.append(f"previous snapshot changed: {path}")
    found += _snapshot_problems(out)
    found += _warc_problems(OutputLayout.of(out).warc, settled=settled)
    for manifest in sorted(OutputLayout.of(out).runs.glob("*.json")):
        try:
            json.loads(manifest.read_text())
        except ValueError as exc:
            found.append(f"run manifest not whole JSON: {manifest.name} ({exc})")
    if settled and OutputLayout.of(out).tmp.is_dir() and any(OutputLayout.of(out).tmp.iterdir()):
        found.append(
            f"left in .tmp/ after a completed run: {sorted(p.name for p in OutputLayout.of(out).tmp.iterdir())}"
        )
    return found


def _snapshot_problems(out: Path) -> list[str]:
    found: list[str] = []
    root = OutputLayout.of(out).snapshots
    if not root.is_dir():
        return found
    for child in sorted(root.iterdir()):
        crawl_id = child.name.removeprefix("snapshot=")
        contents = sorted(p.name for p in child.iterdir()) if child.is_dir() else None
        if not child.name.startswith("snapshot=") or contents != [store.FILENAME]:
            found.append(f"not a complete snapshot under snapshots/: {child.name} holds {contents}")
            continue
        path = child / store.FILENAME
        try:
            table = pq.read_table(path)
            meta = store.metadata(path)
        except (OSError, ValueError, store.SnapshotError) as exc:
            found.append(f"unreadable snapshot {child.name}: {exc}")
            continue
        rows = json.loads(meta.get("counts", "{}")).get("snapshot_rows")
        if rows != table.num_rows or meta.get("crawl_id") != crawl_id:
            found.append(
                f"snapshot {child.name}: {table.num_rows} rows, metadata says {rows} rows of crawl "
                f"{meta.get('crawl_id')}"
            )
        found += _row_links(
            OutputLayout.of(out).warc,
            child.name,
            table.select(["warc_file", "warc_offset", "warc_record_id"]),
        )
    return found


def _row_links(warc_dir: Path, name: str, links: Any) -> list[str]:
    """Each row's WARC link leads to the record it names."""
    found: list[str] = []
    for row in links.to_pylist():
        if row["warc_file"] is None:
            continue
        record_id = _record_id_at(warc_dir / row["warc_file"], row["warc_offset"])
        if record_id != row["warc_record_id"]:
            found.append(f"snapshot {name}: a row names {row['warc_file']}@{row['warc_offset']}, not there")
            break
    return found


def _record_id_at(path: Path, offset: int) -> str | None:
    try:
        with open(path, "rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)), None)
            return record.rec_headers.get_header("WARC-Record-ID") if record else None
    except Exception:  # warcio meets a damaged file with all kinds of errors; any of them means "not there"
        return None


def _warc_problems(warc_dir: Path, *, settled: bool) -> list[str]:
    found: list[str] = []
    if not warc_dir.is_dir():
        return found
    for path in sorted(warc_dir.iterdir()):
        if not path.name.endswith((WARC_SUFFIX, SUFFIX)):
            found.append(f"not a WARC or an index in warc/: {path.name}")
        elif path.name.endswith(WARC_SUFFIX) and (trouble := whole_warc(path)):
            found.append(f"{path.name}: {trouble}")
    if settled:
        for crawl_id, parts in unindexed_parts(warc_dir).items():
            found.append(
                f"WARC without its index after a completed run: {[p.name for p in parts]} ({crawl_id})"
            )
    for index in sorted(warc_dir.glob(f"*{SUFFIX}")):
        try:
            lines = list(read_cdxj(index))
        except (OSError, ValueError) as exc:
            found.append(f"{index.name}: unreadable ({exc})")
            continue
        for _key, _ts, fields in lines:
            target = warc_dir / fields["filename"]
            if _record_id_at(target, int(fields["offset"])) is None:
                found.append(f"{index.name}: names {fields['filename']}@{fields['offset']}, not there")
                break
    return found


def whole_warc(path: Path) -> str | None:
    """Why ``path`` is not a whole WARC (truncated, corrupt, a digest that does not check), or None.

    warcio alone reads a truncated file without complaint (its last record just ends early), so the
    gzip stream is also read to its end, and the last record must end where the file does."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        return f"gzip stream broken ({exc})"
    end = 0
    count = 0
    try:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream, check_digests=True)
            for record in records:
                if count == 0 and record.rec_type != "warcinfo":
                    return "does not begin with a warcinfo record"
                while record.content_stream().read(1 << 20):
                    pass
                if record.digest_checker.passed is False:
                    return f"digest mismatch: {list(record.digest_checker.problems)}"
                end = records.get_record_offset() + records.get_record_length()
                count += 1
    except Exception as exc:  # as above: a damaged record fails warcio in many ways
        return f"unreadable ({type(exc).__name__}: {exc})"
    size = path.stat().st_size
    if count == 0 or end != size:
        return f"{count} records ending at byte {end} of {size}"
    return None


# --- the trials -------------------------------------------------------------------------------


@dataclass
class Trial:
    number: int
    delay: float
    """Seconds after its start the crawl was killed."""
    phase: str
    """Where the kill landed, read from what the killed run left."""
    problems: list[str] = field(default_factory=list)


def crawl_command(base_url: str, out: Path, *flags: str) -> list[str]:
    return crawl_argv(base_url, out, *flags, KEI_SNAPSHOT_BATCH_ROWS=BATCH_ROWS, LOG_LEVEL="INFO")


TIMEOUT = 180  # seconds: a crawl of the small replica that runs longer hangs (exit code None below)
_launchers: dict[bool, Launcher] = {}
_making = threading.Lock()


def launcher(fork: bool = True) -> Launcher:
    with _making:
        if fork not in _launchers:
            _launchers[fork] = Launcher(fork=fork)
        return _launchers[fork]


def start(
    base_url: str, out: Path, *flags: str, env: dict[str, str] | None = None, fork: bool = True
) -> tuple[Running, Path]:
    """A crawl started; where its output goes (``<stem>.out``, ``<stem>.err``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = Path(tempfile.mkstemp(dir=out.parent, prefix=f"{out.name}-crawl-")[1])
    command = crawl_command(base_url, out, *flags)
    running = launcher(fork).start(command, stem.with_suffix(".out"), stem.with_suffix(".err"), env)
    return running, stem


def finished(running: Running, stem: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Wait for a crawl; its exit code (None: it hung and was killed) and output."""
    code = running.wait(timeout)
    out, err = (stem.with_suffix(suffix) for suffix in (".out", ".err"))
    stdout, stderr = (p.read_text(errors="replace") if p.exists() else "" for p in (out, err))
    for path in (stem, out, err):
        path.unlink(missing_ok=True)
    if code is None:
        stderr += f"\nhung: killed after {timeout} s"
    return subprocess.CompletedProcess([], code, stdout, stderr)  # type: ignore[arg-type]


def crawl(
    base_url: str, out: Path, *flags: str, env: dict[str, str] | None = None, fork: bool = True
) -> subprocess.CompletedProcess[str]:
    """One crawl, to its end."""
    return finished(*start(base_url, out, *flags, env=env, fork=fork))


def completed(done: subprocess.CompletedProcess[str]) -> list[str]:
    if done.returncode in PUBLISHED_CODES and "Traceback" not in done.stderr:
        return []
    return [f"the next run exited {done.returncode}: {done.stderr.strip()[-1500:]}"]


def phase_of(out: Path, before: dict[Path, bytes], warcs_before: set[str], exited: bool) -> str:
    if exited:
        return "exited before the kill"
    if len(store.list_snapshots(out)) > len(before):
        return "after publishing the snapshot"
    if {p.name for p in OutputLayout.of(out).warc.glob(f"*{WARC_SUFFIX}")} - warcs_before:
        return "between the WARC's and the snapshot's publishing"
    tmp = OutputLayout.of(out).tmp
    running = (
        [d for d in tmp.iterdir() if d.is_dir() and not d.name.endswith(".warc")] if tmp.is_dir() else []
    )
    if any((d / store.FILENAME).exists() for d in running):
        return "writing the snapshot"
    if running:
        return "fetching"
    return "starting"


def kill_trial(base_url: str, out: Path, number: int, delay: float, fork: bool = True) -> Trial:
    before = published(out)
    warcs_before = {p.name for p in OutputLayout.of(out).warc.glob(f"*{WARC_SUFFIX}")}
    running, stem = start(base_url, out, "--full", fork=fork)
    time.sleep(delay)
    exited = running.poll() is not None
    running.signal(signal.SIGKILL)
    killed = finished(running, stem)
    trial = Trial(number, delay, phase_of(out, before, warcs_before, exited))
    if exited and killed.returncode not in PUBLISHED_CODES:
        trial.problems.append(f"the unkilled run exited {killed.returncode}: {killed.stderr[-1500:]}")
    trial.problems += [f"after the kill: {p}" for p in problems(out, before, settled=False)]
    done = crawl(base_url, out, fork=fork)
    trial.problems += completed(done)
    trial.problems += [f"after the next run: {p}" for p in problems(out, before, settled=True)]
    if len(store.list_snapshots(out)) <= len(before):
        trial.problems.append("the next run published no snapshot")
    return trial


def _chain(
    chain: int, numbers: list[int], seed: int, root: Path, briefs: int, fork: bool
) -> tuple[float, list[Trial]]:
    """One output directory: a first crawl, timed, then the trials ``numbers`` one after the other."""
    out = root / f"chain-{chain}" / "out"
    out.parent.mkdir(parents=True)
    with ReplicaServer(build_site(briefs, seed=seed)) as server:
        for flags in ((), ("--full",)):  # the first snapshot, then the unkilled twin of the runs to kill
            started = time.perf_counter()
            done = crawl(server.base_url, out, *flags, fork=fork)
            expected = time.perf_counter() - started
            if done.returncode not in PUBLISHED_CODES:
                raise RuntimeError(f"an unkilled crawl failed ({done.returncode}): {done.stderr[-2000:]}")
        trials = []
        for number in numbers:
            delay = random.Random(f"{seed}:{number}").uniform(0, expected)
            trials.append(kill_trial(server.base_url, out, number, delay, fork))
    return expected, trials


def run_trials(
    n: int, seed: int, *, workers: int = 1, briefs: int = BRIEFS, fork: bool = True
) -> dict[str, Any]:
    """``n`` kill trials (in ``workers`` output directories crawled side by side); counts and failures.
    ``fork``: crawls forked from an interpreter that has imported the crawler (see crawl_processes)."""
    workers = max(1, min(workers, n))
    with tempfile.TemporaryDirectory(prefix="kei-kill-") as tmp, ThreadPoolExecutor(workers) as pool:
        chains = [list(range(chain, n, workers)) for chain in range(workers)]
        results = list(
            pool.map(lambda c: _chain(c, chains[c], seed, Path(tmp), briefs, fork), range(workers))
        )
    trials = sorted((t for _, ts in results for t in ts), key=lambda t: t.number)
    phases: dict[str, int] = {}
    for trial in trials:
        phases[trial.phase] = phases.get(trial.phase, 0) + 1
    return {
        "trials": len(trials),
        "passed": sum(1 for t in trials if not t.problems),
        "failed": sum(1 for t in trials if t.problems),
        "phases": dict(sorted(phases.items(), key=lambda kv: -kv[1])),
        "unkilled_seconds": [round(expected, 2) for expected, _ in results],
        "failures": [
            {"trial": t.number, "delay": round(t.delay, 3), "phase": t.phase, "problems": t.problems}
            for t in trials
            if t.problems
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.kill_trials", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="output directories crawled side by side")
    parser.add_argument("--briefs", type=int, default=BRIEFS, help="the replica's size")
    parser.add_argument(
        "--exec",
        action="store_true",
        help="a new interpreter per crawl (default: forked, see crawl_processes)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run_trials(args.trials, args.seed, workers=args.workers, briefs=args.briefs, fork=not args.exec)
    took = time.perf_counter() - started
    how = (
        "kei-crawler crawl processes"
        if args.exec
        else "crawls forked from an interpreter that imported the crawler"
    )
    print(f"kill -9 trials: {result['passed']} of {result['trials']} passed "
          f"(seed {args.seed}, {args.briefs}-brief replica, {how}, {took:.0f} s)")  # fmt: skip
    print(
        f"an unkilled crawl took {', '.join(f'{s:.1f}' for s in result['unkilled_seconds'])} s; kills landed:"
    )
    for phase, count in result["phases"].items():
        print(f"  {count:4d}  {phase}")
    for failure in result["failures"]:
        print(f"FAILED trial {failure['trial']} (killed at {failure['delay']} s, {failure['phase']}):")
        for problem in failure["problems"]:
            print(f"  {problem}")
    return 0 if result["passed"] == result["trials"] else 1


if __name__ == "__main__":
    sys.exit(main())
