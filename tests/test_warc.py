"""The raw archive: a crawl of the replica read back from its WARC, record by record, byte for byte."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from kei_crawler.extensions.warc import WARC_DIR
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.warc.cdx import read_cdxj
from tests.conftest import run_crawl

HTML = {"Content-Type": "text/html; charset=utf-8"}
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


class ArchivedSite:
    """The replica with the cases an archive must keep: an error retried (the same payload four times,
    so revisits), a 404, a 301 to a moved brief, one brief's bytes served again under a second URL (a
    revisit of a 200) and one served gzip-encoded."""

    def __init__(self, site: Any) -> None:
        self.site = site
        paths = [b.path for b in site.briefs if b.slug != "renewed-south-korea-mexico-ties"]
        self.failing, self.missing, self.moved, self.copied, self.original, self.zipped = paths[3:9]
        self.moved_to = self.moved.rstrip("/") + "-moved/"

    def render(self, path_and_query: str, base_url: str) -> tuple[int, dict[str, str], bytes]:
        path = path_and_query.split("?")[0]
        if path == self.failing:
            return 500, HTML, b"<html><body>Internal error</body></html>"
        if path == self.missing:
            return 404, HTML, b"<html><body>Not found</body></html>"
        if path == self.moved:
            return 301, {**HTML, "Location": base_url.rstrip("/") + self.moved_to}, b""
        if path == self.moved_to:
            return self.site.render(self.moved, base_url)
        if path == self.copied:
            return self.site.render(self.original, base_url)
        if path == self.zipped:
            status, headers, body = self.site.render(path, base_url)
            return status, {**headers, "Content-Encoding": "gzip"}, gzip.compress(body, mtime=0)
        return self.site.render(path_and_query, base_url)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)


@dataclass
class Crawled:
    site: ArchivedSite
    base_url: str
    out: Path
    requests: list[Any]
    stderr: str

    @property
    def warc(self) -> Path:
        (path,) = (self.out / WARC_DIR).glob("*.warc.gz")
        return path

    @property
    def snapshot(self) -> Path:
        ref = store.latest(self.out)
        assert ref is not None
        return ref.path

    def records(self) -> list[dict[str, Any]]:
        found = []
        with open(self.warc, "rb") as stream:
            for record in ArchiveIterator(stream):
                found.append({
                    "type": record.rec_type,
                    "headers": dict(record.rec_headers.headers),
                    "http": record.http_headers,
                    "raw": record.raw_stream.read(),
                })  # fmt: skip
        return found


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    site = ArchivedSite(build_site(60, theme="flat"))
    out = tmp_path_factory.mktemp("warc") / "out"
    with ReplicaServer(site) as server:  # type: ignore[arg-type]
        done = run_crawl(server.base_url, out)
        assert done.returncode == 0, done.stderr[-3000:]
        return Crawled(site, server.base_url, out, server.requests, done.stderr)


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
    assert not (tmp_path / "out" / WARC_DIR).exists()
    ref = store.latest(tmp_path / "out")
    assert ref is not None
    table = pq.read_table(ref.path, columns=["warc_file", "warc_record_id", "warc_offset"])
    assert table.num_rows > 0
    assert all(table.column(name).null_count == table.num_rows for name in table.column_names)


def test_no_snapshot_is_published_when_its_warc_cannot_be(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / WARC_DIR).write_text("a file where the WARC folder should be")  # publishing the WARC fails
    with ReplicaServer(build_site(12, theme="flat")) as server:
        failed = run_crawl(server.base_url, out)
        assert failed.returncode == 1, failed.stderr[-2000:]
        assert "no snapshot published: the raw archive was not written" in failed.stderr
        assert store.list_snapshots(out) == []  # no rows pointing at captures that are not there
        (out / WARC_DIR).unlink()
        again = run_crawl(server.base_url, out)
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(store.list_snapshots(out)) == 1 and any((out / WARC_DIR).glob("*.warc.gz"))
