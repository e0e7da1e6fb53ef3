"""The raw archive's cost: WARC bytes per brief, and the CPU writing it takes per response.

Sizes come from the first crawl of the 6,384-brief replica (the crawl section's); the CPU time writing
the records costs is measured in this process on the same pages (wall-clock comparisons of whole crawls
with WARC on and off were within the machine's noise); a first and a second ``--full`` crawl of a small
replica show what revisit records save.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.child import run
from benchmarks.replica_proc import ReplicaProcess
from benchmarks.session import BRIEFS, OUR_FLAGS, SESSION
from kei_crawler.extensions.manifest import latest_manifest
from kei_crawler.replica import build_site
from kei_crawler.replica.content import Site
from kei_crawler.run.outcome import PUBLISHED as PUBLISHED_CODES
from kei_crawler.storage.warc.parts import Exchange, WarcParts
from tests.support.crawling import crawl_argv

REVISIT_BRIEFS = 200


def warc_bytes(output_dir: Path, pattern: str = "*.warc.gz") -> list[int]:
    return [path.stat().st_size for path in sorted((output_dir / "warc").glob(pattern))]


def cpu_per_response(site: Site, repeat: int = 3) -> float:
    """Milliseconds of CPU to write one brief's response and request records (median of ``repeat``)."""
    base = "http://127.0.0.1:8000"
    exchanges = []
    for brief in site.briefs:
        status, headers, body = site.render(brief.path, base)
        exchanges.append(Exchange(
            url=base + brief.path, method="GET", request_headers=[("User-Agent", "kei-crawler"),
            ("Accept-Encoding", "gzip, deflate")], request_body=b"", status=status,
            response_headers=list(headers.items()), body=body, received_at=datetime.now(UTC),
        ))  # fmt: skip
    results = []
    for number in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            parts = WarcParts(Path(tmp) / "spool", f"bench-{number}", {"software": "benchmark"})
            started = time.process_time()
            for exchange in exchanges:
                parts.capture(exchange)
            parts.close()
            results.append((time.process_time() - started) / len(exchanges) * 1000)
    return statistics.median(results)


IMAGES_OFF = ("-s", "KEI_REQUISITES_ENABLED=False")


def first_and_again(base_url: str, name: str, *flags: str) -> tuple[int, int, int]:
    """WARC bytes of a first crawl, of a second ``--full`` one of the unchanged site (its payloads are
    revisits) and of a third, ``--revalidate`` one (its 304s are revisits), into a fresh output directory."""
    out = SESSION.new_dir(name)
    for mode in ((), ("--full",), ("--revalidate",)):
        done = run(crawl_argv(base_url, out, *OUR_FLAGS, *flags, *mode))
        if done.returncode not in PUBLISHED_CODES:
            raise RuntimeError(f"crawl {mode} exited {done.returncode}: {done.stderr[-2000:]}")
    once, again, revalidated = warc_bytes(out)
    return once, again, revalidated


def section() -> str:
    crawl = SESSION.first_crawl()
    counts = latest_manifest(crawl)["counts"]
    briefs = int(counts["briefs_written"])
    downloaded = int(counts["bytes_downloaded"])
    requests = int(counts["requests"])
    first = sum(warc_bytes(crawl))
    index = sum(p.stat().st_size for p in (crawl / "warc").glob("*.cdxj"))
    snapshot = sum(p.stat().st_size for p in (crawl / "snapshots").glob("*/briefs.parquet"))
    photos = int(counts.get("requisites", 0))
    with ReplicaProcess(REVISIT_BRIEFS) as small:
        without_once, without_again, _ = first_and_again(small.base_url, "warc-no-images", *IMAGES_OFF)
        once, again, revalidated = first_and_again(small.base_url, "warc-revisits")
    cpu = cpu_per_response(build_site(REVISIT_BRIEFS, theme="modern"))
    runs = SESSION.results.get("crawl")
    crawl_cpu = statistics.median(r.measured.cpu for r in runs["ours"]) if runs else None
    share = (f", {cpu * requests / 1000 / crawl_cpu:.0%} of the crawl's {crawl_cpu:.0f} s of CPU (crawl section)"
             if crawl_cpu else "")  # fmt: skip
    return "\n".join([
        f"The first crawl of the {BRIEFS:,}-brief replica ({requests:,} requests: {briefs:,} briefs, "
        f"{photos:,} photos, the listing pages, robots.txt), every request and response kept, one gzip member "
        "per record. The replica's photos are 0.3–2.5 KB (the real site's are larger: the first crawl's size "
        "grows by their bytes); without images means `-s KEI_REQUISITES_ENABLED=False`.",
        "",
        "| archive | bytes | per brief |",
        "| --- | ---: | ---: |",
        f"| bodies downloaded (uncompressed) | {downloaded:,} | {downloaded / briefs:,.0f} |",
        f"| WARC of the first crawl | {first:,} | {first / briefs:,.0f} |",
        f"| its CDXJ index | {index:,} | {index / briefs:,.0f} |",
        f"| the snapshot (zstd Parquet), for comparison | {snapshot:,} | {snapshot / briefs:,.0f} |",
        f"| {REVISIT_BRIEFS}-brief replica, without images: WARC of a first crawl "
        f"| {without_once:,} | {without_once / REVISIT_BRIEFS:,.0f} |",
        f"| {REVISIT_BRIEFS}-brief replica, without images: WARC of a second `--full` crawl, site unchanged "
        f"(revisit records) | {without_again:,} | {without_again / REVISIT_BRIEFS:,.0f} |",
        f"| {REVISIT_BRIEFS}-brief replica, with images: WARC of a first crawl | {once:,} | {once / REVISIT_BRIEFS:,.0f} |",
        f"| {REVISIT_BRIEFS}-brief replica, with images: WARC of a second `--full` crawl, site unchanged "
        f"| {again:,} | {again / REVISIT_BRIEFS:,.0f} |",
        f"| {REVISIT_BRIEFS}-brief replica, with images: WARC of a third, `--revalidate` crawl, site unchanged "
        f"(each 304 a `server-not-modified` revisit) | {revalidated:,} | {revalidated / REVISIT_BRIEFS:,.0f} |",
        "",
        f"With images the unchanged re-crawl's WARC is {again / without_again - 1:+.1%} of the one without: a photo "
        "the archive holds is not fetched again (docs/warc.md#page-requisites), so the re-crawl writes the pages' "
        "revisits and nothing for their photos. A 304's revisit carries the confirmed response's headers (what "
        "pywb replays it with: docs/warc.md), a little more than the empty 304 response it replaces.",
        "",
        f"Writing the records costs **{cpu:.2f} ms of CPU per response** (response + request record, digests, "
        f"gzip per record; measured in-process on the same pages, median of 3): {cpu * requests / 1000:.1f} s "
        f"for the {requests:,} responses of a full crawl{share}. At the real site's polite pace (about one "
        "request a second) it disappears in the wait between requests; the size is what an archivist plans "
        "for.",
    ])  # fmt: skip
