"""Full, incremental and revalidating crawls of the 6,384-brief replica: requests and wall time each, without
and with the sitemaps and feed (revalidation by ``<lastmod>``).

The full crawl is the crawl section's first run (or one made here); then the replica publishes 3
briefs, edits one and removes one, and an incremental and a revalidating crawl follow into the same
output directory. Requests are counted by the replica's own log. The site is changed here, so this
section runs after every other that crawls the unchanged replica.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from benchmarks.child import Measured, run
from benchmarks.replica_proc import ReplicaProcess
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
    # The same site publishing sitemaps and a feed, crawled from a copy of the same first crawl: its
    # briefs, and so the archive's rows and validators, are the same.
    with_sitemaps = SESSION.new_dir("first-crawl-sitemaps")
    shutil.copytree(output, with_sitemaps, symlinks=True)
    sitemapped = ReplicaProcess(BRIEFS, sitemaps="core", feed=True).__enter__()
    for site, out, crawls in ((replica, output, PLAIN), (sitemapped, with_sitemaps, SITEMAPS)):
        site.command("publish", n=3)
        site.command("edit", index=100)
        site.command("remove", index=200)
        for name, flags in crawls:
            site.command("clear")
            done = _crawl(site.base_url, out, *flags)
            by_status = Counter(status for _m, _t, status in site.requests())
            rows.append(f"| {name} | {sum(by_status.values()):,} "
                        f"| {', '.join(f'{n}×{s}' for s, n in sorted(by_status.items()))} | {done.wall:.1f} "
                        f"| {done.returncode} |")  # fmt: skip
        site.close()
    return "\n".join([
        f"A {BRIEFS:,}-brief replica (theme `modern`, pre-rendered in its own process), politeness off "
        f"(`DOWNLOAD_DELAY=0`, 16 concurrent requests, `{' '.join(OUR_FLAGS)}`), each crawl one run of "
        "`kei-crawler crawl` in a child process; after the full crawl (the crawl section's first run) the "
        "replica publishes 3 briefs, edits 1 and removes 1. The last two rows make the same changes to the "
        "same replica publishing WordPress core's sitemaps and a feed, crawled from a copy of the first crawl "
        "with `-s KEI_SITEMAPS=True`. Requests are counted by the replica's server. "
        "At the real site's polite pace (1 request/s) the full crawl's requests would take about two hours; "
        "the incremental one, seconds.",
        "",
        "| crawl | requests | by status | wall time (s) | exit code |",
        "| --- | ---: | --- | ---: | ---: |",
        *rows,
    ])  # fmt: skip


PLAIN = (("incremental", ()), ("revalidate", ("--revalidate",)))
ON = ("-s", "KEI_SITEMAPS=True")  # the benchmarks' crawls read the listing only (tests.support.crawling)
SITEMAPS = (
    ("incremental, sitemaps + feed", ON),
    ("revalidate by lastmod, sitemaps + feed", (*ON, "--revalidate")),
)
"""The same crawls of the same changes on the replica publishing WordPress core's sitemaps and a feed."""


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
