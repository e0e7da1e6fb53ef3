"""A small soak run in the suite: random faults on a tenth of the paths, and no brief vanishes unreported.

The full-size run (thousands of requests, memory sampled) is ``python -m benchmarks.soak``; its figures
are in RELIABILITY.md.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.soak import soak, summary


def test_every_brief_is_captured_or_reported_under_random_faults(tmp_path: Path) -> None:
    result = soak(briefs=240, rate=0.1, seed=3, workdir=tmp_path)
    assert sum(result.faults.values()) >= 20, summary(result)
    assert result.missing == [], summary(result)
    assert result.captured + sum(result.reported.values()) == result.briefs
    # Transient faults clear after two tries and the crawler retries four times: only permanent ones remain.
    assert result.captured >= 0.9 * result.briefs, summary(result)
