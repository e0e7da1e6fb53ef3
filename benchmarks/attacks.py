"""Hostile and careless users: each attack runs a real ``kei-crawler`` command against a copy of a real
archive, and the same checks judge every one.

An attack prepares the output directory (a leftover, a symlink out of it, a damaged snapshot), runs one
command line (a bad ``-s`` value, a wrong path, a closed standard output) and names the exit codes that
would be true. Whatever the attack, these must hold afterwards (:func:`judge`):

- no traceback on stderr; an exit 2 (bad input) says why in exactly one line;
- the exit code is one the attack allows;
- nothing outside the output directory changed (a folder of files beside it is hashed before and after);
- every snapshot and WARC published before the attack is still there, byte for byte;
- readers find nothing wrong in the output directory that was not wrong before (``kill_trials.problems``).

RELIABILITY.md's figures come from ``python -m benchmarks.attacks`` (``make reliability`` runs it); the
catalogue is in ``benchmarks.attack_list``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.kill_trials import problems
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import PUBLISHED
from kei_crawler.storage.snapshot import store
from tests.support.crawling import speed_args

BRIEFS = 30
TIMEOUT = 180.0


@dataclass
class Scene:
    """Where one attack runs: a fresh copy of the seeded archive (``out``), a folder beside it that must
    not change (``outside``), and the replica's URL."""

    base_url: str
    root: Path
    out: Path
    outside: Path

    def crawl(self, *flags: str, **settings: object) -> list[str]:
        return ["crawl", "--base-url", self.base_url, "--output-dir", str(self.out), *speed_args(**settings),
                *flags]  # fmt: skip

    def snapshots(self) -> list[Path]:
        return [ref.path for ref in store.list_snapshots(self.out)]

    def warcs(self) -> list[Path]:
        return sorted(OutputLayout.of(self.out).warc.glob("*.warc.gz"))


@dataclass(frozen=True)
class Attack:
    name: str
    argv: Callable[[Scene], list[str]]
    """The command line after ``kei-crawler``."""
    allowed: frozenset[int]
    prepare: Callable[[Scene], object] = lambda scene: None
    stdout_closed: bool = False
    """The reader of standard output goes away at once (``| true``)."""
    check: Callable[[Scene, str], list[str]] = lambda scene, stderr: []
    """Problems particular to this attack, given its stderr (a file that must not exist, a warning...)."""
    group: str = ""
    """Which of the issue's groups it belongs to (set by ``attack_list``)."""


@dataclass
class Verdict:
    attack: str
    code: int | None
    seconds: float
    problems: list[str] = field(default_factory=list)
    stderr_tail: str = ""

    @property
    def passed(self) -> bool:
        return not self.problems


def fingerprint(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (symlinks as their targets, never followed) and its content's hash."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[key] = "dir"
    return found


def _published(scene: Scene) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in (*scene.snapshots(), *scene.warcs())}


def run_attack(attack: Attack, scene: Scene) -> Verdict:
    attack.prepare(scene)
    before = _published(scene)
    damage = _reader_problems(scene)
    outside = fingerprint(scene.outside)
    command = [sys.executable, "-m", "kei_crawler", *attack.argv(scene)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=scene.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if attack.stdout_closed and proc.stdout is not None:
        proc.stdout.close()
        proc.stdout = None
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return Verdict(attack.name, None, TIMEOUT, [f"did not end within {TIMEOUT:.0f} s"])
    seconds = time.perf_counter() - started
    stderr = err.decode("utf-8", "replace")
    found = judge(attack, scene, proc.returncode, stderr, outside, before)
    found += sorted(set(_reader_problems(scene)) - set(damage))
    return Verdict(attack.name, proc.returncode, seconds, found, stderr[-400:])


def _reader_problems(scene: Scene) -> list[str]:
    """What readers would find wrong in the output directory; the attack is judged on what it added."""
    try:
        return problems(scene.out, {}, settled=False) if scene.out.is_dir() else []
    except Exception as exc:  # a leftover the checker itself cannot read
        return [f"output unreadable: {type(exc).__name__}: {exc}"]


def judge(
    attack: Attack, scene: Scene, code: int, stderr: str, outside: dict[str, str], before: dict[Path, bytes]
) -> list[str]:
    """What went wrong, one line each; empty when the attack was met as it should be."""
    found = []
    if "Traceback (most recent call last)" in stderr:
        found.append("traceback on stderr")
    if code not in attack.allowed:
        found.append(f"exit {code}, expected one of {sorted(attack.allowed)}")
    # Warnings (a misspelled name, a stray entry skipped) may come before the one line that says why.
    lines = [
        line for line in stderr.splitlines() if line.strip() and not line.startswith("kei-crawler: warning:")
    ]
    if code == 2 and len(lines) != 1:
        found.append(f"exit 2 with {len(lines)} lines on stderr, not one")
    if fingerprint(scene.outside) != outside:
        found.append("something outside the output directory changed")
    for path, data in before.items():
        if not path.is_file() or path.read_bytes() != data:
            found.append(f"published file changed or gone: {path.name}")
    return found + attack.check(scene, stderr)


@contextmanager
def seeded(briefs: int = BRIEFS) -> Iterator[tuple[str, Path]]:
    """The replica, served, and an archive of two crawls of it (a plain one, then a --full one)."""
    with (
        tempfile.TemporaryDirectory(prefix="kei-attacks-") as tmp,
        ReplicaServer(build_site(briefs)) as server,
    ):
        seed = Path(tmp) / "seed"
        scene = Scene(server.base_url, Path(tmp), seed, Path(tmp) / "unused")
        for flags in ((), ("--full",)):
            command = [sys.executable, "-m", "kei_crawler", *scene.crawl(*flags)]
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
            if done.returncode not in PUBLISHED:
                raise RuntimeError(f"seeding crawl exited {done.returncode}: {done.stderr[-2000:]}")
            time.sleep(1.1)  # crawl ids have one-second resolution
        yield server.base_url, seed


def scene_for(base_url: str, seed: Path, workdir: Path) -> Scene:
    """A fresh copy of the seeded archive and an outside folder with files worth protecting."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    out = workdir / "out"
    shutil.copytree(seed, out, symlinks=True)
    outside = workdir / "outside"
    (outside / "victim-dir").mkdir(parents=True)
    (outside / "victim.txt").write_text("precious\n")
    (outside / "victim-dir" / "keep.txt").write_text("keep me\n")
    (outside / "victim-dir" / "requests.seen").write_text("a file that only looks like Scrapy's\n")
    return Scene(base_url, workdir, out, outside)


def run_all(attacks: list[Attack], briefs: int = BRIEFS) -> list[Verdict]:
    verdicts = []
    with seeded(briefs) as (base_url, seed):
        for number, attack in enumerate(attacks):
            scene = scene_for(base_url, seed, seed.parent / f"attack-{number}")
            verdicts.append(run_attack(attack, scene))
            shutil.rmtree(scene.root, ignore_errors=True)
    return verdicts


def main(argv: list[str] | None = None) -> int:
    from benchmarks.attack_list import ATTACKS

    parser = argparse.ArgumentParser(prog="python -m benchmarks.attacks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the attacks whose name contains this")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    chosen = [a for a in ATTACKS if not args.only or args.only in a.name]
    verdicts = run_all(chosen)
    if args.format == "json":
        print(json.dumps([{**v.__dict__, "passed": v.passed} for v in verdicts]))
    else:
        for v in verdicts:
            print(f"{'ok  ' if v.passed else 'FAIL'} {v.code!s:>4} {v.seconds:5.1f}s  {v.attack}")
            for problem in v.problems:
                print(f"          {problem}")
        print(f"{sum(v.passed for v in verdicts)} of {len(verdicts)} attacks met as they should be")
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
