"""Snapshot writing and loading at 6,384 and 1,000,000 synthetic rows, each step in a fresh child process.

- write: what a crawl does with its fresh rows — Brief objects into the RowSpool (``to_table`` per
  1,000 rows, a Parquet part each), then the parts streamed into ``briefs.parquet`` as SnapshotWriter
  assembles it (with the quality counts it stores);
- carry: what every later crawl does with the archive — ArchiveState.load (the state keys), the stored
  quality baseline, and every row carried forward into a new file (``carry.carried_batches``);
- load: ``store.load`` — the whole table into memory, as a reader's pandas or polars would;

Rows are the replica's briefs (bodies 1–4 KB of its generated prose), cycled with distinct URLs. That
prose has a small vocabulary and compresses far better than real text: a crawl's own snapshot of the
replica is also under 300 bytes a brief (see the warc section), so file sizes here are low.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.child import run
from benchmarks.session import SCALE

SIZES = (round(6384 * SCALE), round(1_000_000 * SCALE))
TEMPLATES = 2000  # distinct briefs cycled: more than a row group holds, so none repeats within one
STEPS = ("write", "carry", "load")


def _briefs(n: int) -> Any:
    from kei_crawler.items import Brief, content_hash
    from kei_crawler.replica import build_site

    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    site = build_site(TEMPLATES)
    templates = []
    for record in site.expected_records():
        record = dict(record)
        templates.append(Brief(
            url="", brief_id="", slug="", title=record["title"], published=record["published"],
            published_raw=record["published"].strftime("%B %d, %Y"), authors=record["authors"],
            categories=record["categories"], series=record["series"], body=record["body"],
            credits=record["credits"], photo_caption=record["photo_caption"], photo_url=record["photo_url"],
            content_hash=content_hash(record["title"], record["published"], record["body"], record["photo_caption"]),
            fetched_at=t0, first_seen=t0, last_seen=t0, http_etag='"x"', provenance={"title": "heading"},
        ))  # fmt: skip
    for k in range(n):
        url = f"https://keia.org/the-peninsula/brief-{k}/"
        fetched = t0 + timedelta(seconds=k)
        yield dataclasses.replace(templates[k % len(templates)], url=url, brief_id=f"{k:016x}",
                                  slug=f"brief-{k}", fetched_at=fetched, first_seen=fetched, last_seen=fetched)  # fmt: skip


def step(name: str, n: int, folder: Path) -> dict[str, Any]:
    """One step, in this (child) process; the seconds it took after imports."""
    import pyarrow.parquet as pq

    from kei_crawler.run.archive import ArchiveState
    from kei_crawler.run.quality import PROFILE_METADATA, ProfileCounts, baseline_profile
    from kei_crawler.storage.snapshot import store
    from kei_crawler.storage.snapshot.carry import CrawlFacts, carried_batches
    from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, encode_metadata
    from kei_crawler.storage.snapshot.spool import RowSpool

    path = store.snapshot_path(folder, "2026-11-01T000000Z")
    started = time.perf_counter()
    if name == "write":
        spool = RowSpool(folder / "spool", 1000)
        for brief in _briefs(n):
            spool.add(brief)
        spool.flush()
        path.parent.mkdir(parents=True, exist_ok=True)
        counts = ProfileCounts()
        with pq.ParquetWriter(path, BRIEF_SCHEMA, compression="zstd") as writer:
            for table in spool.tables():
                writer.write_table(table)
                counts.add(table)
            writer.add_key_value_metadata(encode_metadata({PROFILE_METADATA: counts.to_metadata()}))
        result = {"bytes": path.stat().st_size}
    elif name == "carry":
        archive = ArchiveState.load(folder)
        baseline_profile(path)
        facts = CrawlFacts(frozenset(), frozenset(archive.known), {}, datetime.now(UTC))
        rows = 0
        with pq.ParquetWriter(folder / "carried.parquet", BRIEF_SCHEMA, compression="zstd") as writer:
            for carried in carried_batches(path, facts, 1000):
                writer.write_table(carried.table)
                rows += carried.table.num_rows
        assert rows == n
        result = {}
    elif name == "load":
        assert store.load(path).num_rows == n
        result = {}
    else:
        raise ValueError(f"unknown step {name!r}")
    return {"seconds": time.perf_counter() - started, **result}


def section() -> str:
    lines = []
    with tempfile.TemporaryDirectory(prefix="kei-bench-snapshot-") as tmp:
        for n in SIZES:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            cells = []
            size = 0
            for name in STEPS:
                done = run([sys.executable, "-m", "benchmarks.snapshot", name, str(n), str(folder)],
                           cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
                if done.returncode != 0:
                    raise RuntimeError(f"snapshot {name} {n} exited {done.returncode}: {done.stderr[-2000:]}")
                result = json.loads((folder / f"{name}.json").read_text())
                size = result.get("bytes", size)
                cells.append(f"{result['seconds']:.1f} s, {done.peak_mb:,.0f} MB")
            lines.append(
                f"| {n:,} | {size / 2**20:,.1f} MB ({size / n:,.0f} B/row) | " + " | ".join(cells) + " |"
            )
    return "\n".join([
        "Each step a fresh child process: its time after imports, and its peak RSS (the interpreter with "
        "pyarrow and kei-crawler loaded is about 110 MB of that). Rows are the replica's briefs cycled with "
        "distinct URLs; zstd Parquet, row groups of 1,000 as the crawler writes them.",
        "",
        "- write: Brief objects → RowSpool (`to_table` every 1,000 rows, one Parquet part each) → the parts "
        "streamed into `briefs.parquet` with the quality counts, as SnapshotWriter publishes a first crawl",
        "- carry: what an incremental crawl does with the archive besides fetching — `ArchiveState.load`, "
        "the quality baseline (from the metadata), every row carried forward into a new file",
        "- load: `store.load`, the whole table in memory (what a reader's `pd.read_parquet` does)",
        "",
        "| rows | file | write | carry | load |",
        "| ---: | ---: | ---: | ---: | ---: |",
        *lines,
    ])  # fmt: skip


if __name__ == "__main__":
    name, n, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    out = step(name, n, folder)
    (folder / f"{name}.json").write_text(json.dumps(out))
    os._exit(0)  # skip tearing down a million objects: the parent measures the step, not the exit
