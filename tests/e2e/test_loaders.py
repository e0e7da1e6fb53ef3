"""The README's loading snippets, run as written against a real crawl of the replica."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from kei_crawler.run.outcome import ExitCode
from tests.support import ROOT
from tests.support.crawling import run_crawl

README = ROOT / "README.md"


def readme_snippets() -> list[str]:
    section = README.read_text().split("## Loading the snapshots", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding output/ with two snapshots of the replica."""
    from kei_crawler.replica import ReplicaServer, build_site

    root = tmp_path_factory.mktemp("loaders")
    server = ReplicaServer(build_site(30, theme="modern"))
    base_url = server.start()
    try:
        for expected in (ExitCode.OK, ExitCode.NOTHING_NEW):
            done = run_crawl(base_url, root / "output")
            assert done.returncode == expected, done.stderr[-2000:]
    finally:
        server.stop()
    return root


def run_snippet(index: int, folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    snippets = readme_snippets()
    assert len(snippets) == 3, "the README should show DuckDB, polars and pandas"
    monkeypatch.chdir(folder)
    namespace: dict[str, object] = {}
    exec(compile(snippets[index], f"README.md snippet {index}", "exec"), namespace)
    return namespace


def test_duckdb_snippet(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ns = run_snippet(0, crawled, monkeypatch)
    rows = ns["latest"]
    assert isinstance(rows, list) and len(rows) == 30
    assert isinstance(rows[0][0], dt.date) and not isinstance(rows[0][0], dt.datetime)
    con = ns["con"]
    query = (
        "DESCRIBE SELECT * FROM read_parquet('output/snapshots/*/briefs.parquet', hive_partitioning = true)"
    )
    described = {name: kind for name, kind, *_ in con.sql(query).fetchall()}  # type: ignore[attr-defined]
    assert described["published"] == "DATE"
    assert described["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    assert described["authors"] == "VARCHAR[]"
    assert "snapshot" in described
    total = con.sql(  # type: ignore[attr-defined]
        "SELECT count(*), count(DISTINCT snapshot) FROM read_parquet('output/snapshots/*/briefs.parquet', "
        "hive_partitioning = true)"
    ).fetchall()[0]
    assert total == (60, 2)


def test_polars_snippet(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    ns = run_snippet(1, crawled, monkeypatch)
    briefs = ns["briefs"]
    assert isinstance(briefs, pl.DataFrame) and briefs.height > 0
    assert briefs.schema["published"] == pl.Date
    assert briefs.schema["fetched_at"] == pl.Datetime("us", "UTC")
    assert set(briefs["series"].to_list()) == {"Korea View"}


def test_pandas_snippet(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ns = run_snippet(2, crawled, monkeypatch)
    df = ns["df"]
    assert len(df) == 30  # type: ignore[arg-type]
    assert str(df["published"].dtype) == "date32[day][pyarrow]"  # type: ignore[index]
    assert str(df["fetched_at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"  # type: ignore[index]
    by_year = ns["by_year"]
    assert int(by_year.sum()) == 30  # type: ignore[attr-defined]
