"""The benchmark harness's in-process steps still speak the crawler's current interfaces: a small run of
each, so `make bench` does not find out minutes in that an API it calls has changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import snapshot


@pytest.mark.parametrize("rows", [1, 1200])
def test_snapshot_steps_write_carry_and_load(tmp_path: Path, rows: int) -> None:
    written = snapshot.step("write", rows, tmp_path)
    assert written["bytes"] > 0
    for name in ("carry", "load"):
        assert snapshot.step(name, rows, tmp_path)["seconds"] >= 0
