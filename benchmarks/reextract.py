"""``kei-crawler reextract`` of a full crawl's WARC: a snapshot rebuilt from archived responses, no network.

The WARC is the one a first crawl of the 6,384-brief replica wrote (the crawl section's, when it ran);
each run is a fresh child process into a fresh output directory, measured from outside.
"""

from __future__ import annotations

import shutil
import statistics
import sys

import pyarrow.parquet as pq

from benchmarks.child import Measured, run
from benchmarks.session import BRIEFS, SESSION
from kei_crawler.extensions.manifest import latest_manifest

WORKERS = ("-s", "KEI_EXTRACT_WORKERS=1")  # pages read in a worker process, as the crawl benchmark runs


def section() -> str:
    crawl = SESSION.first_crawl()
    warcs = sorted((crawl / "warc").glob("*.warc.gz"))
    manifest = latest_manifest(crawl)
    crawled_rows = int(manifest["counts"]["snapshot_rows"])
    responses = sum(int(v) for v in manifest["counts"]["warc_records"].values() if isinstance(v, int)) // 2
    runs: dict[str, list[Measured]] = {"worker": [], "inline": []}
    # One run each: the budget is ten minutes for every benchmark.
    for number, side in enumerate(("worker", "inline")):
        output = SESSION.new_dir(f"reextract-{number}")
        argv = [sys.executable, "-m", "kei_crawler", "reextract", *map(str, warcs), "--output-dir", str(output),
                *(WORKERS if side == "worker" else ())]  # fmt: skip
        done = run(argv)
        if done.returncode != 0:
            raise RuntimeError(f"reextract exited {done.returncode}: {done.stderr[-2000:]}")
        snapshot = max((output / "snapshots").glob("*/briefs.parquet"))
        rows = pq.ParquetFile(snapshot).metadata.num_rows
        if rows != crawled_rows:
            raise RuntimeError(f"reextract wrote {rows} rows, the crawl {crawled_rows}")
        runs[side].append(done)
        shutil.rmtree(output)
    size = sum(w.stat().st_size for w in warcs)
    table = []
    for side, label in (
        ("worker", f"`{' '.join(WORKERS)}`"),
        ("inline", "pages read in the command's process"),
    ):
        measured = runs[side]
        wall = statistics.median(r.wall for r in measured)
        spread = (
            f" ({min(r.wall for r in measured):.1f}–{max(r.wall for r in measured):.1f})"
            if len(measured) > 1
            else ""
        )
        table.append(f"| {label} | {len(measured)} | {wall:.1f}{spread} | {crawled_rows / wall:,.0f} "
                     f"| {statistics.median(r.cpu for r in measured):.1f} | {max(r.peak_mb for r in measured):,.0f} |")  # fmt: skip
    return "\n".join([
        f"The WARC of a first crawl of the {BRIEFS:,}-brief replica ({size / 2**20:,.1f} MB, {responses:,} "
        f"responses): `kei-crawler reextract <warc> --output-dir <fresh dir> [-s KEI_EXTRACT_WORKERS=1]`, "
        f"each run a fresh process; every rebuilt snapshot has the crawl's {crawled_rows:,} rows. Wall time "
        "includes the interpreter's start and publishing the snapshot.",
        "",
        "| extraction | runs | wall time (s) | briefs/s | CPU time (s) | peak RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *table,
    ])  # fmt: skip


if __name__ == "__main__":
    try:
        print(section())
    finally:
        SESSION.close()
