"""The soak run: a crawl of a replica that misbehaves on a share of its paths, watched from outside.

Random faults (seeded, per path) hit listing and brief pages alike: most are transient — error statuses
with and without Retry-After, resets, stalls, truncated bodies, corrupt gzip — and clear after a couple
of tries; a share of the brief pages answer wrongly for good (a login wall, a soft 404, an empty 200, a
500, a charset lie). The crawl runs as ``kei-crawler crawl`` in a child process whose resident memory is
sampled as it goes. Afterwards every brief the replica lists must be a snapshot row or be named in the
run manifest with a reason: nothing may vanish without a word.

``python -m benchmarks.soak --briefs 3000 --rate 0.1`` runs it alone; ``benchmarks.reliability`` puts its
figures in RELIABILITY.md, and ``tests/e2e/test_soak.py`` runs a small one in the suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from kei_crawler.replica import Fault, FaultPlan, ReplicaServer, build_site
from kei_crawler.replica.faults import TRANSIENT
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_argv

# Fast retries: the replica's Retry-After is 1 s and the backoff starts small, so a soak takes a minute.
SOAK_SETTINGS: dict[str, object] = {
    "RETRY_TIMES": 4,
    "DOWNLOAD_TIMEOUT": 2,
    "KEI_RETRY_BACKOFF_BASE": 0.05,
    "KEI_RETRY_BACKOFF_MAX": 1.0,
    "LOG_LEVEL": "WARNING",
}
SAMPLE_EVERY = 0.1  # seconds between two readings of the crawl's resident memory


@dataclass
class SoakResult:
    briefs: int
    requests: int
    faults: Counter[str]
    captured: int
    reported: Counter[str]
    """Listed briefs not in the snapshot, by the reason the manifest gives."""
    missing: list[str]
    """Listed briefs neither captured nor reported: must be empty."""
    exit_code: int
    wall: float
    rss_mb: list[tuple[int, float]] = field(default_factory=list)
    """(requests served so far, crawl RSS in MB), sampled as the crawl went."""

    @property
    def peak_rss_mb(self) -> float:
        return max((rss for _, rss in self.rss_mb), default=0.0)

    def rss_at(self, share: float) -> float:
        """The crawl's RSS when ``share`` of its requests had been served (the first sample at or past it)."""
        target = share * self.requests
        return next((rss for served, rss in self.rss_mb if served >= target), self.peak_rss_mb)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def reported_reasons(manifest: dict[str, Any]) -> dict[str, str]:
    """Canonical brief URL → reason, for every brief the run reported instead of capturing."""
    counts = manifest.get("counts", {})
    out: dict[str, str] = {}
    for entry in [*counts.get("errors", []), *counts.get("drops", [])]:
        if entry.get("kind", "brief") == "brief":
            out[entry["url"]] = entry["reason"]
    return out


def soak(
    briefs: int = 3000,
    rate: float = 0.1,
    seed: int = 1,
    permanent_share: float = 0.2,
    settings: dict[str, object] | None = None,
    workdir: Path | None = None,
) -> SoakResult:
    site = build_site(briefs, theme="modern", seed=seed)
    plan = FaultPlan(
        rate=rate,
        seed=seed,
        kinds=(*TRANSIENT, Fault.STALL),
        permanent_share=permanent_share,
        random_times=2,
        retry_after="1",
    )
    with tempfile.TemporaryDirectory(dir=workdir) as tmp, ReplicaServer(site, faults=plan) as server:
        out = Path(tmp) / "out"
        command = crawl_argv(server.base_url, out, **{**SOAK_SETTINGS, **(settings or {})})
        samples: list[tuple[int, float]] = []
        started = time.perf_counter()
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
            while child.poll() is None:
                rss = rss_mb(child.pid)
                if rss is not None:
                    samples.append((len(server.requests), rss))
                time.sleep(SAMPLE_EVERY)
            _stdout, stderr = child.communicate()
        wall = time.perf_counter() - started
        if child.returncode not in (ExitCode.OK, ExitCode.WITH_ERRORS):
            raise RuntimeError(f"soak crawl exited {child.returncode}: {stderr[-2000:]}")
        snapshot = store.latest(out)
        assert snapshot is not None
        crawl_id = store.metadata(snapshot.path)["crawl_id"]
        manifest = json.loads(OutputLayout.of(out).manifest(crawl_id).read_text())
        captured = set(pq.read_table(snapshot.path, columns=["url"]).column("url").to_pylist())
        reasons = reported_reasons(manifest)
        listed = {record["url"] for record in site.expected_records()}
        not_captured = sorted(listed - captured)
        if (child.returncode == ExitCode.WITH_ERRORS) != bool(
            not_captured
        ):  # exit 7 exactly when one is lost
            raise RuntimeError(f"soak crawl exited {child.returncode} with {len(not_captured)} briefs lost")
        return SoakResult(
            briefs=briefs,
            requests=len(server.requests),
            faults=Counter(injection.rule.fault.value for injection in plan.injected),
            captured=len(listed & captured),
            reported=Counter(reasons[url] for url in not_captured if url in reasons),
            missing=[url for url in not_captured if url not in reasons],
            exit_code=child.returncode,
            wall=wall,
            rss_mb=samples,
        )


def summary(result: SoakResult) -> str:
    faults = ", ".join(f"{kind} {n}" for kind, n in result.faults.most_common())
    reported = ", ".join(f"{reason} {n}" for reason, n in result.reported.most_common()) or "none"
    return "\n".join([
        f"briefs listed: {result.briefs:,}; requests: {result.requests:,}; wall {result.wall:.1f} s",
        f"faults injected: {sum(result.faults.values()):,} ({faults})",
        f"captured: {result.captured:,}; reported: {sum(result.reported.values()):,} ({reported}); "
        f"neither: {len(result.missing)}",
        f"crawl RSS: peak {result.peak_rss_mb:.0f} MB; at 25% / 50% / 75% / 100% of requests: "
        + " / ".join(f"{result.rss_at(s):.0f}" for s in (0.25, 0.5, 0.75, 1.0))
        + " MB",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--briefs", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = soak(args.briefs, args.rate, args.seed)
    print(summary(result))
    for url in result.missing:
        print(f"NEITHER CAPTURED NOR REPORTED: {url}")
    return 1 if result.missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
