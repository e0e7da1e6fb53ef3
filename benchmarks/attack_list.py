"""The attacks ``benchmarks.attacks`` runs: what hostile or careless users did to the crawler (issue 14's
reproductions and their neighbours), each with the exit codes that would be true.

Grouped as the issue groups them: settings and arguments, leftovers in the output directory, commands
that write files, damaged snapshots and WARCs. A crawl that goes ahead must publish (``PUBLISHED``); bad
input must be refused before anything starts (``USAGE``, one line).
"""

from __future__ import annotations

import gzip
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks.attacks import Attack, Scene
from kei_crawler.run.outcome import PUBLISHED, ExitCode

USAGE = frozenset({int(ExitCode.USAGE)})
DONE = frozenset(int(code) for code in PUBLISHED)
REFUSED_OR_DONE = USAGE | DONE
NOT_ZERO = frozenset(range(1, 256)) - {int(ExitCode.OK)}


def bad_setting(name: str, value: str) -> Attack:
    return Attack(f"setting {name}={value!r}", lambda s: s.crawl("-s", f"{name}={value}"), USAGE)


def bad_base_url(value: str) -> Attack:
    """Without --base-url, which would take its place."""
    argv = lambda s: ["crawl", "--output-dir", str(s.out), "-s", f"KEI_BASE_URL={value}"]  # noqa: E731
    return Attack(f"setting KEI_BASE_URL={value!r}", argv, USAGE)


SETTINGS = [bad_base_url("ftp://example.org"), bad_base_url("http://127.0.0.1:1/the-peninsula/")] + [
    bad_setting(name, value)
    for name, value in [
        ("CONCURRENT_REQUESTS", "abc"),
        ("CONCURRENT_REQUESTS", "0"),
        ("CONCURRENT_REQUESTS", "-1"),
        ("CONCURRENT_REQUESTS_PER_DOMAIN", "-3"),
        ("DOWNLOAD_DELAY", "-1"),
        ("DOWNLOAD_DELAY", "soon"),
        ("DOWNLOAD_TIMEOUT", "0"),
        ("RETRY_TIMES", "many"),
        ("LOG_LEVEL", "BOGUS"),
        ("ROBOTSTXT_OBEY", "perhaps"),
        ("KEI_WARC_ENABLED", "maybe"),
        ("KEI_OVERLAP_PAGES", "abc"),
        ("KEI_OVERLAP_PAGES", "0"),
        ("KEI_CANONICAL_ORIGIN", "notaurl"),
        ("KEI_MODE", "sideways"),
        ("KEI_CRAWL_ID", "../../escape"),
        ("KEI_CRAWL_ID", "zzzz-sorts-last"),
        ("KEI_EXTRACT_WORKERS", "-2"),
        ("KEI_QUALITY_RATE_DROP", "7"),
    ]
]

ARGUMENTS = [
    Attack("-s without '='", lambda s: s.crawl("-s", "CONCURRENT_REQUESTS"), USAGE),
    Attack("misspelled setting DOWNLAOD_DELAY", lambda s: s.crawl("-s", "DOWNLAOD_DELAY=0"), DONE,
           check=lambda s, err: [] if "DOWNLOAD_DELAY" in err else ["no warning naming DOWNLOAD_DELAY"]),
    Attack("--output-dir ''", lambda s: ["crawl", "--base-url", s.base_url, "--output-dir", ""], USAGE),
    Attack("--output-dir not UTF-8",
           lambda s: ["crawl", "--base-url", s.base_url, "--output-dir", os.fsdecode(str(s.root).encode() + b"/out\xff")],
           USAGE),
    Attack("--output-dir is a file", lambda s: ["crawl", "--base-url", s.base_url, "--output-dir",
                                                str(s.outside / "victim.txt")], USAGE),
    Attack("--base-url notaurl", lambda s: ["crawl", "--base-url", "notaurl", "--output-dir", str(s.out)], USAGE),
    Attack("demo --briefs 100000000", lambda s: ["demo", "--briefs", "100000000", "--output-dir",
                                                 str(s.root / "demo")], USAGE),
    Attack("demo --briefs -1", lambda s: ["demo", "--briefs", "-1", "--output-dir", str(s.root / "demo")], USAGE),
    Attack("--resume with nothing to resume", lambda s: s.crawl("--resume"), USAGE | {int(ExitCode.NOT_PUBLISHED)}),
    Attack("--full on an unchanged site", lambda s: s.crawl("--full"), frozenset({int(ExitCode.NOTHING_NEW)})),
    Attack("crawl with standard output closed", lambda s: s.crawl(), DONE, stdout_closed=True),
    Attack("diff --format json with standard output closed",
           lambda s: ["diff", "--output-dir", str(s.out), "--format", "json"], frozenset({0}), stdout_closed=True),
]  # fmt: skip


def _jobdir_with_strangers(scene: Scene, stderr: str) -> list[str]:
    kept = scene.root / "jobdir"
    return [] if (kept / "thesis.tex").is_file() else ["JOBDIR's unrelated file was deleted"]


def _prepare_jobdir(scene: Scene) -> None:
    jobdir = scene.root / "jobdir"
    jobdir.mkdir()
    (jobdir / "requests.seen").write_text("")
    (jobdir / "thesis.tex").write_text("three years of work\n")


def _clear(path: Path) -> None:
    """The seeded archive may already hold the entry an attack replaces (a stale .lock, say)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def _symlink(link: Path, target: Path) -> None:
    _clear(link)
    link.symlink_to(target)


def _mkdir(path: Path) -> None:
    _clear(path)
    path.mkdir()


def _write(path: Path, text: str = "x\n") -> None:
    _clear(path)
    path.write_text(text)


def _replace_with_file(path: Path) -> None:
    _write(path, "not a folder\n")


LEFTOVERS = [
    Attack("leftover: .lock is a symlink to a file outside", lambda s: s.crawl(), REFUSED_OR_DONE,
           prepare=lambda s: _symlink(s.out / ".lock", s.outside / "victim.txt")),
    Attack("leftover: .lock is a folder", lambda s: s.crawl(), REFUSED_OR_DONE | {4},
           prepare=lambda s: _mkdir(s.out / ".lock")),
    Attack("leftover: .tmp is a file", lambda s: s.crawl(), REFUSED_OR_DONE,
           prepare=lambda s: _write(s.out / ".tmp")),
    Attack("leftover: .tmp/<id> is a symlink to a folder outside", lambda s: s.crawl(), REFUSED_OR_DONE,
           prepare=lambda s: _symlink(s.out / ".tmp" / "2020-01-01T000000Z", s.outside / "victim-dir")),
    Attack("leftover: .job is a symlink to a folder outside", lambda s: s.crawl(), REFUSED_OR_DONE,
           prepare=lambda s: _symlink(s.out / ".job", s.outside / "victim-dir")),
    Attack("leftover: runs is a file", lambda s: s.crawl(), REFUSED_OR_DONE,
           prepare=lambda s: _replace_with_file(s.out / "runs")),
    Attack("leftover: warc is a symlink to a folder outside", lambda s: s.crawl(), REFUSED_OR_DONE,
           prepare=lambda s: _symlink(s.out / "warc", s.outside / "victim-dir")),
    Attack("leftover: snapshots/snapshot=latest symlink", lambda s: s.crawl(), DONE,
           prepare=lambda s: _symlink(s.out / "snapshots" / "snapshot=latest", s.snapshots()[0].parent)),
    Attack("leftover: a snapshot folder named to sort last", lambda s: ["feed", "--output-dir", str(s.out),
                                                                       "--output", str(s.root / "feed.xml")],
           REFUSED_OR_DONE | {0},
           prepare=lambda s: _write(s.out / "snapshots" / "snapshot=zzzz" / "briefs.parquet", "garbage")),
    Attack("leftover: JOBDIR holds requests.seen and a stranger's file",
           lambda s: s.crawl("-s", f"JOBDIR={s.root / 'jobdir'}"), REFUSED_OR_DONE,
           prepare=_prepare_jobdir, check=_jobdir_with_strangers),
]  # fmt: skip


def _strip_columns(scene: Scene) -> None:
    newest = scene.snapshots()[-1]
    table = pq.read_table(newest)
    pq.write_table(table.drop_columns(["body", "photo_caption"]), newest)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


DAMAGE = [
    Attack("damaged: newest snapshot lacks body and photo_caption", lambda s: s.crawl(), REFUSED_OR_DONE |
           {int(ExitCode.NOT_PUBLISHED)}, prepare=_strip_columns),
    Attack("damaged: feed over a snapshot lacking columns", lambda s: ["feed", "--output-dir", str(s.out),
                                                                      "--output", str(s.root / "f.xml")],
           NOT_ZERO | {0}, prepare=_strip_columns),
    Attack("damaged: newest snapshot is zero bytes", lambda s: s.crawl(), DONE | {int(ExitCode.NOT_PUBLISHED)},
           prepare=lambda s: s.snapshots()[-1].write_bytes(b"")),
    Attack("damaged: reextract a WARC cut in half", lambda s: ["reextract", "--output-dir", str(s.root / "re"),
                                                              str(s.warcs()[0])], NOT_ZERO,
           prepare=lambda s: _truncate(s.warcs()[0])),
    Attack("damaged: reextract a crawl whose revisits point into a deleted WARC",
           lambda s: ["reextract", "--output-dir", str(s.root / "re"), str(s.warcs()[-1])], NOT_ZERO,
           prepare=lambda s: s.warcs()[0].unlink()),
    Attack("damaged: --full after an earlier WARC is deleted", lambda s: s.crawl("--full"), DONE,
           prepare=lambda s: s.warcs()[0].unlink()),
    Attack("damaged: a WARC that is gzip garbage", lambda s: ["reextract", "--output-dir", str(s.root / "re"),
                                                             str(s.root / "junk.warc.gz")], NOT_ZERO,
           prepare=lambda s: (s.root / "junk.warc.gz").write_bytes(gzip.compress(b"not a warc") + b"\x00junk")),
]  # fmt: skip


def _first_snapshot(scene: Scene) -> str:
    return str(scene.snapshots()[0])


OUTPUTS = [
    Attack("diff --output over a published snapshot",
           lambda s: ["diff", "--output-dir", str(s.out), "--output", str(s.snapshots()[-1])], USAGE),
    Attack("feed --output over a published snapshot",
           lambda s: ["feed", "--output-dir", str(s.out), "--output", _first_snapshot(s)], USAGE),
    Attack("feed --output over a published WARC",
           lambda s: ["feed", "--output-dir", str(s.out), "--output", str(s.warcs()[0])], USAGE),
    Attack("diff --output changes.csv", lambda s: ["diff", "--output-dir", str(s.out), "--output",
                                                   str(s.root / "changes.csv")], frozenset({0}) | USAGE,
           check=lambda s, err: [] if not (s.root / "changes.csv").exists()
           or not (s.root / "changes.csv").read_bytes().startswith(b"PAR1") else ["Parquet written into a .csv"]),
    Attack("feed --output - writes to standard output", lambda s: ["feed", "--output-dir", str(s.out),
                                                                  "--output", "-"], frozenset({0}),
           check=lambda s, err: ["a file named '-' was created"] if (s.root / "-").exists() else []),
    Attack("diff of a folder that is not a snapshot", lambda s: ["diff", str(s.outside), str(s.snapshots()[0])],
           USAGE | {1}),
    Attack("diff of a file that is not Parquet", lambda s: ["diff", str(s.outside / "victim.txt"),
                                                            _first_snapshot(s)], USAGE | {1}),
    Attack("snapshots of a missing folder", lambda s: ["snapshots", "--output-dir", str(s.root / "nowhere")],
           USAGE | {0, 1}),
    Attack("snapshots with a file for snapshots/", lambda s: ["snapshots", "--output-dir", str(s.out)],
           USAGE | {0, 1}, prepare=lambda s: (s.out / "snapshots" / "snapshot=x").write_text("file")),
]  # fmt: skip

GROUPS = {
    "settings of the wrong type or out of range": SETTINGS,
    "arguments and standard output": ARGUMENTS,
    "leftovers and links in the output directory": LEFTOVERS,
    "damaged snapshots and WARCs": DAMAGE,
    "commands that write files": OUTPUTS,
}
ATTACKS: list[Attack] = [
    replace(attack, group=group) for group, listed in GROUPS.items() for attack in listed
]
