"""A second crawl writes revisit records for payloads the first crawl's WARC already holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl


def records(path: Path) -> list[tuple[str, str, dict[str, str]]]:
    with open(path, "rb") as stream:
        return [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "", dict(r.rec_headers.headers))
            for r in ArchiveIterator(stream)
        ]


def test_full_recrawl_of_an_unchanged_page_is_a_revisit_of_the_first_capture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    site = build_site(20, theme="flat")
    edited = site.briefs[5]
    with ReplicaServer(site) as server:
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK
        site.edit(edited.slug)
        second = run_crawl(server.base_url, out, "--full")
    assert second.returncode == ExitCode.OK, second.stderr[-2000:]
    first_warc, second_warc = sorted(OutputLayout.of(out).warc.glob("*.warc.gz"))
    first_ids = {url: headers for kind, url, headers in records(first_warc) if kind == "response"}
    kinds = {
        url: (kind, headers) for kind, url, headers in records(second_warc) if kind in ("response", "revisit")
    }
    edited_url = server.base_url + edited.path
    assert kinds[edited_url][0] == "response"  # new content: a new payload
    revisits = [url for url, (kind, _) in kinds.items() if kind == "revisit"]
    fresh = sorted(url for url, (kind, _) in kinds.items() if kind == "response")
    # New payloads: the edited brief and the listing page showing its new excerpt; robots.txt, the other
    # listing page and 19 briefs are unchanged, so revisits.
    assert fresh == sorted([edited_url, server.base_url + "/the-peninsula/"])
    assert len(revisits) == len(kinds) - 2
    for url in revisits:
        headers = kinds[url][1]
        original = first_ids[headers["WARC-Refers-To-Target-URI"]]
        assert original["WARC-Payload-Digest"] == headers["WARC-Payload-Digest"]
        assert original["WARC-Date"][:19] == headers["WARC-Refers-To-Date"][:19]  # the CDXJ's second
    assert second_warc.stat().st_size < first_warc.stat().st_size / 2
    checked = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(second_warc)], check=False)
    assert checked.returncode == 0

    # Re-extraction of the second WARC alone finds the payloads in its neighbour through its CDXJ.
    assert main(["reextract", str(second_warc), "--output-dir", str(tmp_path / "again")]) == ExitCode.OK
    rebuilt_path = Path(capsys.readouterr().out.strip().splitlines()[-1])
    ref = store.latest(out)
    assert ref is not None
    # first_seen is lineage from the archive, which a re-extraction of one crawl's WARC does not have; so
    # are the photos' captures: the second crawl did not fetch them again (the archive held them), its rows
    # link to the first WARC's records, and a re-extraction links only the captures of the WARCs it reads.
    lineage = ["first_seen", "photo_warc_record_id"]
    crawl_rows = pq.read_table(ref.path).drop_columns(lineage).to_pylist()
    rebuilt = pq.read_table(rebuilt_path).drop_columns(lineage).to_pylist()
    assert rebuilt == crawl_rows
    first_photos = {headers["WARC-Record-ID"] for url, headers in first_ids.items() if url.endswith(".jpg")}
    linked = set(pq.read_table(ref.path)["photo_warc_record_id"].to_pylist()) - {None}
    assert linked and linked <= first_photos
    assert set(pq.read_table(rebuilt_path)["photo_warc_record_id"].to_pylist()) == {None}
