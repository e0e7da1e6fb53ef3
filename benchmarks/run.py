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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import crawl_modes, diff, extraction, warc

# key → (heading, function returning the section's markdown). Order here is order in the file.
SECTIONS: dict[str, tuple[str, Callable[[], str]]] = {
    "extraction": ("Extraction throughput: ours vs trafilatura", extraction.section),
    "crawl_modes": ("Full, incremental and revalidating crawls of 6,384 briefs", crawl_modes.section),
    "diff": ("Diffing two snapshots of 1,000,000 briefs: ours vs DuckDB", diff.section),
    "warc": ("The raw archive: WARC size per brief, crawl time with WARC on and off", warc.section),
}

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
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head


def header(key: str) -> str:
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
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
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
    parser.add_argument("--output", type=Path, default=OUTPUT, help="markdown file to update")
    args = parser.parse_args(argv)
    document = args.output.read_text("utf-8") if args.output.exists() else PREAMBLE
    for key in args.only or list(SECTIONS):
        heading, run = SECTIONS[key]
        print(f"benchmark {key}: running…", file=sys.stderr, flush=True)
        body = f"## {heading}\n\n{header(key)}\n\n{run()}"
        document = update_section(document, key, body)
        args.output.write_text(document, "utf-8")  # after each, so a later failure keeps earlier figures
        print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
