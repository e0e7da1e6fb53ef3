"""``prune``: which snapshots stay, which WARCs a kept snapshot still needs, and how they go."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from kei_crawler.commands import main
from kei_crawler.run import cursors
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.lock import OutputLock
from kei_crawler.run.outcome import ExitCode
from kei_crawler.run.pruning import carry_out
from kei_crawler.run.retention import Policy, plan
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.warc.cdx import index_part, write_cdxj
from kei_crawler.storage.warc.selection import needed_warcs
from tests.support.snapshots import brief, edit, write_snapshot

IDS = [f"2026-01-0{day}T000000Z" for day in range(1, 7)]
NOW = datetime(2026, 1, 6, 12, tzinfo=UTC)
PAGE = "https://keia.org/the-peninsula/{}/"
PHOTO = "https://keia.org/wp-content/uploads/photo.jpg"


class Warc:
    """A WARC of one crawl written record by record, indexed as a crawl indexes it when closed."""

    def __init__(self, folder: Path, crawl_id: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{crawl_id}.warc.gz"
        self.stream = BytesIO()
        self.writer = WARCWriter(self.stream, gzip=True)
        self.writer.write_record(self.writer.create_warcinfo_record(self.path.name, {"isPartOf": crawl_id}))

    def response(self, url: str, body: bytes, date: str) -> tuple[str, str]:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            url, "response", payload=BytesIO(body), http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )  # fmt: skip
        self.writer.write_record(record)
        return record.rec_headers.get_header("WARC-Payload-Digest"), date

    def revisit(self, url: str, digest: str, refers_to_date: str, date: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(
            url, digest, url, refers_to_date, http_headers=http, warc_headers_dict={"WARC-Date": date}
        )
        self.writer.write_record(record)

    def close(self) -> Path:
        self.path.write_bytes(self.stream.getvalue())
        write_cdxj(
            self.path.with_name(self.path.name.removesuffix(".warc.gz") + ".cdxj"), index_part(self.path)
        )
        return self.path


def date(day: int) -> str:
    return f"2026-01-0{day}T00:00:01Z"


def test_a_revisit_needs_the_capture_it_names_and_the_first_capture_of_its_payload(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    first = Warc(warc, IDS[0])
    digest, _ = first.response(PAGE.format("a"), b"<p>A</p>", date(1))
    first.close()
    # A later capture of the same payload (the first was unreadable when that crawl ran), then a revisit
    # naming that later capture: pywb replays it from there, reextract from any capture of the payload.
    second = Warc(warc, IDS[1])
    second.response(PAGE.format("a"), b"<p>A</p>", date(2))
    second.close()
    third = Warc(warc, IDS[2])
    third.revisit(PAGE.format("a"), digest, date(2), date(3))
    third.close()
    Warc(warc, IDS[3]).close()  # another crawl: nothing refers to it
    needed, problems = needed_warcs(warc, {third.path.name})
    assert needed == {first.path.name, second.path.name, third.path.name}
    assert problems == []
    needed, _ = needed_warcs(warc, {second.path.name})
    assert needed == {second.path.name}  # a response needs nothing else


def test_a_photo_needs_the_warc_of_its_first_capture(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    first = Warc(warc, IDS[0])
    first.response("http://127.0.0.1:8000/wp-content/uploads/photo.jpg", b"jpeg", date(1))  # a mirror's
    first.close()
    second = Warc(warc, IDS[1])
    second.response(PAGE.format("a"), b"<p>A</p>", date(2))
    second.close()
    needed, _ = needed_warcs(warc, {second.path.name}, {"/wp-content/uploads/photo.jpg"})
    assert needed == {first.path.name, second.path.name}


def archive(out: Path, changes: list[bool]) -> None:
    """One snapshot (and one WARC of one response) per crawl; ``changes[i]``: crawl i edited a brief."""
    a = brief("a", warc_file=f"{IDS[0]}.warc.gz", photo_url=None)
    for day, changed in enumerate(changes):
        if changed and day:
            a = dataclasses.replace(edit(a, body=f"edited on day {day}"), warc_file=f"{IDS[day]}.warc.gz")
        write_snapshot(out, IDS[day], [a])
        crawl = Warc(OutputLayout.of(out).warc, IDS[day])
        crawl.response(PAGE.format("a"), f"day {day}".encode(), date(day + 1))
        crawl.close()


def kept(out: Path, policy: Policy) -> list[str]:
    found = plan(OutputLayout.of(out), policy, NOW)
    return sorted(found.kept)


def test_keep_and_keep_days_keep_what_either_keeps_and_never_the_newest_goes(tmp_path: Path) -> None:
    archive(tmp_path, [True] * 6)
    assert kept(tmp_path, Policy(keep=2)) == IDS[4:]
    assert kept(tmp_path, Policy(keep_days=2)) == IDS[4:]  # 4 Jan 00:00 is 2.5 days before NOW: gone
    assert kept(tmp_path, Policy(keep=1, keep_days=3)) == IDS[3:]
    assert kept(tmp_path, Policy(keep_days=0)) == IDS[5:]  # the newest, whatever its age


def test_thin_keeps_only_the_snapshots_that_changed_something(tmp_path: Path) -> None:
    archive(tmp_path, [True, False, True, False, False, False])
    assert kept(tmp_path, Policy(thin=True)) == [IDS[0], IDS[2], IDS[5]]
    assert plan(OutputLayout.of(tmp_path), Policy(thin=True), NOW).kept[IDS[2]] == "changed something"
    assert kept(tmp_path, Policy(keep=4, thin=True)) == [IDS[2], IDS[5]]


def test_a_cursor_keeps_its_snapshot_for_the_next_diff(tmp_path: Path) -> None:
    archive(tmp_path, [True] * 6)
    cursors.write(OutputLayout.of(tmp_path), "mail-team", IDS[1])
    found = plan(OutputLayout.of(tmp_path), Policy(keep=1), NOW)
    assert found.kept[IDS[1]] == "cursor mail-team is at it (the next diff starts there)"


def test_warcs_go_only_when_no_kept_snapshot_needs_them(tmp_path: Path) -> None:
    # The brief is captured on day 0 and edited on day 3: until then every row points into day 0's WARC.
    archive(tmp_path, [True, False, False, True, False, False])
    found = plan(OutputLayout.of(tmp_path), Policy(keep=4), NOW)
    assert [ref.crawl_id for ref in found.removed] == IDS[:2]
    assert found.warcs_kept == {IDS[0]: f"a kept snapshot still needs {IDS[0]}.warc.gz"}
    assert sorted(found.warcs_removed) == [IDS[1]]
    found = plan(OutputLayout.of(tmp_path), Policy(keep=1), NOW)
    assert found.warcs_kept == {IDS[3]: f"a kept snapshot still needs {IDS[3]}.warc.gz"}
    assert sorted(found.warcs_removed) == [IDS[0], IDS[1], IDS[2], IDS[4]]


def test_the_dry_run_changes_nothing_and_says_what_would_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive(tmp_path, [True] * 6)
    before = sorted(str(path) for path in tmp_path.rglob("*") if path.name != ".lock")
    expected = plan(OutputLayout.of(tmp_path), Policy(keep=2), NOW).size()
    code = main(["prune", "--keep", "2", "--dry-run", "--output-dir", str(tmp_path)])
    assert code == ExitCode.OK
    assert sorted(str(path) for path in tmp_path.rglob("*") if path.name != ".lock") == before
    out = capsys.readouterr().out
    assert f"would remove snapshot {IDS[0]}" in out and f"would remove WARC {IDS[0]}.warc.gz" in out
    assert f"Would remove 4 snapshots and 4 crawls' WARCs, {expected:,} bytes" in out
    assert expected > 4 * 1000


def test_prune_removes_only_the_crawlers_files_and_says_what_it_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive(tmp_path, [True] * 6)
    layout = OutputLayout.of(tmp_path)
    (layout.snapshot_dir(IDS[1]) / "notes.txt").write_text("mine")
    (layout.warc / "my-own.warc.gz").write_bytes(b"not the crawler's")
    outside = tmp_path.parent / "outside.parquet"
    outside.write_bytes(b"x")
    os.symlink(outside.parent, layout.snapshots / f"{store.PREFIX}2025-12-31T000000Z")
    # Done, and exit 7: the WARC that is no WARC is named on stderr (it is never removed).
    assert main(["prune", "--keep", "1", "--output-dir", str(tmp_path)]) == ExitCode.WITH_ERRORS
    captured = capsys.readouterr()
    assert "my-own.warc.gz: not a readable WARC" in captured.err
    assert f"kept snapshot {IDS[1]}: its folder holds notes.txt" in captured.out
    assert [ref.crawl_id for ref in store.scan(tmp_path).refs] == [IDS[1], IDS[5]]
    assert sorted(path.name for path in layout.warc.iterdir()) == sorted(
        ["my-own.warc.gz", f"{IDS[1]}.warc.gz", f"{IDS[1]}.cdxj", f"{IDS[5]}.warc.gz", f"{IDS[5]}.cdxj"]
    )  # the kept snapshot's rows point into day 1's WARC (they came from day 1's edit)
    assert outside.exists() and (layout.snapshots / f"{store.PREFIX}2025-12-31T000000Z").is_symlink()
    assert list(layout.tmp.iterdir()) == []


def test_a_stopped_prune_is_finished_by_the_next(tmp_path: Path) -> None:
    archive(tmp_path, [True] * 6)
    layout = OutputLayout.of(tmp_path)
    found = plan(layout, Policy(keep=1), NOW)
    stopped = dataclasses.replace(found, warcs_removed={})  # stopped after the snapshots went
    carry_out(layout, stopped)
    assert [ref.crawl_id for ref in store.scan(tmp_path).refs] == [IDS[5]]
    (layout.runs).mkdir()
    for crawl_id in IDS:  # the run manifests say each published a snapshot
        layout.manifest(crawl_id).write_text(f'{{"snapshot": "{layout.snapshot_dir(crawl_id)}"}}')
    again = plan(layout, Policy(keep=1), NOW)
    assert sorted(again.warcs_removed) == IDS[:5]
    carry_out(layout, again)
    assert sorted(path.name for path in layout.warc.iterdir()) == [f"{IDS[5]}.cdxj", f"{IDS[5]}.warc.gz"]
    assert sorted(path.name for path in layout.runs.iterdir()) == [f"{crawl_id}.json" for crawl_id in IDS]


def test_a_locked_output_directory_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive(tmp_path, [True] * 6)
    holder = OutputLock(OutputLayout.of(tmp_path).lock_file)
    assert holder.acquire("2026-01-07T000000Z")
    try:
        code = main(["prune", "--keep", "1", "--output-dir", str(tmp_path)])
    finally:
        holder.release()
    assert code == ExitCode.LOCKED
    assert "another run is using" in capsys.readouterr().err
    assert len(store.scan(tmp_path).refs) == 6


@pytest.mark.parametrize(
    "argv, message",
    [([], "say what to keep"), (["--keep", "0"], "at least 1"), (["--keep-days", "-1"], "0 or more")],
)
def test_bad_arguments_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:
        code = main(["prune", *argv, "--output-dir", str(tmp_path)])
    except SystemExit as refused:  # argparse's refusals exit from the parser
        code = int(refused.code or 0)
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("kei-crawler:") and message in err and len(err.splitlines()) == 1


def test_a_snapshot_older_than_the_link_columns_needs_no_warc(tmp_path: Path) -> None:
    archive(tmp_path, [True, True])
    newest = store.snapshot_path(tmp_path, IDS[1])
    table = pq.read_table(newest)
    pq.write_table(
        table.drop_columns(["warc_file", "warc_record_id", "warc_offset", "photo_warc_record_id"]), newest
    )
    found = plan(OutputLayout.of(tmp_path), Policy(keep=1), NOW)
    assert sorted(found.warcs_removed) == [IDS[0]] and found.problems == []


def test_a_kept_snapshot_that_does_not_load_stops_the_prune(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive(tmp_path, [True, True, True])
    store.snapshot_path(tmp_path, IDS[2]).write_bytes(b"not parquet")
    code = main(["prune", "--keep", "1", "--output-dir", str(tmp_path)])
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("kei-crawler: nothing removed:") and len(err.splitlines()) == 1
    assert len(store.scan(tmp_path).refs) == 3
