"""Full, incremental and revalidating crawls of a 6,384-brief replica: requests and wall time each.

The replica is served in this process (so its own log counts the requests); each crawl runs as
``kei-crawler crawl`` in a child process, as a scheduler would run it, with politeness off. Between the
full crawl and the others the replica publishes 3 briefs, edits one and removes one.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from kei_crawler.demo import PUBLISHED_CODES, crawl_argv
from kei_crawler.replica import ReplicaServer, build_site

BRIEFS = 6384


def crawl(base_url: str, output_dir: Path, *flags: str) -> tuple[float, int]:
    command = crawl_argv(base_url, output_dir, *flags)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in PUBLISHED_CODES:
        raise RuntimeError(f"crawl {flags} exited {done.returncode}: {done.stderr[-1000:]}")
    return elapsed, done.returncode


def section() -> str:
    site = build_site(BRIEFS, theme="modern")
    rows = []
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(site) as server:
        out = Path(tmp) / "out"
        plan: list[tuple[str, tuple[str, ...]]] = [("full (first crawl)", ())]
        plan += [("incremental", ()), ("revalidate", ("--revalidate",))]
        for number, (name, flags) in enumerate(plan):
            if number == 1:
                site.publish(3)
                site.edit(site.briefs[100].slug)
                site.remove(site.briefs[200].slug)
            server.clear_log()
            elapsed, code = crawl(server.base_url, out, *flags)
            statuses: dict[int, int] = {}
            for record in server.requests:
                statuses[record.status] = statuses.get(record.status, 0) + 1
            by_status = ", ".join(f"{n}×{status}" for status, n in sorted(statuses.items()))
            rows.append(f"| {name} | {len(server.requests):,} | {by_status} | {elapsed:.1f} | {code} |")
    return "\n".join([
        f"A {BRIEFS:,}-brief replica (theme `modern`), politeness off (`DOWNLOAD_DELAY=0`, 16 concurrent "
        "requests), each crawl one run of `kei-crawler crawl` in a child process; after the full crawl the "
        "replica publishes 3 briefs, edits 1 and removes 1. Requests are counted by the replica's server. "
        "At the real site's polite pace (1 request/s) the full crawl's requests would take about two hours; "
        "the incremental one, seconds.",
        "",
        "| crawl | requests | by status | wall time (s) | exit code |",
        "| --- | ---: | --- | ---: | ---: |",
        *rows,
    ])  # fmt: skip
