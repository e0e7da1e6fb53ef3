"""A 304 to a revalidation request: a server-not-modified revisit of the capture the row holds, when that
capture is there; read back by reextract as the 304 it was, as the 304 responses of older WARCs are.
WARCs are written here with WarcParts, no crawl (the crawl and pywb: tests/e2e/test_pywb_replay.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from kei_crawler.storage.warc.catalog import earlier_captures
from kei_crawler.storage.warc.cdx import read_cdxj
from kei_crawler.storage.warc.not_modified import PROFILE, Held
from kei_crawler.storage.warc.parts import Exchange, WarcParts
from kei_crawler.storage.warc.reader import read_responses

BRIEF = "http://127.0.0.1:8000/the-peninsula/a-brief/"
COPY = "http://127.0.0.1:8000/the-peninsula/a-copy/"
PAGE = b"<html><head><title>A brief</title></head><body><p>Text.</p></body></html>"
STORED = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE))),
          ("Etag", '"v1"'), ("Date", "Thu, 01 Jan 2026 00:00:00 GMT")]  # fmt: skip
FRESH = [("Etag", '"v1"'), ("Date", "Fri, 02 Jan 2026 00:00:00 GMT"), ("Cache-Control", "max-age=60")]


def exchange(
    url: str, status: int, body: bytes, headers: list[tuple[str, str]], held: Held | None = None
) -> Exchange:
    return Exchange(
        url=url, method="GET", request_headers=[("If-None-Match", '"v1"')] if held else [], request_body=b"",
        status=status, response_headers=headers, body=body, received_at=datetime(2026, 1, 2, tzinfo=UTC),
        held=held,
    )  # fmt: skip


def crawl(warc_dir: Path, crawl_id: str, *exchanges: Exchange) -> list[tuple[str, int]]:
    """A crawl's WARC published into ``warc_dir``; (file, offset) of each exchange's response record."""
    earlier = earlier_captures(warc_dir) if warc_dir.is_dir() else {}
    parts = WarcParts(
        warc_dir.parent / ".job" / crawl_id, crawl_id, {"isPartOf": crawl_id}, earlier, warc_dir
    )
    links = [parts.capture(ex) for ex in exchanges]
    parts.publish(warc_dir)
    return [(link["file"], link["offset"]) for link in links]


def records(path: Path) -> list[tuple[str, dict[str, str], str | None, list[tuple[str, str]]]]:
    with open(path, "rb") as stream:
        return [
            (r.rec_type, dict(r.rec_headers.headers), r.http_headers.statusline if r.http_headers else None,
             r.http_headers.headers if r.http_headers else [])
            for r in ArchiveIterator(stream) if r.rec_type in ("response", "revisit")
        ]  # fmt: skip


def test_a_304_is_a_revisit_of_the_capture_the_row_holds(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    [(file, offset)] = crawl(warc, "c1", exchange(BRIEF, 200, PAGE, STORED))
    [first] = records(warc / file)
    crawl(warc, "c2", exchange(BRIEF, 304, b"", FRESH, Held(file, offset)))
    [(kind, headers, status, http)] = records(warc / "c2.warc.gz")
    assert kind == "revisit"
    assert headers["WARC-Profile"] == PROFILE
    assert headers["WARC-Refers-To-Target-URI"] == BRIEF
    assert headers["WARC-Refers-To-Date"] == first[1]["WARC-Date"]
    assert headers["WARC-Refers-To"] == first[1]["WARC-Record-ID"]
    assert headers["WARC-Payload-Digest"] == first[1]["WARC-Payload-Digest"]
    # The block is the stored response as the 304 freshened it (RFC 9111 4.3.4): what replays.
    assert status == "200 OK"
    assert dict(http) == {**dict(STORED), **dict(FRESH)}
    [(_key, _ts, line)] = list(read_cdxj(warc / "c2.cdxj"))
    assert (line["mime"], line["status"], line["digest"]) == (
        "warc/revisit",
        "200",
        first[1]["WARC-Payload-Digest"],
    )


def test_a_304_whose_held_capture_is_a_revisit_refers_to_the_first_capture_of_its_payload(
    tmp_path: Path,
) -> None:
    warc = tmp_path / "warc"
    crawl(warc, "c1", exchange(COPY, 200, PAGE, STORED))  # the same bytes, first under another URL
    [(file, offset)] = crawl(warc, "c2", exchange(BRIEF, 200, PAGE, STORED))
    assert records(warc / file)[0][0] == "revisit"
    crawl(warc, "c3", exchange(BRIEF, 304, b"", FRESH, Held(file, offset)))
    [(kind, headers, status, _http)] = records(warc / "c3.warc.gz")
    assert (kind, headers["WARC-Profile"], status) == ("revisit", PROFILE, "200 OK")
    assert headers["WARC-Refers-To-Target-URI"] == COPY


def test_a_304_whose_held_capture_is_not_there_is_recorded_as_it_came(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    [(file, offset)] = crawl(warc, "c1", exchange(BRIEF, 200, PAGE, STORED))
    with open(warc / file, "r+b") as stream:
        stream.truncate(offset + 40)  # the held record cut short
    crawl(warc, "c2", exchange(BRIEF, 304, b"", FRESH, Held(file, offset)), exchange(COPY, 304, b"", FRESH))
    assert [(kind, status) for kind, _h, status, _http in records(warc / "c2.warc.gz")] == [
        ("response", "304 Not Modified"),
        ("response", "304 Not Modified"),  # no capture named at all (a row from before WARCs)
    ]


def test_reextract_reads_a_304_revisit_and_an_older_304_response_alike(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    [(file, offset)] = crawl(warc, "c1", exchange(BRIEF, 200, PAGE, STORED))
    crawl(warc, "c2", exchange(BRIEF, 304, b"", FRESH, Held(file, offset)), exchange(COPY, 304, b"", FRESH))
    read = [(r.url, r.status, r.body) for r in read_responses([warc / "c2.warc.gz"])]
    assert read == [(BRIEF, 304, b""), (COPY, 304, b"")]  # nothing new to read: reextract skips both
