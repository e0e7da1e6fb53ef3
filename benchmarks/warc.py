"""The raw archive's cost: WARC bytes per brief, and a crawl's slowdown with WARC writing on versus off.

A 600-brief replica served in this process; each crawl is ``kei-crawler crawl`` in a child process with
politeness off, into a fresh output directory, alternating WARC on and off so that load on a shared
machine hits both sides; medians over the rounds. Crawl time is the run manifest's started → finished
(what the crawl itself took), wall time includes the interpreter's start, CPU time is the crawl process's
user + system time (the least disturbed by other load); the slowdown is the median of the per-round
ratios. Wall-clock times on a small shared machine are noisy, so the CPU time WARC writing itself costs
per response is also measured apart, in this process, on the same pages. A last, second
``--full`` crawl of the unchanged site shows what revisit records save.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kei_crawler.archive.parts import Exchange, WarcParts
from kei_crawler.demo import PUBLISHED_CODES, crawl_argv
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.content import Site

BRIEFS = 400
ROUNDS = 6


def crawl(base_url: str, output_dir: Path, *flags: str) -> tuple[float, float, float, dict[str, object]]:
    """(wall seconds, crawl seconds, CPU seconds of the crawl process, manifest) of one crawl."""
    command = crawl_argv(base_url, output_dir, *flags)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in PUBLISHED_CODES:
        raise RuntimeError(f"crawl {flags} exited {done.returncode}: {done.stderr[-1000:]}")
    manifest = json.loads(max((output_dir / "runs").glob("*.json")).read_text())
    took = datetime.fromisoformat(manifest["finished_at"]) - datetime.fromisoformat(manifest["started_at"])
    return wall, took.total_seconds(), cpu, manifest


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


def section() -> str:
    site = build_site(BRIEFS, theme="modern")
    times: dict[str, list[tuple[float, float, float]]] = {"on": [], "off": []}
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(site) as server:
        root = Path(tmp)
        manifest: dict[str, object] = {}
        for number in range(ROUNDS):
            for side in ("on", "off") if number % 2 == 0 else ("off", "on"):
                out = root / f"{side}-{number}"
                wall, took, cpu, found = crawl(server.base_url, out, "-s", f"KEI_WARC_ENABLED={side == 'on'}")
                times[side].append((wall, took, cpu))
                if side == "on":
                    manifest, kept = found, out
        counts = manifest["counts"]
        assert isinstance(counts, dict)
        briefs = int(counts["briefs_written"])
        downloaded = int(counts["bytes_downloaded"])
        requests = int(counts["requests"])
        first = warc_bytes(kept)[0]
        index = sum(p.stat().st_size for p in (kept / "warc").glob("*.cdxj"))
        crawl(server.base_url, kept, "--full")  # the site unchanged: revisits
        second = warc_bytes(kept)[-1]

    def median(side: str, which: int) -> float:
        return statistics.median(t[which] for t in times[side])

    def spread(side: str, which: int) -> str:
        values = [t[which] for t in times[side]]
        return f"{min(values):.2f}–{max(values):.2f}"

    rows = []
    for label, which in (("crawl time (manifest)", 1), ("wall time (process)", 0), ("CPU time (process)", 2)):
        ratios = [on[which] / off[which] for on, off in zip(times["on"], times["off"], strict=True)]
        rows.append(f"| {label} | {median('off', which):.2f} ({spread('off', which)}) "
                    f"| {median('on', which):.2f} ({spread('on', which)}) | {statistics.median(ratios):.2f}× "
                    f"({min(ratios):.2f}–{max(ratios):.2f}) |")  # fmt: skip
    cpu = cpu_per_response(site)
    typical = median("off", 1)
    return "\n".join([
        f"A {BRIEFS}-brief replica (theme `modern`), politeness off (`DOWNLOAD_DELAY=0`, 16 concurrent "
        f"requests); {ROUNDS} rounds of a first crawl with `KEI_WARC_ENABLED` on and off, alternating, each "
        "in a fresh output directory; medians (range). A full crawl is "
        f"{requests:,} requests ({briefs} briefs, listing pages, robots.txt).",
        "",
        "| seconds | WARC off | WARC on | slowdown, per-round ratio (range) |",
        "| --- | ---: | ---: | ---: |",
        *rows,
        "",
        f"Writing the records costs **{cpu:.2f} ms of CPU per response** (response + request record, digests, "
        f"gzip per record; measured in-process on the same pages): {cpu * requests / 1000:.2f} s for the "
        f"{requests:,} responses of a full crawl, {cpu * requests / 1000 / typical:.0%} of the median crawl "
        "without WARC: compare with the round-to-round ranges above.",
        "",
        "| archive | bytes | per brief |",
        "| --- | ---: | ---: |",
        f"| bodies downloaded (uncompressed) | {downloaded:,} | {downloaded / briefs:,.0f} |",
        f"| WARC of the first crawl (every request and response, gzip per record) | {first:,} | {first / briefs:,.0f} |",
        f"| its CDXJ index | {index:,} | {index / briefs:,.0f} |",
        f"| WARC of a second `--full` crawl, site unchanged (revisit records) | {second:,} | {second / briefs:,.0f} |",
        "",
        "At the real site's polite pace (about one request a second) the time spent writing the WARC "
        "disappears in the wait between requests; the size is what an archivist plans for.",
    ])  # fmt: skip
