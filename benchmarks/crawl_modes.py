"""Full, incremental and revalidating crawls of the 6,384-brief replica: requests and wall time each.

The full crawl is the crawl section's first run (or one made here); then the replica publishes 3
briefs, edits one and removes one, and an incremental and a revalidating crawl follow into the same
output directory. Requests are counted by the replica's own log. The site is changed here, so this
section runs after every other that crawls the unchanged replica.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from benchmarks.child import Measured, run
from benchmarks.session import BRIEFS, OUR_FLAGS, SESSION
from kei_crawler.extensions.manifest import latest_manifest
from kei_crawler.run.outcome import PUBLISHED as PUBLISHED_CODES
from tests.support.crawling import crawl_argv


def section() -> str:
    output = SESSION.first_crawl()
    replica = SESSION.take_replica()  # about to be changed: no later section may take it as it was
    first = latest_manifest(output)
    runs = SESSION.results.get("crawl")
    first_wall = runs["ours"][0].measured.wall if runs else None
    statuses = first["counts"]["responses_by_status"]
    rows = [
        f"| full (first crawl) | {first['counts']['requests']:,} "
        f"| {', '.join(f'{n}×{s}' for s, n in sorted(statuses.items()))} "
        f"| {f'{first_wall:.1f}' if first_wall else '—'} | 0 |"
    ]
    replica.command("publish", n=3)
    replica.command("edit", index=100)
    replica.command("remove", index=200)
    for name, flags in (("incremental", ()), ("revalidate", ("--revalidate",))):
        replica.command("clear")
        done = _crawl(replica.base_url, output, *flags)
        by_status = Counter(status for _m, _t, status in replica.requests())
        rows.append(f"| {name} | {sum(by_status.values()):,} "
                    f"| {', '.join(f'{n}×{s}' for s, n in sorted(by_status.items()))} | {done.wall:.1f} "
                    f"| {done.returncode} |")  # fmt: skip
    replica.close()
    return "\n".join([
        f"A {BRIEFS:,}-brief replica (theme `modern`, pre-rendered in its own process), politeness off "
        f"(`DOWNLOAD_DELAY=0`, 16 concurrent requests, `{' '.join(OUR_FLAGS)}`), each crawl one run of "
        "`kei-crawler crawl` in a child process; after the full crawl (the crawl section's first run) the "
        "replica publishes 3 briefs, edits 1 and removes 1. Requests are counted by the replica's server. "
        "At the real site's polite pace (1 request/s) the full crawl's requests would take about two hours; "
        "the incremental one, seconds.",
        "",
        "| crawl | requests | by status | wall time (s) | exit code |",
        "| --- | ---: | --- | ---: | ---: |",
        *rows,
    ])  # fmt: skip


def _crawl(base_url: str, output: Path, *flags: str) -> Measured:
    done = run(crawl_argv(base_url, output, *OUR_FLAGS, *flags))
    if done.returncode not in PUBLISHED_CODES:
        raise RuntimeError(f"crawl {flags} exited {done.returncode}: {done.stderr[-2000:]}")
    return done


if __name__ == "__main__":
    try:
        print(section())
    finally:
        SESSION.close()
