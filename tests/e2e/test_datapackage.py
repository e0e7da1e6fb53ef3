"""``frictionless validate`` on the data package of a real crawl of the replica: the descriptor, and every
row of the snapshot it names against its Table Schema."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import PUBLISHED
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, DESCRIPTION, SCHEMA_VERSION
from tests.support import ROOT
from tests.support.crawling import run_crawl

PLUGINS = ROOT / "tests" / "support" / "frictionless_plugins"


def frictionless_validate(package: Path, *, arrow: bool = True) -> dict[str, Any]:
    """The JSON report of ``frictionless validate``, run as a user runs it (with the pyarrow reader
    plugin on the path unless ``arrow`` is False)."""
    paths = [str(PLUGINS)] if arrow else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", str(package)],
        capture_output=True, text=True, timeout=600, env=env, cwd=package.parent,
    )  # fmt: skip
    assert done.stdout.startswith("{"), done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout)
    assert (done.returncode == 0) == report["valid"], done.stderr[-2000:]
    return report


def errors(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(error type, field name or note) of every error in the report."""
    found = [(e["type"], e.get("fieldName") or e.get("note", "")) for e in report["errors"]]
    for task in report["tasks"]:
        found += [(e["type"], e.get("fieldName") or e.get("note", "")) for e in task["errors"]]
    return found


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two crawls of a replica whose briefs use every column (Korea View, photos, updates)."""
    root = tmp_path_factory.mktemp("datapackage") / "output"  # the name the docs snippets use
    with ReplicaServer(build_site(40, theme="modern")) as server:
        for _ in range(2):
            done = run_crawl(server.base_url, root)
            assert done.returncode in PUBLISHED, done.stderr[-3000:]
    return root


def test_the_package_names_the_newest_snapshot(out: Path) -> None:
    package = json.loads(OutputLayout.of(out).datapackage.read_text("utf-8"))
    newest = store.latest(out)
    assert newest is not None and len(store.list_snapshots(out)) == 2
    (resource,) = package["resources"]
    assert out / resource["path"] == newest.path
    assert package["kei_crawler"]["crawl_id"] == newest.crawl_id
    assert package["created"] == store.metadata(newest.path)["finished_at"]
    history = json.loads(store.metadata(newest.path)["schema_history"])
    assert history == package["kei_crawler"]["schema_history"] and history[-1]["version"] == SCHEMA_VERSION
    assert store.scan(out).ignored == []  # snapshots/ holds snapshots only
    # The file itself carries each column's meaning, as written by the crawl.
    read = pq.read_schema(newest.path)
    for column in BRIEF_SCHEMA:
        assert read.field(column.name).metadata[DESCRIPTION] == column.metadata[DESCRIPTION]


def test_the_schema_page_snippet_reads_a_description(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (ROOT / "docs" / "schema.md").read_text("utf-8")
    section = page.split("## The data package", 1)[1].split("\n## ", 1)[0]
    (snippet,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    monkeypatch.chdir(out.parent)
    exec(compile(snippet, "docs/schema.md snippet", "exec"), {})
    assert capsys.readouterr().out == BRIEF_SCHEMA.field("body").metadata[DESCRIPTION].decode() + "\n"


def test_frictionless_validates_the_package_and_every_row(out: Path) -> None:
    report = frictionless_validate(OutputLayout.of(out).datapackage)
    assert report["valid"], errors(report)
    (task,) = report["tasks"]
    assert task["stats"]["rows"] == 40
    assert task["labels"] == BRIEF_SCHEMA.names
    rows = pq.read_table(store.latest(out).path).to_pylist()  # type: ignore[union-attr]
    # The rows hold what the types are checked on: lists, maps, nulls and set values of each kind.
    assert any(row["authors"] for row in rows) and any(row["provenance"] for row in rows)
    assert any(row["warc_offset"] is not None for row in rows)
    assert any(row["series"] == "Korea View" for row in rows)


def test_frictionless_finds_a_row_that_breaks_the_schema(out: Path, tmp_path: Path) -> None:
    """The validation reads the data: a duplicated brief and a missing title are reported."""
    broken = tmp_path / "out"
    shutil.copytree(out, broken)
    path = store.latest(broken).path  # type: ignore[union-attr]
    table = pq.read_table(path)
    titles = table["title"].to_pylist()
    titles[1] = None
    table = table.set_column(3, table.schema.field("title").with_nullable(True), pa.array(titles))
    pq.write_table(pa.concat_tables([table, table.slice(0, 1)]), path)
    found = errors(frictionless_validate(OutputLayout.of(broken).datapackage))
    assert ("primary-key", "") in [(kind, "") for kind, _ in found]
    assert ("constraint-error", "title") in found


def test_frictionless_own_parquet_reader_refuses_lists_and_maps(out: Path) -> None:
    """What docs/schema.md says of Frictionless's own Parquet reader (through pandas), and why the tests
    put a pyarrow reader on the path: if this fails, Frictionless reads them now; update the page."""
    found = errors(frictionless_validate(OutputLayout.of(out).datapackage, arrow=False))
    assert {field for kind, field in found if kind == "type-error"} == {"authors", "categories", "provenance"}
