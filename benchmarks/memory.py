"""Peak memory as the archive grows: a first crawl of 6,384 and of 50,000 briefs, and an incremental
crawl over each archive (what a scheduled run does: read the state, carry every row forward).

Rows, bodies and pages are streamed to disk; what a crawl keeps per brief while it runs (Scrapy's
request fingerprint, the WARC's index entry and payload digest, the URLs captured, the dedupe keys) is
about a kilobyte, so memory grows with the number of briefs by that, not by the size of the archive. The 50,000-brief
replica renders its pages on request (pre-rendering them would take longer than the crawl saves).
"""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

from benchmarks.child import Measured, run
from benchmarks.replica_proc import ReplicaProcess
from benchmarks.session import BRIEFS, OUR_FLAGS, SCALE, SESSION
from kei_crawler.extensions.manifest import latest_manifest
from kei_crawler.run.outcome import PUBLISHED as PUBLISHED_CODES
from tests.support.crawling import crawl_argv

LARGE = round(50_000 * SCALE)


def crawl(base_url: str, output: Path, *flags: str) -> tuple[Measured, dict[str, object]]:
    done = run(crawl_argv(base_url, output, *OUR_FLAGS, *flags))
    if done.returncode not in PUBLISHED_CODES:
        raise RuntimeError(f"crawl exited {done.returncode}: {done.stderr[-2000:]}")
    manifest = latest_manifest(output)
    counts = manifest["counts"]
    assert isinstance(counts, dict)
    return done, counts


def row(briefs: int, first: Measured, first_counts: dict[str, object], again: Measured,
        again_counts: dict[str, object]) -> str:  # fmt: skip
    return (
        f"| {briefs:,} | {first_counts['requests']:,} | {first.wall:.0f} | {first.peak_mb:,.0f} "
        f"| {first.tree_peak_mb:,.0f} | {again_counts['requests']} | {again_counts['briefs_carried']:,} "
        f"| {again.wall:.1f} | {again.peak_mb:,.0f} |"
    )


def _small_archive() -> tuple[list[Measured], dict[str, object], Measured, dict[str, object]]:
    """The 6,384-brief first crawls (the crawl section's, or one made here) and an incremental crawl over
    the archive the first one published."""
    runs = SESSION.results.get("crawl")
    source = SESSION.first_crawl()
    first_counts = latest_manifest(source)["counts"]
    firsts = [r.measured for r in runs["ours"]] if runs else [SESSION.crawl(SESSION.new_dir("memory-small"))]
    copy = SESSION.new_dir("memory-small-again")
    shutil.copytree(source, copy)
    again, again_counts = crawl(SESSION.replica().base_url, copy)
    shutil.rmtree(copy)
    return firsts, first_counts, again, again_counts


def _at(measured: Measured, share: float) -> float:
    """The crawl's own RSS (MiB) at ``share`` of its wall time."""
    when = measured.wall * share
    return min(measured.rss_samples, key=lambda sample: abs(sample[0] - when))[1]


def section() -> str:
    """The default: memory over the course of the 6,384-brief crawls, and an incremental crawl over their
    archive — minutes cheaper than a second, larger crawl, which ``section_large`` adds."""
    firsts, first_counts, again, again_counts = _small_archive()
    shares = (0.25, 0.5, 0.75, 1.0)
    rows, slopes = [], []
    for number, measured in enumerate(firsts, 1):
        at = [_at(measured, share) for share in shares[:-1]]
        # Between a quarter and three quarters of the run about half the briefs are fetched (the pace
        # is even: the listing is read as the briefs are) and nothing is published yet.
        slopes.append((at[2] - at[0]) * 1024 / (BRIEFS / 2))
        rows.append(f"| {number} | {measured.wall:.0f} | " + " | ".join(f"{mb:,.0f}" for mb in at)
                    + f" | {measured.peak_mb:,.0f} | {measured.tree_peak_mb:,.0f} |")  # fmt: skip
    return "\n".join([
        f"The crawl section's first crawls of the {BRIEFS:,}-brief replica (`{' '.join(OUR_FLAGS)}`): the "
        "crawl's own RSS (sampled every 0.1 s) at a quarter, half and three quarters of each run and its "
        "peak (the kernel's figure; it comes while the snapshot is published), and the tree's peak (the "
        "crawl and its extraction worker summed). Then an incremental crawl over the archive it published: "
        "what every scheduled run does (read the state, carry every row forward).",
        "",
        "| run | wall (s) | RSS at 25 % (MB) | at 50 % | at 75 % | peak RSS (MB) | tree peak (MB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Growth while fetching (25 % → 75 % of the run, about {BRIEFS // 2:,} briefs): "
        f"**{statistics.median(slopes):.2f} KB per brief** (median of the runs): the rows, pages and WARC "
        "records are streamed to disk; what stays per brief is its URL in the crawl's sets, Scrapy's request "
        "fingerprint, its WARC index entry and payload digest, and the dedupe keys.",
        "",
        f"Incremental crawl over the {first_counts['briefs_written']:,}-row archive: "
        f"{again_counts['requests']} requests, {again_counts['briefs_carried']:,} rows carried, "
        f"{again.wall:.1f} s, peak RSS {again.peak_mb:,.0f} MB.",
        "",
        "The same figures for a first crawl of 50,000 briefs: `python -m benchmarks.run --only memory_50k` "
        "(section below; about six minutes, so not part of the default `make bench`).",
    ])  # fmt: skip


def section_large() -> str:
    firsts, first_counts, again, again_counts = _small_archive()
    first = max(firsts, key=lambda m: m.peak_mb)
    rows = [row(BRIEFS, first, first_counts, again, again_counts)]
    peaks = [(BRIEFS, first.peak_mb)]
    with ReplicaProcess(LARGE, prerender=False) as replica:
        output = SESSION.new_dir("memory-large")
        # 5,000 listing pages: past KEI_MAX_LISTING_PAGES' default hard stop (2,000), set for the real site.
        pages = ("-s", f"KEI_MAX_LISTING_PAGES={LARGE // 10 + 10}")
        big, big_counts = crawl(replica.base_url, output, *pages)
        again, again_counts = crawl(replica.base_url, output, *pages)
        if big_counts["briefs_written"] != LARGE:
            raise RuntimeError(f"the {LARGE:,}-brief crawl captured {big_counts['briefs_written']:,} briefs")
    rows.append(row(LARGE, big, big_counts, again, again_counts))
    peaks.append((LARGE, big.peak_mb))
    shutil.rmtree(output)

    (small, small_mb), (large, large_mb) = peaks
    per_brief_kb = (large_mb - small_mb) * 1024 / (large - small)
    return "\n".join([
        f"First crawls of a {BRIEFS:,}- and a {LARGE:,}-brief replica (theme `modern`, politeness off, "
        f"`{' '.join(OUR_FLAGS)}`), each followed by an incremental crawl over the archive it published. "
        "Peak RSS: the kernel's figure for the crawl's process; the tree column sums the crawl and its "
        "extraction worker, sampled (the crawl's peak comes while it publishes, after the worker has "
        "exited); for 6,384 briefs the largest of the crawl section's runs. The 50,000-brief crawl reads "
        "5,000 listing pages, past `KEI_MAX_LISTING_PAGES`' 2,000 (raised for it).",
        "",
        "| briefs | first crawl: requests | wall (s) | peak RSS (MB) | tree peak (MB) "
        "| incremental: requests | rows carried | wall (s) | peak RSS (MB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"From {small:,} to {large:,} briefs the first crawl's peak grows by {large_mb - small_mb:,.0f} MB: "
        f"**{per_brief_kb:.2f} KB per brief** (pages of ~7.7 KB and the rows are streamed to disk; what "
        "stays per brief is its URL in the crawl's sets, Scrapy's request fingerprint, its WARC index entry "
        "and payload digest, and the dedupe keys).",
    ])  # fmt: skip


if __name__ == "__main__":
    try:
        print(section())
    finally:
        SESSION.close()
