"""The output directory's lock, held and released in this process (two runs racing for it: tests/e2e/test_lock.py)."""

from __future__ import annotations

from pathlib import Path

from kei_crawler.run.lock import OutputLock


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = OutputLock(tmp_path / ".lock"), OutputLock(tmp_path / ".lock")
    assert first.acquire("2026-11-29T000000Z")
    assert not second.acquire()
    assert "crawl 2026-11-29T000000Z" in second.holder()
    first.release()
    assert second.acquire()
    second.release()
