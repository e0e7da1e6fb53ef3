"""``make bench``: run every registered benchmark and rewrite its section of BENCHMARKS.md.

A benchmark is a function returning a markdown section body; add one to :data:`SECTIONS` and it gets the
same header (how to reproduce it, the machine, the date, the commit) and its own place in the file.
Sections not run this time are left as they were, so benchmarks can be refreshed one at a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import crawl, crawl_modes, diff, extraction, feed, memory, reextract, report, snapshot, warc
from benchmarks.session import SESSION

# key → (heading, function returning the section's markdown). Order here is the order they run in and
# their order in the file: sections that crawl share the session's replica and first crawl
# (benchmarks/session.py), and crawl_modes, which changes the replica, comes after every other user.
SECTIONS: dict[str, tuple[str, Callable[[], str]]] = {
    "crawl": (
        "Full crawl of 6,384 briefs: ours vs a bare Scrapy spider fetching the same URLs",
        crawl.section,
    ),
    "extraction": ("Extraction throughput: ours vs trafilatura", extraction.section),
    "memory": (
        "Peak memory of a crawl of 6,384 briefs, and of an incremental crawl over them",
        memory.section,
    ),
    "memory_50k": ("Peak memory as the archive grows: 6,384 and 50,000 briefs", memory.section_large),
    "reextract": ("Re-extracting a full crawl's WARC", reextract.section),
    "warc": ("The raw archive: WARC size per brief, CPU per response", warc.section),
    "snapshot": ("Snapshot writing and loading: 6,384 and 1,000,000 rows", snapshot.section),
    "diff": ("Diffing two snapshots of 1,000,000 briefs: ours vs DuckDB", diff.section),
    "feed": ("The change feed over a year of weekly snapshots of 6,384 briefs", feed.section),
    "report": ("The report site for 6,384 briefs: one crawl, and a year of weekly crawls", report.section),
    "crawl_modes": ("Full, incremental and revalidating crawls of 6,384 briefs", crawl_modes.section),
}
# What `make bench` runs, within its ten minutes on two cores: issue 8's figures. The others (a second,
# 50,000-brief first crawl alone takes about six minutes) run with --all or --only; their sections
# in BENCHMARKS.md keep the figures, date and commit of their last run.
DEFAULT = ("crawl", "extraction", "memory", "reextract", "snapshot")
OPTIMIZATIONS = "optimizations"  # the hand-written section on what issue 8 changed, kept as it is

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "BENCHMARKS.md"
PREAMBLE = (
    "# Benchmarks\n\n"
    "Written by `make bench` (`python -m benchmarks.run`); each section says how to rerun it alone. "
    "Figures are from one machine on one day: compare ratios measured in the same run, not absolute "
    "numbers across sections.\n"
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def commit() -> str:
    """The commit measured, marked when the working tree differs from it (figures then are provisional)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
        # BENCHMARKS.md itself changes as each section is written: only other changes make figures provisional.
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                f":!{OUTPUT.name}"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head


def header(key: str, seconds: float) -> str:
    versions = []
    for package in ("trafilatura", "htmldate", "lxml"):
        try:
            module = __import__(package)
            versions.append(f"{package} {getattr(module, '__version__', '?')}")
        except ImportError:
            versions.append(f"{package} not installed")
    return "\n".join([
        f"- command: `python -m benchmarks.run --only {key}`",
        f"- machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, Python {platform.python_version()}, "
        f"{', '.join(versions)}",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}; this section took {seconds:.0f} s "
        f"(load average {os.getloadavg()[0]:.1f} when it ended)",
    ])  # fmt: skip


def begin(key: str) -> str:
    return f"<!-- benchmark:{key} -->"


def end(key: str) -> str:
    return f"<!-- /benchmark:{key} -->"


def update_section(document: str, key: str, body: str) -> str:
    """``document`` with section ``key`` replaced, or appended when it is new."""
    block = f"{begin(key)}\n{body.rstrip()}\n{end(key)}"
    pattern = re.compile(re.escape(begin(key)) + r".*?" + re.escape(end(key)), re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _: block, document, count=1)
    return document.rstrip("\n") + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=list(SECTIONS), help="run just this (repeatable)")
    parser.add_argument("--skip", action="append", choices=list(SECTIONS), default=[], help="leave this out")
    parser.add_argument("--all", action="store_true", help=f"every section, not only {', '.join(DEFAULT)}")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="markdown file to update")
    args = parser.parse_args(argv)
    document = args.output.read_text("utf-8") if args.output.exists() else PREAMBLE
    started = time.perf_counter()
    chosen = set(args.only or (SECTIONS if args.all else DEFAULT)) - set(args.skip)
    try:
        for key in (key for key in SECTIONS if key in chosen):
            heading, run = SECTIONS[key]
            print(f"benchmark {key}: running…", file=sys.stderr, flush=True)
            began = time.perf_counter()
            text = run()
            took = time.perf_counter() - began
            body = f"## {heading}\n\n{header(key, took)}\n\n{text}"
            document = update_section(document, key, body)
            args.output.write_text(document, "utf-8")  # after each, so a later failure keeps earlier figures
            print(body, flush=True)
    finally:
        SESSION.close()
    total = time.perf_counter() - started
    if not args.only and not args.skip:
        what = "`make bench BENCH_ARGS=--all`" if args.all else "`make bench`"
        document = update_section(document, "total_all" if args.all else "total",
                                  f"{what} took **{total / 60:.1f} minutes** ({total:.0f} s) on this machine, "
                                  f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.")  # fmt: skip
        args.output.write_text(document, "utf-8")
    print(f"benchmarks took {total:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
