"""The README's loading snippets, run as written against a real archive of the replica, and the types each
tool loads checked to be the same: ``published`` a date, timestamps in UTC, ``snapshot`` a UTC
timestamp, live briefs only in ``briefs``."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support import ROOT
from tests.support.crawling import run_crawl

README = ROOT / "README.md"
SCHEMA = ROOT / "docs" / "schema.md"
TOOLS = ("duckdb", "polars", "pandas", "pyspark")
# The story: 30 briefs crawled; then the site edits one, removes one and publishes three; a revalidation.
FIRST, LIVE, ALL = 30, 32, 33


def snippets(path: Path, heading: str) -> list[str]:
    section = path.read_text().split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    found: list[str] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(found) == len(TOOLS), f"{path.name}'s {heading} should show DuckDB, polars, pandas and Spark"
    return found


def tool_snippets(tool: str) -> list[tuple[str, str]]:
    """The README's snippet for ``tool`` (the current briefs), then schema.md's that goes on from it
    (every snapshot), each with where it comes from."""
    index = TOOLS.index(tool)
    current = snippets(README, "## Loading the snapshots")[index]
    imported = re.search(r"^(?:from|import) (\w+)", current, flags=re.M)
    assert imported is not None and imported[1] == tool, f"README snippet {index + 1} should load {tool}"
    return [
        (current, f"README.md {tool} snippet"),
        (snippets(SCHEMA, "## Loading")[index], f"schema.md {tool}"),
    ]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding output/ with two snapshots of the replica: added, changed and removed briefs."""
    root = tmp_path_factory.mktemp("loaders")
    site = build_site(FIRST, theme="modern")
    with ReplicaServer(site) as server:
        first = run_crawl(server.base_url, root / "output")
        assert first.returncode == ExitCode.OK, first.stderr[-2000:]
        slugs = [brief.slug for brief in site.briefs]
        site.edit(slugs[2])
        site.remove(slugs[5])
        site.publish(3)
        second = run_crawl(server.base_url, root / "output", "--revalidate")
        assert second.returncode == ExitCode.OK, second.stderr[-2000:]
    return root


@pytest.fixture
def elsewhere(crawled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Snippets run from the folder holding output/; the views database must not need that."""
    monkeypatch.chdir(tmp_path)
    return crawled


def run_snippet(tool: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(folder)
    namespace: dict[str, Any] = {}
    for code, name in tool_snippets(tool):
        exec(compile(code, name, "exec"), namespace)
    return namespace


def snapshot_times(folder: Path) -> list[dt.datetime]:
    return [store.crawl_time(ref.crawl_id) for ref in store.list_snapshots(folder / "output")]  # type: ignore[misc]


def test_latest_points_at_the_newest_snapshot(crawled: Path) -> None:
    out = crawled / "output"
    newest = store.latest(out)
    assert newest is not None
    assert os.readlink(out / "latest") == f"snapshots/snapshot={newest.crawl_id}"
    done = subprocess.run(
        [sys.executable, "-m", "kei_crawler", "snapshots", "--latest", "--output-dir", str(out)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "40"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{newest.path}\n"
    assert Path(done.stdout.strip()).samefile(out / "latest" / store.FILENAME)


def test_duckdb_snippet(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ns = run_snippet("duckdb", crawled, monkeypatch)
    briefs = ns["briefs"]
    assert len(briefs) == LIVE
    assert type(briefs[0][0]) is dt.date
    first, second = snapshot_times(crawled)
    assert ns["live_per_snapshot"] == [(first, FIRST), (second, LIVE)]
    assert all(when.utcoffset() == dt.timedelta(0) for when, _ in ns["live_per_snapshot"])
    changes = [(when, change) for when, change, _ in ns["changes"]]
    assert changes == [(first, "added")] * FIRST + [(second, "added")] * 3 + [
        (second, "changed"),
        (second, "removed"),
    ]
    con = ns["con"]
    for view in ("briefs", "briefs_all", "history", "changes"):
        described = {name: kind for name, kind, *_ in con.sql(f"DESCRIBE {view}").fetchall()}
        assert described["snapshot"] == "TIMESTAMP WITH TIME ZONE", view
        assert described["published"] == "DATE", view
        if view != "changes":
            assert described["fetched_at"] == described["removed_at"] == "TIMESTAMP WITH TIME ZONE"
            assert described["authors"] == "VARCHAR[]"
    assert con.sql("SELECT count(*) FROM briefs_all").fetchall() == [(ALL,)]


def test_views_database_opens_from_anywhere(elsewhere: Path) -> None:
    import duckdb

    con = duckdb.connect(str(elsewhere / "output" / "kei.duckdb"), read_only=True)
    assert con.sql("SELECT count(*) FROM briefs").fetchall() == [(LIVE,)]
    assert con.sql("SELECT count(DISTINCT snapshot) FROM history").fetchall() == [(2,)]
    assert con.sql("SELECT output_dir FROM kei_crawler").fetchall() == [(str(elsewhere / "output"),)]


def test_polars_snippet(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    ns = run_snippet("polars", crawled, monkeypatch)
    briefs, history = ns["briefs"], ns["history"]
    assert briefs.height == LIVE and briefs["removed_at"].null_count() == LIVE
    for frame in (briefs, history):
        assert frame.schema["published"] == pl.Date
        assert frame.schema["fetched_at"] == frame.schema["removed_at"] == pl.Datetime("us", "UTC")
    assert history.schema["snapshot"] == pl.Datetime("us", "UTC")
    assert sorted(history["snapshot"].unique().to_list()) == snapshot_times(crawled)
    assert history.height == FIRST + ALL


def test_pandas_snippet(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ns = run_snippet("pandas", crawled, monkeypatch)
    briefs, history = ns["briefs"], ns["history"]
    assert len(briefs) == LIVE
    for frame in (briefs, history):
        assert str(frame["published"].dtype) == "date32[day][pyarrow]"
        assert str(frame["fetched_at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
        assert str(frame["removed_at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert str(history["snapshot"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert sorted(history["snapshot"].unique()) == snapshot_times(crawled)
    assert len(history) == FIRST + ALL


@pytest.fixture
def java() -> Iterator[None]:
    """Spark runs on a JVM: a machine without Java fails here, saying so, rather than skipping."""
    home = os.environ.get("JAVA_HOME")
    found = shutil.which("java") or (home and shutil.which("java", path=str(Path(home) / "bin")))
    if not found:
        pytest.fail("the Spark snippet needs Java 17 or newer: apt-get install openjdk-17-jre-headless")
    yield


def test_spark_snippet(java: None, crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    # One light session, which the snippet's getOrCreate takes over (setting its time zone): no web UI, and
    # one shuffle partition instead of 200 for a table of 63 rows. Started where the snippet runs: the JVM
    # resolves relative paths against the folder it started in.
    monkeypatch.chdir(crawled)
    light = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    try:
        ns = run_snippet("pyspark", crawled, monkeypatch)
        spark = ns["spark"]
        assert spark is light
        briefs, history = ns["briefs"], ns["history"]
        assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
        assert briefs.count() == LIVE
        for frame in (briefs, history):
            assert isinstance(frame.schema["published"].dataType, T.DateType)
            assert isinstance(frame.schema["fetched_at"].dataType, T.TimestampType)
            assert isinstance(frame.schema["removed_at"].dataType, T.TimestampType)
        assert isinstance(history.schema["snapshot"].dataType, T.TimestampType)
        # The instants, as UTC text (Python's conversion of a Spark timestamp uses the process's zone).
        shown = history.selectExpr("date_format(snapshot, \"yyyy-MM-dd'T'HHmmss'Z'\") AS id").distinct()
        ids = sorted(row.id for row in shown.collect())
        assert ids == [ref.crawl_id for ref in store.list_snapshots(crawled / "output")]
        assert history.count() == FIRST + ALL
    finally:
        light.stop()
