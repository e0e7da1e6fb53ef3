"""``kei-crawler wacz`` over a tiny archive built here (two crawls' WARCs written with WarcParts, a
snapshot pointing into them): the pages, the merged index, the datapackage and its digest, which WARCs go
in, damaged and missing WARCs, and what is refused. The real crawl and ``wacz validate``:
tests/e2e/test_wacz.py."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kei_crawler.commands import main
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.warc.cdx import read_cdxj
from kei_crawler.storage.warc.link import WarcLink
from kei_crawler.storage.warc.selection import select
from kei_crawler.storage.warc.wacz import page_list, rfc3339
from tests.support.snapshots import brief, write_snapshot
from tests.unit.test_closed_stdout import closed_stdout
from tests.unit.test_warc_damage import ORIGIN, crawl

OLD, NEW = "2026-01-01T000000Z", "2026-01-02T000000Z"
LISTING = f"{ORIGIN}/the-peninsula/"


def page(slug: str, version: int = 0) -> tuple[str, bytes]:
    return f"{ORIGIN}/the-peninsula/{slug}/", f"<html><title>{slug}</title><p>v{version}</p></html>".encode()


def links(warc: Path) -> dict[str, WarcLink]:
    """Each response's link by URL, as a crawl hands them to the rows (the first capture of a URL wins)."""
    found: dict[str, WarcLink] = {}
    for _key, ts, fields in read_cdxj(warc.with_name(warc.name.removesuffix(".warc.gz") + ".cdxj")):
        when = datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=UTC).isoformat()
        found.setdefault(
            fields["url"],
            WarcLink(file=fields["filename"], record_id="", offset=int(fields["offset"]), date=when),
        )
    return found


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """OLD captured the listing and b0–b3; NEW the listing, b0 unchanged (a revisit of OLD's), b1 edited.
    The newest snapshot: b0 and b1 at NEW's captures, b2 carried from OLD, b3 removed."""
    out = tmp_path / "out"
    warc_dir = OutputLayout.of(out).warc
    old = crawl(warc_dir, OLD, (LISTING, b"listing v0"), *(page(f"b{n}") for n in range(4)))
    new = crawl(warc_dir, NEW, (LISTING, b"listing v1"), page("b0"), page("b1", 1))
    at_old, at_new = links(old), links(new)

    def row(slug: str, link: WarcLink, **fields: object) -> object:
        return brief(slug, warc_file=link["file"], warc_offset=link["offset"], **fields)

    write_snapshot(out, OLD, [row(f"b{n}", at_old[page(f"b{n}")[0]]) for n in range(4)])
    write_snapshot(
        out, NEW,
        [row("b0", at_new[page("b0")[0]]), row("b1", at_new[page("b1")[0]], title="Edited"),
         row("b2", at_old[page("b2")[0]]), row("b3", at_old[page("b3")[0]], removed_at=datetime(2026, 1, 2, tzinfo=UTC))],
    )  # fmt: skip
    return out


def package(out: Path, tmp_path: Path, *extra: str) -> tuple[int, Path]:
    target = tmp_path / "archive.wacz"
    return main(["wacz", "--output-dir", str(out), "--output", str(target), *extra]), target


def members(wacz: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wacz) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def pages_of(wacz: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in members(wacz)["pages/pages.jsonl"].decode().splitlines()]


@pytest.mark.parametrize(
    ("slug", "title", "crawl_id"),
    [("b0", "Title of b0", NEW), ("b1", "Edited", NEW), ("b2", "Title of b2", OLD)],
)
def test_each_live_brief_is_a_page_at_its_own_capture(
    archive: Path, tmp_path: Path, slug: str, title: str, crawl_id: str
) -> None:
    code, wacz = package(archive, tmp_path)
    assert code == ExitCode.OK
    header, *pages = pages_of(wacz)
    assert header["format"] == "json-pages-1.0" and header["id"] == "pages"
    by_url = {p["url"]: p for p in pages}
    assert set(by_url) == {page(s)[0] for s in ("b0", "b1", "b2")}  # b3 was removed: no page
    row = store.load(store.snapshot_path(archive, NEW)).to_pylist()
    mine = next(r for r in row if r["slug"] == slug)
    got = by_url[page(slug)[0]]
    assert got["title"] == title and got["id"] == mine["brief_id"]
    # ts is the capture's own time: the index line at the row's WARC and offset.
    line = select(OutputLayout.of(archive).warc).capture_at()[(mine["warc_file"], mine["warc_offset"])]
    assert mine["warc_file"].startswith(crawl_id) and got["ts"] == rfc3339(line.timestamp)


def test_a_row_whose_capture_is_not_indexed_is_left_out_and_named() -> None:
    rows = [{"brief_id": "x", "url": "https://keia.org/the-peninsula/x/", "title": "X", "warc_file": None,
             "warc_offset": None}]  # fmt: skip
    pages = page_list(rows, {})
    assert pages.lines == [] and pages.left_out == ["https://keia.org/the-peninsula/x/"]


def test_the_datapackage_lists_every_file_with_its_digest(archive: Path, tmp_path: Path) -> None:
    code, wacz = package(archive, tmp_path)
    assert code == ExitCode.OK
    files = members(wacz)
    package_bytes = files.pop("datapackage.json")
    digest = json.loads(files.pop("datapackage-digest.json"))
    assert digest == {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
    }
    manifest = json.loads(package_bytes)
    assert manifest["profile"] == "data-package" and manifest["wacz_version"] == "1.1.1"
    assert manifest["software"].startswith("kei-crawler ") and manifest["created"].endswith("Z")
    assert manifest["mainPageUrl"] == LISTING
    listed = {r["path"]: r for r in manifest["resources"]}
    assert set(listed) == set(files)
    for path, data in files.items():
        assert listed[path]["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert listed[path]["bytes"] == len(data)
    warcs = OutputLayout.of(archive).warc
    assert {p for p in files if p.startswith("archive/")} == {
        f"archive/{OLD}.warc.gz",
        f"archive/{NEW}.warc.gz",
    }
    assert files[f"archive/{OLD}.warc.gz"] == (warcs / f"{OLD}.warc.gz").read_bytes()
    with zipfile.ZipFile(wacz) as opened:  # WARCs STORED: replay reads their records by byte range
        assert {i.compress_type for i in opened.infolist() if i.filename.startswith("archive/")} == {
            zipfile.ZIP_STORED
        }


def test_the_index_is_both_crawls_lines_merged_and_sorted(archive: Path, tmp_path: Path) -> None:
    code, wacz = package(archive, tmp_path)
    assert code == ExitCode.OK
    index = members(wacz)["indexes/index.cdx"].decode().splitlines()
    warcs = OutputLayout.of(archive).warc
    own = [line for name in (OLD, NEW) for line in (warcs / f"{name}.cdxj").read_text().splitlines()]
    assert index == sorted(own)
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in index} == {
        f"{OLD}.warc.gz",
        f"{NEW}.warc.gz",
    }


@pytest.mark.parametrize(
    ("referenced", "packed"),
    [
        (None, {OLD, NEW}),
        ({f"{OLD}.warc.gz"}, {OLD}),
        ({f"{NEW}.warc.gz"}, {OLD, NEW}),  # NEW's b0 is a revisit of OLD's capture: OLD comes too
    ],
)
def test_which_warcs_go_in(archive: Path, referenced: set[str] | None, packed: set[str]) -> None:
    selection = select(OutputLayout.of(archive).warc, referenced)
    assert {p.name.removesuffix(".warc.gz") for p in selection.warcs} == packed
    assert {line.filename for line in selection.lines} == {f"{name}.warc.gz" for name in packed}
    assert selection.problems == []


def test_referenced_only_packs_the_warc_first_holding_a_rows_photo(archive: Path) -> None:
    """A photo the archive holds is not fetched again: it lives in the WARC of the crawl that first met it,
    which no row need name. Matched by path, as a mirror crawl records the mirror's origin."""
    warc_dir = OutputLayout.of(archive).warc
    photo = "/wp-content/uploads/2025/12/photo.jpg"
    crawl(warc_dir, "2025-12-31T000000Z", ("http://127.0.0.1:8000" + photo, b"\xff\xd8\xff\xe0 jpeg"))
    without = select(warc_dir, {f"{OLD}.warc.gz"})
    with_photo = select(warc_dir, {f"{OLD}.warc.gz"}, {photo})
    assert [p.name for p in without.warcs] == [f"{OLD}.warc.gz"]
    assert [p.name for p in with_photo.warcs] == ["2025-12-31T000000Z.warc.gz", f"{OLD}.warc.gz"]
    assert select(warc_dir, None, {photo}).warcs == sorted(warc_dir.glob("*.warc.gz"))  # all, as before


def test_referenced_only_packs_what_the_newest_rows_need(archive: Path, tmp_path: Path) -> None:
    shutil.copy(
        OutputLayout.of(archive).warc / f"{NEW}.warc.gz",
        OutputLayout.of(archive).warc / "2025-01-01T000000Z.warc.gz",
    )
    code, wacz = package(archive, tmp_path, "--referenced-only")
    assert code == ExitCode.OK
    assert sorted(p for p in members(wacz) if p.startswith("archive/")) == [
        f"archive/{OLD}.warc.gz", f"archive/{NEW}.warc.gz"
    ]  # fmt: skip


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # inside the last record: a request, not indexed


def _spoil_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGE = {
    "OLD deleted": (lambda w: (w / f"{OLD}.warc.gz").unlink(), f"{OLD}.warc.gz: missing", {NEW}),
    "OLD cut short": (lambda w: _cut(w / f"{OLD}.warc.gz"), "cut short or damaged", {OLD, NEW}),
    "OLD spoiled mid-way": (lambda w: _spoil_a_byte(w / f"{OLD}.warc.gz"), "damaged at byte", {OLD, NEW}),
    "NEW's index with a bad offset": (
        lambda w: (w / f"{NEW}.cdxj").write_text(
            (w / f"{NEW}.cdxj").read_text().replace('"offset": "', '"offset": "x', 1)
        ),
        "unreadable index",
        {OLD, NEW},
    ),
    "NEW's index spoiled": (
        lambda w: (w / f"{NEW}.cdxj").write_text("{not cdxj\n"),
        "unreadable index",
        {OLD, NEW},
    ),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_or_missing_warcs_are_named_and_the_rest_packed(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: tuple
) -> None:
    spoil, says, packed = damage
    spoil(OutputLayout.of(archive).warc)
    capsys.readouterr()
    code, wacz = package(archive, tmp_path)
    captured = capsys.readouterr()
    assert code == ExitCode.WITH_ERRORS, captured.err
    assert says in captured.err and "Traceback" not in captured.err
    assert captured.out.rstrip("\n").splitlines()[-1] == str(wacz)
    names = {
        p.removeprefix("archive/").removesuffix(".warc.gz") for p in members(wacz) if p.startswith("archive/")
    }
    assert names == packed
    index = members(wacz)["indexes/index.cdx"].decode().splitlines()
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in index} == {
        f"{n}.warc.gz" for n in packed
    }
    for name, data in members(wacz).items():  # a damaged WARC is packed up to its last whole record
        if name.startswith("archive/"):
            assert gzip.decompress(data).startswith(b"WARC/1.1")


def test_a_warc_without_an_index_is_indexed_from_itself(archive: Path, tmp_path: Path) -> None:
    """What a crawl killed between publishing its WARC and its index leaves: packed whole, exit 0."""
    warcs = OutputLayout.of(archive).warc
    before = (warcs / f"{NEW}.cdxj").read_text().splitlines()
    (warcs / f"{NEW}.cdxj").unlink()
    code, wacz = package(archive, tmp_path)
    assert code == ExitCode.OK
    assert set(before) <= set(members(wacz)["indexes/index.cdx"].decode().splitlines())


def refused(code: int, capsys: pytest.CaptureFixture[str], *words: str) -> None:
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, err
    assert err.startswith("kei-crawler: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


def _targets(out: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    (tmp_path / "folder.wacz").mkdir()
    return {
        "over the snapshot": (store.snapshot_path(out, NEW), "archive"),
        "inside warc/": (OutputLayout.of(out).warc / "x.wacz", "archive"),
        "not .wacz": (tmp_path / "archive.zip", ".wacz"),
        "a folder": (tmp_path / "folder.wacz", "is a directory"),
        "missing folder": (tmp_path / "missing" / "x.wacz", "cannot write it"),
        "under a file": (blocker / "x.wacz", "--output"),
    }


@pytest.mark.parametrize(
    "what", ["over the snapshot", "inside warc/", "not .wacz", "a folder", "missing folder", "under a file"]
)
def test_bad_outputs_are_refused_in_one_line(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    target, says = _targets(archive, tmp_path)[what]
    before = {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()}
    refused(main(["wacz", "--output-dir", str(archive), "--output", str(target)]), capsys, says)
    assert {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.rglob(".*.tmp")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_an_unwritable_destination_is_refused(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    refused(
        main(["wacz", "--output-dir", str(archive), "--output", str(locked / "x.wacz")]),
        capsys,
        "cannot write",
    )


def test_a_failed_write_leaves_the_old_file_whole(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk at the end (the sync before the rename): the WACZ there before is untouched, no temp file."""
    target = tmp_path / "archive.wacz"
    target.write_bytes(b"yesterday's WACZ")

    def full_disk(path: object) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr("kei_crawler.storage.atomic.fsync_path", full_disk)
    refused(main(["wacz", "--output-dir", str(archive), "--output", str(target)]), capsys, "No space left")
    assert target.read_bytes() == b"yesterday's WACZ" and sorted(p.name for p in tmp_path.iterdir()) == [
        "archive.wacz",
        "out",
    ]


@pytest.mark.parametrize("empty", ["no snapshot", "no WARC", "no output dir"])
def test_an_empty_archive_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], empty: str) -> None:
    out = tmp_path / "out"
    if empty == "no WARC":
        write_snapshot(out, NEW, [brief("b0")])
    elif empty == "no snapshot":
        crawl(OutputLayout.of(out).warc, OLD, page("b0"))
    code, wacz = package(out, tmp_path)
    refused(
        code,
        capsys,
        {"no snapshot": "no snapshot", "no WARC": "no WARC", "no output dir": "--output-dir"}[empty],
    )
    assert not wacz.exists()


def test_a_closed_stdout_keeps_the_exit_code(archive: Path, tmp_path: Path) -> None:
    with closed_stdout() as fd:
        code, wacz = package(archive, tmp_path)
        sys.stdout.flush()
        assert os.path.samestat(os.fstat(fd), os.stat(os.devnull))
    assert code == ExitCode.OK and zipfile.is_zipfile(wacz)


def test_the_last_line_is_the_path(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, wacz = package(archive, tmp_path)
    out = capsys.readouterr().out
    assert code == ExitCode.OK and out.rstrip("\n").splitlines()[-1] == str(wacz)
    assert "pages (live briefs)" in out


def test_warcs_none_of_which_can_be_read_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    write_snapshot(out, NEW, [brief("b0")])
    OutputLayout.of(out).warc.mkdir()
    (OutputLayout.of(out).warc / f"{NEW}.warc.gz").write_bytes(b"not a WARC at all")
    code, wacz = package(out, tmp_path)
    err = capsys.readouterr().err
    assert code == ExitCode.NOT_PUBLISHED and "not a readable WARC" in err and "no WACZ written" in err
    assert "Traceback" not in err and not wacz.exists() and not list(tmp_path.glob(".*.tmp"))
