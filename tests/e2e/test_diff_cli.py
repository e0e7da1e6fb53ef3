"""`kei-crawler diff` on two real snapshots of the replica (before and after it publishes, edits and removes
briefs): every format, the Parquet change table, exit codes as diff(1), and every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.diff import diff_files
from tests.support.crawling import run_crawl

ORIGIN = "https://keia.org"


def url(slug: str) -> str:
    return f"{ORIGIN}/the-peninsula/{slug}/"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """Two snapshots: a full crawl of 30 briefs; then 3 published, 1 edited, 1 removed, and --revalidate."""
    site = build_site(30, theme="modern")
    out = tmp_path_factory.mktemp("diff") / "out"
    with ReplicaServer(site) as server:
        first = run_crawl(server.base_url, out)
        assert first.returncode == 0, first.stderr[-2000:]
        new = [b.slug for b in site.publish(3)]
        edited, removed = site.briefs[10].slug, site.briefs[15].slug
        site.edit(edited)
        site.remove(removed)
        second = run_crawl(server.base_url, out, "--revalidate")
        assert second.returncode == 0, second.stderr[-2000:]
    assert len(store.list_snapshots(out)) == 2
    return out, {"added": new, "changed": [edited], "removed": [removed]}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_replicas_changes_are_found(crawled: tuple[Path, dict[str, list[str]]]) -> None:
    out, truth = crawled
    old, new = store.list_snapshots(out)
    changes = diff_files(old.path, new.path)
    assert sorted(changes.added["url"].to_pylist()) == sorted(url(s) for s in truth["added"])
    assert changes.changed["url"].to_pylist() == [url(truth["changed"][0])]
    assert "body" in changes.changed["changed_fields"][0].as_py()
    assert changes.changed["similarity"][0].as_py() < 1
    assert changes.removed["url"].to_pylist() == [url(truth["removed"][0])]
    assert changes.removed["removed_at"][0].as_py() is not None  # the site answered 404
    assert changes.moved.num_rows == 0


def test_text_is_the_default_and_exit_code_1_means_changes(
    crawled: tuple[Path, dict[str, list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = crawled
    code, stdout, stderr = run(capsys, "diff", "--output-dir", str(out))
    assert code == 1 and stderr == ""
    old, new = store.list_snapshots(out)
    assert f"From {old.crawl_id} to {new.crawl_id}: 3 added, 1 changed, 0 moved, 1 removed." in stdout
    assert "\x1b[" not in stdout  # plain when piped
    for word in ("added", "changed", "removed", "404/410 since"):
        assert word in stdout


def test_json_lists_each_kind(
    crawled: tuple[Path, dict[str, list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, truth = crawled
    code, stdout, _ = run(capsys, "diff", "--output-dir", str(out), "--format", "json")
    assert code == 1
    document = json.loads(stdout)
    assert document["counts"] == {"added": 3, "removed": 1, "changed": 1, "moved": 0}
    for kind in ("added", "removed", "changed", "moved"):
        for entry in document[kind]:
            assert {"brief_id", "url", "title", "published"} <= entry.keys()
    changed = document["changed"][0]
    assert changed["url"] == url(truth["changed"][0]) and "body" in changed["fields"]
    assert changed["body"]["chars_added"] > 0 and 0 <= changed["body"]["similarity"] < 1
    assert sorted(e["url"] for e in document["added"]) == sorted(url(s) for s in truth["added"])
    assert document["removed"][0]["removed_at"]


def test_markdown_and_csv(
    crawled: tuple[Path, dict[str, list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, truth = crawled
    code, stdout, _ = run(capsys, "diff", "--output-dir", str(out), "--format", "markdown")
    assert code == 1
    assert stdout.startswith("**The Peninsula** — From ")
    assert "### New (3)" in stdout and "### Changed (1)" in stdout and "### Removed (1)" in stdout
    assert f"]({url(truth['removed'][0])})" in stdout
    code, stdout, _ = run(capsys, "diff", "--output-dir", str(out), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert sorted(r["change"] for r in rows) == ["added"] * 3 + ["changed", "removed"]
    assert next(r for r in rows if r["change"] == "changed")["changed_fields"].split(";")[0] == "body"


def test_parquet_change_table(
    crawled: tuple[Path, dict[str, list[str]]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, truth = crawled
    target = tmp_path / "changes.parquet"
    code, _, _ = run(capsys, "diff", "--output-dir", str(out), "--format", "json", "--output", str(target))
    assert code == 1
    table = pq.read_table(target)
    changes = dict(zip(table["url"].to_pylist(), table["change"].to_pylist(), strict=True))
    assert changes == {
        **{url(s): "insert" for s in truth["added"]},
        url(truth["changed"][0]): "update",
        url(truth["removed"][0]): "delete",
    }
    assert {"body", "content_hash", "changed_fields", "old_url"} <= set(table.column_names)
    assert b"kei_crawler.new_snapshot" in pq.read_metadata(target).metadata


def test_ids_and_paths_name_snapshots_and_the_same_content_exits_0(
    crawled: tuple[Path, dict[str, list[str]]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, _ = crawled
    old, new = store.list_snapshots(out)
    code, stdout, _ = run(capsys, "diff", old.crawl_id, str(new.path.parent), "--output-dir", str(out))
    assert code == 1 and f"From {old.crawl_id} to {new.crawl_id}" in stdout
    copy = tmp_path / "copy.parquet"
    shutil.copy(old.path, copy)
    code, stdout, _ = run(capsys, "diff", str(old.path), str(copy), "--format", "json")
    assert code == 0
    assert json.loads(stdout)["counts"] == {"added": 0, "removed": 0, "changed": 0, "moved": 0}
    code, stdout, _ = run(capsys, "diff", str(old.path), str(copy))
    assert code == 0 and stdout.startswith("No changes from ")


def bad_inputs(out: Path, tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    old, new = store.list_snapshots(out)
    (tmp_path / "notes.parquet").write_text("not parquet at all\n")
    data = old.path.read_bytes()
    (tmp_path / "truncated.parquet").write_bytes(data[: len(data) // 2])
    pq.write_table(pa.table({"id": [1, 2], "text": ["a", "b"]}), tmp_path / "other.parquet")
    one = tmp_path / "one"
    shutil.copytree(old.path.parent, one / "snapshots" / old.path.parent.name)
    (tmp_path / "empty").mkdir()
    return {
        "missing path": ([str(tmp_path / "nope.parquet"), str(new.path)], "no such file"),
        "missing id": (["2020-01-01T000000Z", new.crawl_id, "--output-dir", str(out)], "no snapshot 2020-01-01T000000Z"),
        "not parquet": ([str(tmp_path / "notes.parquet"), str(new.path)], "not a readable Parquet file"),
        "truncated": ([str(tmp_path / "truncated.parquet"), str(new.path)], "not a readable Parquet file"),
        "other schema": ([str(tmp_path / "other.parquet"), str(new.path)], "not a kei-crawler snapshot (no brief_id, content_hash column)"),
        "same twice": ([old.crawl_id, str(old.path), "--output-dir", str(out)], "OLD and NEW are the same snapshot"),
        "one snapshot": (["--output-dir", str(one)], "holds 1 snapshot; a diff needs two"),
        "no snapshot": (["--output-dir", str(tmp_path / "empty")], "holds 0 snapshots; a diff needs two"),
        "no directory": (["--output-dir", str(tmp_path / "absent")], "no such directory"),
        "one argument": ([str(old.path)], "give both OLD and NEW"),
    }  # fmt: skip


def test_bad_input_is_one_line_and_exit_2(
    crawled: tuple[Path, dict[str, list[str]]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, _ = crawled
    for case, (argv, message) in bad_inputs(out, tmp_path).items():
        code, stdout, stderr = run(capsys, "diff", *argv)
        assert code == 2, case
        assert stdout == "", case
        assert stderr.startswith("kei-crawler: ") and stderr.count("\n") == 1, (case, stderr)
        assert message in stderr, (case, stderr)


def test_bad_input_from_a_shell_shows_no_traceback(
    crawled: tuple[Path, dict[str, list[str]]], tmp_path: Path
) -> None:
    out, _ = crawled
    argv, _ = bad_inputs(out, tmp_path)["truncated"]
    done = subprocess.run(
        [sys.executable, "-m", "kei_crawler", "diff", *argv], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
