"""The change feed on the 6,384-brief archive after a year of weekly crawls: how long ``feed`` takes.

52 snapshots of the whole archive (row groups of 1,000 rows, zstd, as the crawler writes them), built
from the replica's briefs as ``benchmarks.snapshot`` builds its rows. Every other crawl is quiet; the
others each find 3 new briefs and 1 edit, and every fourth also a removal. Each ``--limit`` runs in a
fresh child process (``python -m benchmarks.feed child OUT LIMIT``), three rounds, the median wall time
(interpreter start-up and imports included) and the largest peak RSS reported.

    python -m benchmarks.feed
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.child import run
from benchmarks.snapshot import _briefs

BRIEFS = 6384
CRAWLS = 52
LIMITS = (20, 100, 1000)
ROUNDS = 3


def build(out: Path) -> None:
    import pyarrow.parquet as pq

    from kei_crawler.items import content_hash
    from kei_crawler.storage.snapshot import store
    from kei_crawler.storage.snapshot.schema import to_table

    pool = list(_briefs(BRIEFS + 3 * CRAWLS))
    briefs = pool[:BRIEFS]
    fresh = iter(pool[BRIEFS:])
    start = datetime(2025, 11, 1, tzinfo=UTC)
    for week in range(CRAWLS):
        crawled = start + timedelta(weeks=week)
        if week and week % 2 == 0:
            briefs = [dataclasses.replace(next(fresh), first_seen=crawled + timedelta(minutes=m))
                      for m in range(3)] + briefs  # fmt: skip
            k = 100 + week
            body = briefs[k].body + f"\n\nA correction made in week {week}."
            briefs[k] = dataclasses.replace(
                briefs[k], body=body,
                content_hash=content_hash(briefs[k].title, briefs[k].published, body, briefs[k].photo_caption),
            )  # fmt: skip
            if week % 4 == 0:
                briefs[200 + week] = dataclasses.replace(briefs[200 + week], removed_at=crawled)
        path = store.snapshot_path(out, store.new_crawl_id(crawled))
        path.parent.mkdir(parents=True)
        pq.write_table(to_table(briefs), path, row_group_size=1000, compression="zstd")


def child(out: str, limit: int) -> None:
    from kei_crawler.monitor.feed import feed_document

    started = time.perf_counter()
    _, entries = feed_document(out, limit=limit)
    print(f"{entries} entries in {time.perf_counter() - started:.3f} s (after imports)", file=sys.stderr)


def section() -> str:
    """The markdown for BENCHMARKS.md (``python -m benchmarks.run --only feed``)."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="kei-bench-feed-") as tmp:
        out = Path(tmp) / "out"
        build(out)
        size = sum(p.stat().st_size for p in out.rglob("*.parquet")) / 2**20
        lines += [
            f"`kei-crawler feed` on {CRAWLS} weekly snapshots of the {BRIEFS:,}-brief archive ({size:.0f} MiB; "
            "every other crawl quiet, the others 3 new briefs and an edit, every fourth a removal too), "
            f"each `--limit` in a fresh process, {ROUNDS} rounds: the median wall time with start-up and "
            "imports, the largest peak RSS, and the last round's time inside `feed_document`.",
            "",
            "| --limit | wall, median (s) | peak RSS (MiB) | in-process |",
            "| --- | --- | --- | --- |",
        ]
        for limit in LIMITS:
            measured = [run([sys.executable, "-m", "benchmarks.feed", "child", str(out), str(limit)])
                        for _ in range(ROUNDS)]  # fmt: skip
            assert all(m.returncode == 0 for m in measured), measured[0].stderr
            wall = statistics.median(m.wall for m in measured)
            peak = max(m.peak_mb for m in measured)
            lines.append(f"| {limit} | {wall:.2f} | {peak:.0f} | {measured[-1].stderr.strip()} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    print(section())


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
