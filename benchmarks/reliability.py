"""``make reliability``: the figures behind the crawler's reliability promises, written to RELIABILITY.md.

Five runs, each reproducible alone with the command its section names:

- the soak run (``benchmarks.soak``): random faults on a tenth of the paths over thousands of requests;
- kill -9 trials (``benchmarks.kill_trials``): a crawl killed at random moments, many times;
- fuzzing (``benchmarks.fuzz``): the property tests of the URL rules, page objects and XML parsers, with
  many cases;
- hostile sitemaps and feeds (``benchmarks.hostile_xml``): each read in a fresh process, time and memory bounded;
- hostile and careless users (``benchmarks.attacks``): bad settings, wrong paths, leftovers and links in
  the output directory, damaged snapshots and WARCs, a closed standard output.

The test suite runs small versions of all five; this is the full-size run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import kill_trials
from benchmarks.run import commit, cpu_model
from benchmarks.soak import soak, summary

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "RELIABILITY.md"


def soak_section(briefs: int, rate: float, seed: int) -> str:
    result = soak(briefs, rate, seed)
    faults = ", ".join(f"{kind} × {n}" for kind, n in result.faults.most_common())
    reported = ", ".join(f"`{reason}` × {n}" for reason, n in result.reported.most_common()) or "none"
    quarters = " / ".join(f"{result.rss_at(s):.0f}" for s in (0.25, 0.5, 0.75, 1.0))
    return "\n".join([
        f"Command: `python -m benchmarks.soak --briefs {briefs} --rate {rate} --seed {seed}`. A {briefs:,}-brief "
        f"replica serves a random fault (seeded, per path) on {rate:.0%} of its paths: transient ones (error "
        "statuses with and without `Retry-After`, resets, stalls past the download timeout, truncated bodies, "
        "corrupt gzip) clear after two tries; a fifth of the brief pages hit answer wrongly for good (sign-in "
        "wall, soft 404, empty 200, 500, charset lie). The crawl runs as `kei-crawler crawl` with fast retries "
        "(`RETRY_TIMES=4`, backoff from 0.05 s, `DOWNLOAD_TIMEOUT=2`); its memory is read from "
        "`/proc/<pid>/status` every 0.1 s.",
        "",
        "| figure | value |",
        "| --- | ---: |",
        f"| requests served | {result.requests:,} |",
        f"| faults injected | {sum(result.faults.values()):,} |",
        f"| briefs listed | {result.briefs:,} |",
        f"| briefs captured | {result.captured:,} |",
        f"| briefs reported (error or drop, with URL and reason) | {sum(result.reported.values()):,} |",
        f"| briefs neither captured nor reported | **{len(result.missing)}** |",
        f"| crawl peak RSS | {result.peak_rss_mb:.0f} MB |",
        f"| crawl RSS at 25 / 50 / 75 / 100 % of requests | {quarters} MB |",
        f"| wall time | {result.wall:.0f} s |",
        "",
        f"Faults injected: {faults}.",
        "",
        f"Reported: {reported}.",
        "",
        "```",
        summary(result),
        "```",
    ])  # fmt: skip


def kill_section(trials: int, seed: int) -> str:
    started = time.perf_counter()
    result = kill_trials.run_trials(trials, seed)
    took = time.perf_counter() - started
    phases = "\n".join(f"| {phase} | {count} |" for phase, count in result["phases"].items())
    failures = "\n".join(
        f"- trial {f['trial']} (killed at {f['delay']} s, {f['phase']}): {'; '.join(f['problems'])}"
        for f in result["failures"]
    )
    return "\n".join([
        f"Command: `python -m benchmarks.kill_trials --trials {trials} --seed {seed}`. Each trial starts a "
        "`--full` crawl of a small replica over an archive with snapshots, sends it SIGKILL at a moment drawn "
        "uniformly over an unkilled crawl's duration, checks what readers find (every earlier snapshot byte "
        "for byte, only complete snapshots and WARCs, every row's WARC link resolving, whole manifests), runs "
        "the next crawl and checks again. The named failure points (`KEI_FAILPOINT`, docs/reliability.md) are "
        "killed one by one in `tests/e2e/test_crash_safety.py`.",
        "",
        f"**{result['passed']} of {result['trials']} trials passed** ({took:.0f} s; an unkilled crawl took "
        f"{', '.join(f'{s:.1f}' for s in result['unkilled_seconds'])} s).",
        "",
        "| where the kill landed | trials |",
        "| --- | ---: |",
        phases,
        *(["", "Failures:", failures] if failures else []),
    ])  # fmt: skip


def fuzz_section(examples: int) -> str:
    command = [sys.executable, "-m", "benchmarks.fuzz", "--examples", str(examples), "--format", "json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    rows = "\n".join(
        f"| `{name}` | {cases:,} | {data['seconds'][name]:.1f} |" for name, cases in data["cases"].items()
    )
    failed = ", ".join(data["failed"]) or "none"
    return "\n".join([
        f"Command: `python -m benchmarks.fuzz --examples {examples}`. Hypothesis generates URLs (other hosts, "
        "userinfo tricks, `..` and `%2e%2e`, `javascript:`/`file:`/`data:` schemes, control characters) and "
        "pages (random trees of real tags, scripts, entities, broken encodings, mutated real pages) and "
        "sitemaps and feeds (generated and mutated XML, DTDs, gzip, hostile URLs and dates); each "
        "property holds for every case or the run fails with its example. A property whose strategy runs out "
        "of distinct cases stops early.",
        "",
        "| property | cases run | seconds |",
        "| --- | ---: | ---: |",
        rows,
        f"| **total** | **{sum(data['cases'].values()):,}** | |",
        "",
        f"Properties that failed: {failed}.",
    ])  # fmt: skip


def hostile_xml_section() -> str:
    command = [sys.executable, "-m", "benchmarks.hostile_xml", "--format", "json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    rows = "\n".join(
        f"| {row['case']} | {row['bytes']:,} | {row['seconds']:.2f} | {row['peak_mb']:.0f} | `{row['outcome'][:90]}` |"
        for row in data["cases"]
    )
    return "\n".join([
        "Command: `python -m benchmarks.hostile_xml` (cases: `tests/support/hostile_xml.py`). Each hostile "
        "sitemap or feed is read by `pages.sitemaps` or `pages.feeds` in a fresh process; it must be refused "
        "in one line or read for what is safe, as its test expects, within "
        f"{data['bounds']['seconds']:.0f} s and {data['bounds']['peak_mb']:.0f} MB peak (the interpreter and "
        "one copy of the document included).",
        "",
        "| case | bytes | seconds | peak MB | outcome |",
        "| --- | ---: | ---: | ---: | --- |",
        rows,
        "",
        f"Cases over a bound or read otherwise than expected: {', '.join(data['failed']) or 'none'}.",
    ])  # fmt: skip


def attacks_section() -> str:
    from benchmarks.attack_list import ATTACKS
    from benchmarks.attacks import run_all

    verdicts = run_all(ATTACKS)
    groups: dict[str, list[bool]] = {}
    for attack, verdict in zip(ATTACKS, verdicts, strict=True):
        groups.setdefault(attack.group, []).append(verdict.passed)
    rows = "\n".join(f"| {group} | {len(passed)} | {sum(passed)} |" for group, passed in groups.items())
    failed = "\n".join(
        f"- {v.attack}: exit {v.code}; {'; '.join(v.problems)}" for v in verdicts if not v.passed
    )
    codes: dict[str, int] = {}
    for verdict in verdicts:
        codes[str(verdict.code)] = codes.get(str(verdict.code), 0) + 1
    return "\n".join([
        "Command: `python -m benchmarks.attacks` (catalogue: `benchmarks/attack_list.py`). Each attack runs a "
        "real `kei-crawler` command on a fresh copy of a two-crawl archive of the replica, after planting what "
        "it needs (a link out of the output directory, a damaged snapshot, a stranger's file in a JOBDIR). It "
        "is met when there is no traceback, the exit code is one the attack allows, an exit 2 says why in one "
        "line, nothing outside the output directory changed, every snapshot and WARC published before is "
        "byte for byte the same, and readers find nothing wrong that was not wrong before.",
        "",
        "| group | attacks | met |",
        "| --- | ---: | ---: |",
        rows,
        f"| **total** | **{len(verdicts)}** | **{sum(v.passed for v in verdicts)}** |",
        "",
        "Exit codes seen: " + ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items())) + ".",
        "",
        f"Attacks not met: {'none.' if not failed else ''}",
        *([failed] if failed else []),
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.reliability", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--briefs", type=int, default=3000, help="soak: the replica's size")
    parser.add_argument("--rate", type=float, default=0.1, help="soak: share of paths with a fault")
    parser.add_argument("--trials", type=int, default=50, help="kill -9 trials")
    parser.add_argument("--examples", type=int, default=2000, help="fuzz: cases per property")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sections = [
        ("Soak run: random faults at a 10% rate", soak_section(args.briefs, args.rate, args.seed)),
        ("kill -9 at random moments", kill_section(args.trials, args.seed)),
        ("Fuzzing the URL rules, the page objects and the XML parsers", fuzz_section(args.examples)),
        ("Hostile sitemaps and feeds", hostile_xml_section()),
        ("Hostile and careless users", attacks_section()),
    ]
    text = "\n".join([
        "# Reliability",
        "",
        "Written by `make reliability` (`python -m benchmarks.reliability`). What each fault does to a crawl "
        "is in the README's table \"When the site misbehaves\"; the failure points and the crash guarantees "
        "are in docs/reliability.md.",
        "",
        f"- machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, Python {platform.python_version()}",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        "",
        *[part for heading, body in sections for part in (f"## {heading}", "", body, "")],
    ])  # fmt: skip
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
