"""The headline: a full crawl of the 6,384-brief replica against a bare Scrapy spider fetching the same URLs.

The replica runs in its own process, pre-rendered (``benchmarks.replica_proc``), the same server for
both sides. Our side is ``kei-crawler crawl`` as the demo runs it (politeness off, ``demo.LOCAL_SPEED``)
with brief pages read in one worker process (``KEI_EXTRACT_WORKERS=1``); its first run's request log is
the bare spider's URL list, and every later run of either side is checked to request exactly that
multiset of URLs. Runs alternate (ours, bare, ours, bare …) so a burst of load from elsewhere lands on
both; each is a fresh process into a fresh output directory, measured from outside (``benchmarks.child``).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.child import Measured, run
from benchmarks.session import BRIEFS, OUR_FLAGS, SESSION
from kei_crawler import settings as ours
from kei_crawler.commands.demo import LOCAL_SPEED
from kei_crawler.extensions.manifest import latest_manifest
from tests.support.crawling import speed_args

ROUNDS = 3
SIDES = ("ours", "bare", "items")  # the order of each round's runs


def bare_settings() -> dict[str, Any]:
    """The Scrapy settings our crawl runs with on the replica, without anything of kei-crawler's own."""
    return {
        **LOCAL_SPEED,
        "LOG_LEVEL": "WARNING",  # as both sides were measured (BENCHMARKS.md); Scrapy's default is DEBUG
        "USER_AGENT": ours.USER_AGENT,
        "ROBOTSTXT_OBEY": ours.ROBOTSTXT_OBEY,
        "RETRY_TIMES": ours.RETRY_TIMES,
        "DOWNLOAD_TIMEOUT": ours.DOWNLOAD_TIMEOUT,
        "DOWNLOAD_MAXSIZE": ours.DOWNLOAD_MAXSIZE,
        "COOKIES_ENABLED": ours.COOKIES_ENABLED,
        "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_ITEMS": ours.CONCURRENT_ITEMS,
    }


@dataclass(frozen=True)
class Run:
    side: str
    measured: Measured
    requests: int
    server_cpu: float
    connections: int


def one_run(side: str, number: int, urls_file: Path | None) -> tuple[Run, list[tuple[str, str, int]]]:
    replica = SESSION.replica()
    replica.command("clear")
    before = replica.command("stats")
    if side == "ours":
        measured = SESSION.crawl(SESSION.new_dir(f"crawl-{number}"))
    else:
        assert urls_file is not None
        argv = [sys.executable, "-m", "benchmarks.bare", str(urls_file), json.dumps(bare_settings())]
        measured = run([*argv, "--items"] if side == "items" else argv)
        if measured.returncode != 0:
            raise RuntimeError(f"the bare spider exited {measured.returncode}: {measured.stderr[-2000:]}")
    after = replica.command("stats")
    log = replica.requests()
    if after["misses"] != before["misses"]:
        raise RuntimeError("the replica rendered pages during a run: it was not measuring the crawler alone")
    return Run(side, measured, len(log), after["cpu"] - before["cpu"],
               after["connections"] - before["connections"]), log  # fmt: skip


def measure() -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {"ours": [], "bare": [], "items": []}
    urls_file = SESSION.scratch / "bare-urls.txt"
    expected: Counter[tuple[str, str]] | None = None
    for number in range(ROUNDS):
        for side in SIDES:
            result, log = one_run(side, number, urls_file if expected else None)
            requested = Counter((method, target) for method, target, _status in log)
            if expected is None:
                expected = requested
                base = SESSION.replica().base_url
                # The bare spider fetches robots.txt itself (ROBOTSTXT_OBEY), as ours does.
                urls_file.write_text("".join(f"{base}{t}\n" for (_m, t), n in requested.items()
                                             for _ in range(n) if t != "/robots.txt"))  # fmt: skip
            elif requested != expected:
                raise RuntimeError(
                    f"{side} requested other URLs than the first crawl: {(requested - expected) + (expected - requested)}"
                )
            runs[side].append(result)
        if number == 0 and SESSION.full_crawl is None:
            SESSION.full_crawl = SESSION.scratch / "crawl-0"  # a first crawl other sections can use
        elif number > 0:
            SESSION.new_dir(f"crawl-{number}")  # removed: only its figures are needed
    SESSION.results["crawl"] = runs
    return runs


def _median(values: list[float]) -> float:
    return statistics.median(values)


def section() -> str:
    runs = measure()
    requests = runs["ours"][0].requests
    manifest = latest_manifest(SESSION.scratch / "crawl-0")
    briefs = int(manifest["counts"]["briefs_written"])
    rows = []
    for side, label in (("bare", "bare Scrapy spider, same URLs, nothing else"),
                        ("items", "bare spider + one item per brief through a pass-through pipeline"),
                        ("ours", "kei-crawler crawl (extraction, pipelines, WARC, snapshot)")):  # fmt: skip
        walls = [r.measured.wall for r in runs[side]]
        wall = _median(walls)
        rows.append(
            f"| {label} | {wall:.1f} ({min(walls):.1f}–{max(walls):.1f}) | {requests / wall:,.0f} "
            f"| {briefs / wall:,.0f} | {_median([r.measured.cpu for r in runs[side]]):.1f} "
            f"| {max(r.measured.peak_mb for r in runs[side]):,.0f} "
            f"| {max(r.measured.tree_peak_mb for r in runs[side]):,.0f} |"
        )
    paired = [o.measured.wall / b.measured.wall for o, b in zip(runs["ours"], runs["bare"], strict=True)]
    cpu_paired = [o.measured.cpu / b.measured.cpu for o, b in zip(runs["ours"], runs["bare"], strict=True)]
    medians = {side: _median([r.measured.wall for r in runs[side]]) for side in runs}
    headline = medians["ours"] / medians["bare"]
    items_paired = [
        i.measured.wall / b.measured.wall for i, b in zip(runs["items"], runs["bare"], strict=True)
    ]
    server = {side: _median([r.server_cpu for r in runs[side]]) for side in runs}
    connections = {side: max(r.connections for r in runs[side]) for side in runs}
    verdict = "met" if headline <= 1.3 else "NOT met"
    command = " ".join(["kei-crawler crawl --base-url <replica> --output-dir <fresh dir>",
                        *speed_args(), *OUR_FLAGS])  # fmt: skip
    return "\n".join([
        f"A {BRIEFS:,}-brief replica (theme `modern`) served pre-rendered from its own process "
        f"(`benchmarks/replica_proc.py`); {ROUNDS} rounds, each a run of ours, of the bare spider and of "
        "the bare spider with items, "
        "every run a fresh process (a first crawl into an empty output directory for ours); medians "
        "(range). Wall time is the process's, start-up included; CPU time is user + system of the process "
        "and its extraction worker; peak RSS is the kernel's for the largest process, the tree's is the "
        "crawl and its worker summed (sampled every 0.1 s).",
        "",
        f"- ours: `{command}`",
        "- bare: `python -m benchmarks.bare <urls> <settings>` (`benchmarks/bare.py`: Scrapy with our crawl's "
        "settings, the URL list from the replica's log of our first run, a callback that does nothing)",
        "- bare + items: the same with `--items`: its callback yields `{\"url\": …}` for each brief page and "
        "one item pipeline returns it — what Scrapy itself charges any spider that archives briefs as items",
        f"- both requested exactly the same {requests:,} URLs ({briefs:,} briefs, the listing pages, "
        "robots.txt) in every run, checked against the replica's log",
        "",
        "| side | wall time (s) | requests/s | briefs/s | CPU time (s) | peak RSS (MB) | tree peak RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"**ours / bare, wall time: {headline:.2f}×** (median of each side; per round "
        f"{', '.join(f'{r:.2f}' for r in paired)}), target ≤ 1.3×: **{verdict}**. "
        f"CPU time ours / bare per round: {', '.join(f'{r:.2f}' for r in cpu_paired)} — ours does more work "
        "in all (it reads every page), spread over two processes.",
        "",
        f"Scrapy's own floor for a spider that yields its briefs as items: bare + items / bare, wall time "
        f"**{medians['items'] / medians['bare']:.2f}×** (per round {', '.join(f'{r:.2f}' for r in items_paired)}), "
        f"before reading a single page; ours / bare + items: **{medians['ours'] / medians['items']:.2f}×**.",
        "",
        f"The replica's own CPU per run: {server['ours']:.1f} s during ours, {server['bare']:.1f} s during "
        f"bare; connections opened: {connections['ours']} and {connections['bare']} (kept alive).",
    ])  # fmt: skip


if __name__ == "__main__":
    try:
        print(section())
    finally:
        SESSION.close()
