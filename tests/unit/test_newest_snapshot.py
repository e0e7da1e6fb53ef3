"""Which snapshot is the newest, and what a crawl id is (issue 14, points 6 and 7).

A crawl id is the UTC form ``2026-11-29T043512Z``; a snapshot is a real folder ``snapshot=<crawl id>``
holding a regular ``briefs.parquet``. Every reader — the crawl's carried state, ``feed``, ``diff``,
``snapshots`` — takes the newest of those, and a new crawl id always sorts after it.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kei_crawler.commands import main
from kei_crawler.config import ConfigError, KeiConfig
from kei_crawler.run.archive import ArchiveState
from kei_crawler.run.context import CannotStart, open_run
from kei_crawler.run.layout import JobLayout, OutputLayout
from kei_crawler.run.resume import ResumeState
from kei_crawler.storage.snapshot import store
from tests.support.snapshots import brief, write_snapshot

OLD, NEW = "2026-01-01T000000Z", "2026-02-01T000000Z"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Two real snapshots, and beside them everything that must not count as one."""
    out = tmp_path / "out"
    write_snapshot(out, OLD, [brief("a")])
    write_snapshot(out, NEW, [brief("a"), brief("b")])
    snapshots = out / store.SNAPSHOTS
    old_dir = store.snapshot_dir(out, OLD)
    (snapshots / "snapshot=latest").symlink_to(old_dir, target_is_directory=True)
    (snapshots / "snapshot=2099-01-01T000000Z").symlink_to(old_dir, target_is_directory=True)
    linked_file = snapshots / "snapshot=2098-01-01T000000Z"
    linked_file.mkdir()
    (linked_file / store.FILENAME).symlink_to(old_dir / store.FILENAME)
    odd = ["snapshot=zzzz", "snapshot=myrun", "snapshot=2097-13-45T000000Z", "snapshot=2096-01-01T000000.5Z"]
    for n, name in enumerate(odd):
        write_snapshot(out, f"2000-01-0{n + 1}T000000Z", [brief("a")]).parent.rename(snapshots / name)
    (snapshots / "snapshot=2095-01-01T000000Z").write_text("a file, not a folder\n")
    (snapshots / "snapshot=2094-01-01T000000Z").mkdir()  # a folder without its file
    return out


def test_only_real_folders_named_by_a_crawl_id_are_snapshots(archive: Path) -> None:
    assert [ref.crawl_id for ref in store.list_snapshots(archive)] == [OLD, NEW]
    newest = store.latest(archive)
    assert newest is not None and newest.crawl_id == NEW
    ignored = store.scan(archive).ignored
    assert len(ignored) == 9 and all("\n" not in line for line in ignored)
    assert any("snapshot=latest" in line and "symlink" in line for line in ignored)
    assert any("snapshot=zzzz" in line and "not a crawl id" in line for line in ignored)


def test_an_entry_of_any_name_or_kind_is_one_printable_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    write_snapshot(out, NEW, [brief("a")])
    snapshots = out / store.SNAPSHOTS
    (snapshots / "snapshot=a\nb").mkdir()
    (snapshots / os.fsdecode(b"snapshot=\xff")).mkdir()
    (snapshots / "loop").symlink_to(snapshots / "loop")
    (snapshots / f"snapshot={OLD}").symlink_to(tmp_path / "nowhere")
    ignored = store.scan(out).ignored
    assert len(ignored) == 4 and all(line.isprintable() for line in ignored)
    assert [ref.crawl_id for ref in store.list_snapshots(out)] == [NEW]
    assert main(["snapshots", "--output-dir", str(out)]) == 0
    assert len(capsys.readouterr().err.splitlines()) == 4


def test_the_crawls_state_is_the_newest_real_snapshot(
    archive: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        state = ArchiveState.load(archive)
    assert state.snapshot is not None and state.snapshot.crawl_id == NEW
    assert set(state.known) == {brief("a").url, brief("b").url}
    assert any("snapshot=latest" in r.getMessage() for r in caplog.records)  # the user learns it is ignored


def test_feed_diff_and_snapshots_read_the_same_newest(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "feed.xml"
    assert main(["feed", "--output", str(feed), "--output-dir", str(archive)]) == 0
    captured = capsys.readouterr()
    assert f"snapshot {NEW}" in captured.out and "snapshot=latest" in captured.err
    assert brief("b").url in feed.read_text()

    assert main(["diff", "--output-dir", str(archive), "--format", "json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert (report["old"]["snapshot"], report["new"]["snapshot"]) == (OLD, NEW)
    assert "snapshot=latest" in captured.err

    assert main(["snapshots", "--output-dir", str(archive)]) == 0
    captured = capsys.readouterr()
    assert "zzzz" not in captured.out and "latest" not in captured.out and "2099" not in captured.out
    assert all(line.startswith("kei-crawler: warning: ") for line in captured.err.splitlines())
    assert "snapshot=zzzz" in captured.err

    # A crawl id names a snapshot only as a real folder: the symlinked one is not found by its id.
    assert main(["diff", OLD, "2099-01-01T000000Z", "--output-dir", str(archive)]) == 2
    assert "no snapshot 2099-01-01T000000Z" in capsys.readouterr().err


@pytest.mark.parametrize(
    "value",
    ["aaaa", "myrun", "nightly-2026.11.29", "2026-13-01T000000Z", "2026-02-30T000000Z", "2026-11-29T043512.5Z",
     "2026-11-29t043512z", "2026-11-29T04:35:12Z", "x2026-11-29T043512Z"],
)  # fmt: skip
def test_a_crawl_id_is_a_utc_timestamp(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match="KEI_CRAWL_ID must be a crawl id like 2026-11-29T043512Z"):
        KeiConfig.from_settings({"KEI_CRAWL_ID": value})
    out = tmp_path / "out"
    assert main(["crawl", "--output-dir", str(out), "-s", f"KEI_CRAWL_ID={value}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kei-crawler: KEI_CRAWL_ID must be")
    assert not out.exists()


def test_valid_crawl_ids_pass() -> None:
    assert KeiConfig.from_settings({"KEI_CRAWL_ID": "2026-11-29T043512Z"}).crawl_id == "2026-11-29T043512Z"
    assert KeiConfig.from_settings({}).crawl_id == ""
    assert store.is_crawl_id(store.new_crawl_id(datetime(2026, 11, 29, 4, 35, 12, 999, tzinfo=UTC)))


def config(out: Path, crawl_id: str = "") -> KeiConfig:
    return KeiConfig(output_dir=str(out), crawl_id=crawl_id)


def test_a_clock_behind_the_newest_snapshot_gives_an_id_after_it(
    archive: Path, caplog: pytest.LogCaptureFixture
) -> None:
    behind = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    with caplog.at_level(logging.WARNING), open_run(config(archive), now=behind) as run:
        assert run.crawl_id == "2026-02-01T000001Z"  # the newest real snapshot, plus a second
        assert run.started_at == behind  # the clock's own reading is kept, as the metadata says
    assert any("behind" in r.getMessage() and NEW in r.getMessage() for r in caplog.records)
    # A clock ahead of the archive is used as it is.
    ahead = datetime(2026, 3, 1, 8, 30, 5, tzinfo=UTC)
    with open_run(config(archive), now=ahead) as run:
        assert run.crawl_id == "2026-03-01T083005Z"


def test_an_unreadable_newest_still_bounds_the_next_crawl_id(archive: Path) -> None:
    damaged = store.snapshot_path(archive, "2026-03-01T000000Z")
    damaged.parent.mkdir()
    damaged.write_bytes(b"")
    with open_run(config(archive), now=datetime(2026, 2, 15, tzinfo=UTC)) as run:
        assert run.archive.snapshot is not None and run.archive.snapshot.crawl_id == NEW
        assert run.crawl_id == "2026-03-01T000001Z"


@pytest.mark.parametrize(
    ("crawl_id", "message"),
    [
        (OLD, "already used"),
        (NEW, "already used"),
        ("2026-01-15T000000Z", f"sorts before the newest snapshot {NEW}"),
        ("2025-01-01T000000Z", f"sorts before the newest snapshot {NEW}"),
    ],
)
def test_a_crawl_id_given_that_is_used_or_sorts_before_the_newest_is_refused(
    archive: Path, crawl_id: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CannotStart, match=message):
        open_run(config(archive, crawl_id))
    assert not OutputLayout.of(archive).runs.exists()
    before = sorted(p.name for p in (archive / store.SNAPSHOTS).iterdir())
    argv = [
        "crawl",
        "--base-url",
        "http://127.0.0.1:9",
        "--output-dir",
        str(archive),
        "-s",
        f"KEI_CRAWL_ID={crawl_id}",
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert sorted(p.name for p in (archive / store.SNAPSHOTS).iterdir()) == before


def test_a_crawl_id_used_by_a_run_that_published_nothing_is_refused_too(tmp_path: Path) -> None:
    out = tmp_path / "out"
    manifest = OutputLayout.of(out).manifest("2026-05-01T000000Z")
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{}")
    with pytest.raises(CannotStart, match="already used"):
        open_run(config(out, "2026-05-01T000000Z"))
    # A crawl id taken from the clock moves on instead.
    with open_run(config(out), now=datetime(2026, 5, 1, tzinfo=UTC)) as run:
        assert run.crawl_id == "2026-05-01T000001Z"
    # A crawl id given that is new and after the newest is used as given.
    with open_run(config(out, "2026-05-02T000000Z")) as run:
        assert run.crawl_id == "2026-05-02T000000Z"


@pytest.mark.parametrize(
    ("crawl_id", "message"),
    [("myrun", "is not a crawl id"), ("2026-01-15T000000Z", f"snapshot {NEW} was published since")],
)
def test_resuming_a_crawl_whose_id_cannot_be_published_is_refused(
    archive: Path, tmp_path: Path, crawl_id: str, message: str
) -> None:
    job = JobLayout(tmp_path / "job")
    job.root.mkdir()
    ResumeState(crawl_id=crawl_id, started_at="2026-01-15T00:00:00+00:00", base_url="https://keia.org").save(
        job.resume_file
    )
    with pytest.raises(CannotStart, match=message):
        open_run(config(archive), jobdir=job.root, resume=True)
