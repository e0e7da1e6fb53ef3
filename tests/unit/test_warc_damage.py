"""Captures that are not there: revisits written only against whole captures, WARCs cut short or gone read
as far as they are whole, index lines that would lead out of their folder, and --resume with another
KEI_WARC_ENABLED. WARCs are written here with WarcParts, no crawl (the crawls: tests/e2e/test_warc_damage.py)."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from kei_crawler.commands import main
from kei_crawler.run.outcome import ExitCode
from kei_crawler.run.resume import ResumeState, warc_refusal
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.warc.capture import CaptureUnavailable, payload_at, warc_in
from kei_crawler.storage.warc.catalog import earlier_captures
from kei_crawler.storage.warc.parts import Exchange, WarcParts
from kei_crawler.storage.warc.reader import Damage, read_responses

ORIGIN = "http://127.0.0.1:8000"
BRIEF = f"{ORIGIN}/the-peninsula/a-brief/"
PAGE = b"<html><head><title>A brief</title></head><body><p>Text.</p></body></html>"


def exchange(url: str, body: bytes) -> Exchange:
    return Exchange(
        url=url, method="GET", request_headers=[], request_body=b"", status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        body=body, received_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def crawl(warc_dir: Path, crawl_id: str, *pages: tuple[str, bytes], dedupe: bool = True) -> Path:
    """A crawl's WARC published into ``warc_dir``; its first part."""
    earlier = earlier_captures(warc_dir) if dedupe and warc_dir.is_dir() else {}
    parts = WarcParts(warc_dir.parent / ".job" / crawl_id, crawl_id, {"isPartOf": crawl_id}, earlier)
    for url, body in pages:
        parts.capture(exchange(url, body))
    parts.publish(warc_dir)
    return warc_dir / f"{crawl_id}.warc.gz"


def kinds(path: Path) -> list[str]:
    with open(path, "rb") as stream:
        return [r.rec_type for r in ArchiveIterator(stream) if r.rec_type in ("response", "revisit")]


def test_an_index_never_leads_out_of_its_folder(tmp_path: Path) -> None:
    (tmp_path / "outside.warc.gz").write_bytes(b"x")
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "link.warc.gz").symlink_to(tmp_path / "outside.warc.gz")
    for name in (
        "../outside.warc.gz",
        str(tmp_path / "outside.warc.gz"),
        "a/b.warc.gz",
        "..",
        "",
        "link.warc.gz",
    ):
        assert warc_in(tmp_path / "warc", name) is None, name
    assert warc_in(tmp_path / "warc", "x.warc.gz") == tmp_path / "warc" / "x.warc.gz"
    with pytest.raises(CaptureUnavailable, match="not a WARC in the folder of its index"):
        payload_at(None, 0, "sha1:X", name="../outside.warc.gz")


def offsets(path: Path) -> list[int]:
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        return [records.get_record_offset() for _ in records]


@pytest.mark.parametrize("damage", ["deleted", "cut", "corrupt", "index names a file outside"])
def test_a_revisit_is_written_only_against_a_capture_that_is_there(tmp_path: Path, damage: str) -> None:
    warc_dir = tmp_path / "warc"
    first = crawl(warc_dir, "2026-01-01T000000Z", (BRIEF, PAGE), (f"{ORIGIN}/other/", b"other page"))
    brief_at = offsets(first)[1]  # warcinfo, then the brief's response
    if damage == "deleted":
        first.unlink()
    elif damage == "cut":
        os.truncate(first, brief_at + 30)
    elif damage == "corrupt":  # the file is as long as its index says, the record is not whole
        with open(first, "r+b") as stream:
            stream.seek(brief_at + 40)
            stream.write(b"\0" * 40)
    else:
        index = warc_dir / "2026-01-01T000000Z.cdxj"
        (tmp_path / first.name).write_bytes(first.read_bytes())  # a whole copy, outside warc/
        index.write_text(index.read_text().replace(f'"{first.name}"', f'"../{first.name}"'))
        first.unlink()
    second = crawl(warc_dir, "2026-01-02T000000Z", (BRIEF, PAGE))
    assert kinds(second) == ["response"]


def test_a_revisit_of_a_whole_earlier_capture_is_still_written(tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    crawl(warc_dir, "2026-01-01T000000Z", (BRIEF, PAGE))
    second = crawl(warc_dir, "2026-01-02T000000Z", (BRIEF, PAGE))
    assert kinds(second) == ["revisit"]
    damage = Damage()
    (read,) = read_responses([second], damage)
    assert read.body == PAGE and not damage


def test_a_warc_cut_short_is_read_to_its_last_whole_record_and_says_where_it_broke(tmp_path: Path) -> None:
    warc = crawl(
        tmp_path / "warc", "2026-01-01T000000Z", *[(f"{BRIEF}{n}/", PAGE * (n + 1)) for n in range(4)]
    )
    at = offsets(warc)
    os.truncate(warc, at[5] + 30)  # inside the third response (warcinfo, then response + request each)
    damage = Damage()
    read = list(read_responses([warc], damage))
    assert [r.url for r in read] == [f"{BRIEF}0/", f"{BRIEF}1/"]  # the cut one is not handed on, short
    assert damage.lines() == [
        f"{warc}: cut short or damaged at byte {at[5]} after 5 whole records; the rest is not read"
    ]


def test_a_warc_with_garbage_after_its_records_is_damaged(tmp_path: Path) -> None:
    warc = crawl(tmp_path / "warc", "2026-01-01T000000Z", (BRIEF, PAGE))
    size = warc.stat().st_size
    with open(warc, "ab") as stream:
        stream.write(b"\x1f\x8b\x08\x00garbage")
    damage = Damage()
    assert len(list(read_responses([warc], damage))) == 1
    (line,) = damage.lines()
    assert line.startswith(f"{warc}: ") and f"at byte {size} after 3 whole records" in line


def test_reextract_never_reads_a_warc_an_index_names_outside_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warc_dir = tmp_path / "warc"
    first = crawl(warc_dir, "2026-01-01T000000Z", (BRIEF, PAGE))
    second = crawl(warc_dir, "2026-01-02T000000Z", (BRIEF, PAGE))
    index = warc_dir / "2026-01-01T000000Z.cdxj"
    (tmp_path / first.name).write_bytes(first.read_bytes())  # a whole copy, outside warc/
    index.write_text(index.read_text().replace(f'"{first.name}"', f'"../{first.name}"'))
    first.unlink()
    out = tmp_path / "out"
    code = main(["reextract", str(second), "--output-dir", str(out), "-s", f"KEI_CANONICAL_ORIGIN={ORIGIN}"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"../{first.name}: not a WARC in the folder of its index; not read" in err
    assert code == ExitCode.NOT_PUBLISHED  # its one brief was the revisit: nothing could be recovered
    assert store.list_snapshots(out) == []


def state(**fields: object) -> ResumeState:
    return ResumeState(crawl_id="2026-01-01T000000Z", started_at="2026-01-01T00:00:00+00:00", **fields)  # type: ignore[arg-type]


def test_resume_keeps_the_interrupted_runs_warc_setting_and_parts(tmp_path: Path) -> None:
    spool = tmp_path / "kei-warc"
    spool.mkdir()
    (spool / "2026-01-01T000000Z.warc.gz").write_bytes(b"x" * 100)
    kept = {"2026-01-01T000000Z.warc.gz": 100}
    assert warc_refusal(state(warc_enabled=True, warc_parts=kept), spool, True) is None
    refused = warc_refusal(state(warc_enabled=True, warc_parts=kept), spool, False)
    assert refused is not None and "KEI_WARC_ENABLED=True" in refused and "\n" not in refused
    assert warc_refusal(state(warc_enabled=False), spool, True) is not None
    shorter = warc_refusal(
        state(warc_enabled=True, warc_parts={"2026-01-01T000000Z.warc.gz": 200}), spool, True
    )
    assert shorter is not None and "missing or shorter" in shorter
    assert warc_refusal(state(warc_enabled=True, warc_parts={"gone.warc.gz": 1}), spool, True) is not None
    assert warc_refusal(state(), spool, False) is None  # a state from before the setting was recorded
    assert json.loads(json.dumps(state(warc_enabled=True, warc_parts=kept).__dict__))["warc_parts"] == kept


@pytest.mark.parametrize("line", ["garbage", "a 1 []", 'a 1 {"digest": ["x"], "filename": 5, "offset": "x"}'])
def test_a_damaged_index_costs_revisits_not_a_traceback(tmp_path: Path, line: str) -> None:
    warc_dir = tmp_path / "warc"
    crawl(warc_dir, "2026-01-01T000000Z", (BRIEF, PAGE))
    second = crawl(warc_dir, "2026-01-02T000000Z", (BRIEF, PAGE))
    (warc_dir / "2026-01-01T000000Z.cdxj").write_text(line + "\n")
    with contextlib.suppress(ValueError):  # the crawl's WARC writer logs it and writes every payload in full
        earlier_captures(warc_dir)
    damage = Damage()
    assert list(read_responses([second], damage)) == []
    ((url, why),) = damage.lost
    assert url == BRIEF and why.reason == "warc_missing"
