"""The raw archive: a crawl of the replica read back from its WARC, record by record, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage import failpoints
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.warc.cdx import read_cdxj
from tests.support.archived_crawl import Crawled
from tests.support.crawling import run_crawl

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def test_one_response_record_per_request_served_with_the_exact_bytes(crawled: Crawled) -> None:
    records = crawled.records()
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in records}
    responses = [r for r in records if r["type"] in ("response", "revisit")]
    served = Counter((crawled.base_url + r.path, r.status) for r in crawled.requests)
    archived = Counter((r["headers"]["WARC-Target-URI"], int(r["http"].get_statuscode())) for r in responses)
    assert archived == served  # robots.txt, listing pages, briefs, the 301, the 404, each 500 retry
    assert {status for _, status in served} >= {200, 301, 404, 500}
    for record in responses:
        url = record["headers"]["WARC-Target-URI"]
        payload = record["raw"]
        if record["type"] == "revisit":
            assert record["headers"]["WARC-Profile"] == REVISIT_PROFILE
            original = by_id[record["headers"]["WARC-Refers-To"]]
            assert original["headers"]["WARC-Target-URI"] == record["headers"]["WARC-Refers-To-Target-URI"]
            assert original["headers"]["WARC-Date"] == record["headers"]["WARC-Refers-To-Date"]
            assert original["headers"]["WARC-Payload-Digest"] == record["headers"]["WARC-Payload-Digest"]
            assert payload == b""
            payload = original["raw"]
        status, _headers, body = crawled.site.render(url.removeprefix(crawled.base_url), crawled.base_url)
        assert int(record["http"].get_statuscode()) == status
        assert payload == body, url  # gzip-encoded as served for the zipped brief


def test_revisits_replace_repeated_payloads(crawled: Crawled) -> None:
    records = crawled.records()
    revisits = Counter(r["headers"]["WARC-Target-URI"] for r in records if r["type"] == "revisit")
    base = crawled.base_url
    # The 500 answered four times (RETRY_TIMES=3): one response, three revisits. The copied brief is a
    # revisit of the original's capture, whichever the crawl fetched second.
    assert revisits[base + crawled.site.failing] == 3
    assert revisits[base + crawled.site.copied] + revisits[base + crawled.site.original] == 1
    assert sum(revisits.values()) == 4


def test_warcinfo_and_request_records(crawled: Crawled) -> None:
    records = crawled.records()
    info = records[0]
    assert info["type"] == "warcinfo"
    fields = dict(line.split(": ", 1) for line in info["raw"].decode().splitlines())
    assert fields["software"].startswith("kei-crawler/")
    assert fields["format"] == "WARC File Format 1.1"
    assert fields["isPartOf"] == crawled.warc.name.removesuffix(".warc.gz")
    assert fields["kei-base-url"] == crawled.base_url
    assert fields["http-header-user-agent"].startswith("kei-crawler/")
    assert fields["robots"] == "obey"
    ids = {r["headers"]["WARC-Record-ID"]: r for r in records}
    requests = [r for r in records if r["type"] == "request"]
    assert len(requests) == len(crawled.requests)
    for request in requests:
        response = ids[request["headers"]["WARC-Concurrent-To"]]
        assert response["type"] in ("response", "revisit")
        assert response["headers"]["WARC-Target-URI"] == request["headers"]["WARC-Target-URI"]
        assert request["http"].protocol == "GET"
        assert request["http"].get_header("User-Agent").startswith("kei-crawler/")
        assert request["http"].get_header("Host") == crawled.base_url.removeprefix("http://")
    for record in records:
        assert record["headers"]["WARC-Date"].endswith("Z")
        if record["type"] in ("response", "request"):
            assert record["headers"]["WARC-Block-Digest"].startswith("sha1:")
        if record["type"] == "response":
            assert record["headers"]["WARC-Payload-Digest"].startswith("sha1:")


def test_warcio_check_validates_the_file(crawled: Crawled) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(crawled.warc)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert "digest pass" in checked.stdout and "fail" not in checked.stdout


def test_cdxj_equals_what_cdxj_indexer_reads_from_the_warc(crawled: Crawled) -> None:
    from cdxj_indexer.main import CDXJIndexer

    index = crawled.warc.with_name(crawled.warc.name.removesuffix(".warc.gz") + ".cdxj")
    theirs = crawled.out / "theirs.cdxj"
    with open(theirs, "w") as output:
        CDXJIndexer(output=output, inputs=[str(crawled.warc)], sort=True).process_all()
    ours = list(read_cdxj(index))
    assert ours == list(read_cdxj(theirs))
    assert index.read_text() == "".join(sorted(index.read_text().splitlines(keepends=True)))
    assert {fields["filename"] for _, _, fields in ours} == {crawled.warc.name}
    assert {"url", "mime", "status", "digest", "length", "offset", "filename"} <= set(ours[1][2])


def test_each_row_links_to_the_response_it_was_extracted_from(crawled: Crawled) -> None:
    rows = pq.read_table(crawled.snapshot).to_pylist()
    assert rows
    with open(crawled.warc, "rb") as stream:
        for row in rows:
            assert row["warc_file"] == crawled.warc.name
            stream.seek(row["warc_offset"])
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Record-ID") == row["warc_record_id"]
            assert record.rec_type in ("response", "revisit")
            path = row["url"].removeprefix("https://keia.org")
            # A moved brief's row is named by where the 301 led, which is where its page was captured.
            assert path != crawled.site.moved
            fetched = path
            assert record.rec_headers.get_header("WARC-Target-URI") == crawled.base_url + fetched
            warc_date = record.rec_headers.get_header("WARC-Date")
            assert row["fetched_at"].isoformat().replace("+00:00", "Z") == warc_date


def test_warc_off_writes_nothing_and_leaves_links_null(tmp_path: Path) -> None:
    with ReplicaServer(build_site(12, theme="flat")) as server:
        done = run_crawl(server.base_url, tmp_path / "out", "-s", "KEI_WARC_ENABLED=False")
    assert done.returncode == 0, done.stderr[-3000:]
    assert not OutputLayout.of(tmp_path / "out").warc.exists()
    ref = store.latest(tmp_path / "out")
    assert ref is not None
    table = pq.read_table(ref.path, columns=["warc_file", "warc_record_id", "warc_offset"])
    assert table.num_rows > 0
    assert all(table.column(name).null_count == table.num_rows for name in table.column_names)


def test_no_snapshot_is_published_when_its_warc_cannot_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    # Publishing the WARC fails. (A file where the WARC folder goes is refused before the crawl starts.)
    monkeypatch.setenv(failpoints.ENV, "warc.before_publish:enospc")
    with ReplicaServer(build_site(12, theme="flat")) as server:
        failed = run_crawl(server.base_url, out)
        assert failed.returncode == 1, failed.stderr[-2000:]
        assert "no snapshot published: the raw archive was not written" in failed.stderr
        assert store.list_snapshots(out) == []  # no rows pointing at captures that are not there
        assert not any(OutputLayout.of(out).warc.iterdir())
        monkeypatch.delenv(failpoints.ENV)
        again = run_crawl(server.base_url, out)
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(store.list_snapshots(out)) == 1 and any(OutputLayout.of(out).warc.glob("*.warc.gz"))
