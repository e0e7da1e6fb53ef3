"""``kei-crawler reextract`` refuses what it cannot read, in one line (its crawls: tests/e2e/test_reextract.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kei_crawler.commands import main
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store


def test_reextract_rejects_what_is_not_a_warc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_warc = tmp_path / "page.warc.gz"
    not_warc.write_bytes(b"<html>not a warc</html>")
    assert main(["reextract", str(not_warc), "--output-dir", str(tmp_path / "out")]) == ExitCode.USAGE
    assert main(["reextract", str(tmp_path / "missing.warc.gz")]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "not a readable WARC" in err and "no such file" in err and "Traceback" not in err
    assert store.list_snapshots(tmp_path / "out") == []
