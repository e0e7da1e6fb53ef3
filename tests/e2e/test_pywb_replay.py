"""The archive replays in pywb, the archivist's own client: a full crawl of the replica and a revalidating
crawl (most briefs answer 304), in one pywb collection built as docs/warc.md says, served by ``wayback``
on 127.0.0.1.

Each brief of the newest snapshot, asked for by the URL the WARC holds (the mirror's, as fetched) with
no timestamp, replays its newest capture — for an unchanged brief, the revalidation's 304 — as the brief:
200, its title and every paragraph of its body. So does each row at its own ``fetched_at``, the listing
pages, and every brief link on them, tracking parameters and all; and each brief's photo, as the replayed
page shows it, is the image captured (``photo_warc_record_id``'s record).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from cdxj_indexer.main import CDXJIndexer

from kei_crawler import urls
from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.images import jpeg_bytes
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.warc.cdx import read_cdxj
from tests.support.crawling import run_crawl
from tests.support.snapshots import snapshot_rows
from tests.support.wayback import Wayback, build_collection, memento_timestamp, missing_text, page_text, words

pytest.importorskip("pywb", reason="pywb (the dev extra) replays the archive in this test")

BRIEFS = 24
REPLAYED_LINK = re.compile(r"/kei/(\d*)mp_/(https?://.+)$")


@dataclass
class Capture:
    timestamp: str
    filename: str
    mime: str


@dataclass
class Archive:
    base_url: str
    out: Path
    rows: dict[str, dict[str, Any]]
    """The newest snapshot's live rows, by canonical URL."""
    newest: dict[str, Capture]
    """The newest capture of each archived URL (response or revisit), from the crawls' CDXJ."""
    revalidation_warc: str
    edited: str
    wayback: Wayback

    def fetch_url(self, canonical: str) -> str:
        return urls.fetch_url(canonical, self.base_url)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    work = tmp_path_factory.mktemp("pywb")
    out = work / "out"
    site = build_site(BRIEFS, theme="modern")
    with ReplicaServer(site) as server:
        first = run_crawl(server.base_url, out, "--full")
        assert first.returncode == 0, first.stderr[-3000:]
        edited = site.briefs[5].slug  # one brief changes: the revalidation fetches it whole
        site.edit(edited)
        second = run_crawl(server.base_url, out, "--revalidate")
        assert second.returncode == 0, second.stderr[-3000:]
        base_url = server.base_url
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2
    newest: dict[str, Capture] = {}
    for index in sorted((out / "warc").glob("*.cdxj")):
        for _key, timestamp, fields in read_cdxj(index):
            seen = newest.get(fields["url"])
            if seen is None or timestamp >= seen.timestamp:
                newest[fields["url"]] = Capture(timestamp, fields["filename"], fields.get("mime", ""))
    rows = {url: row for url, row in snapshot_rows(out).items() if row["removed_at"] is None}
    with Wayback(build_collection(work / "pywb", warcs)) as wayback:
        yield Archive(base_url, out, rows, newest, warcs[1].name, edited, wayback)


def test_the_revalidation_warc_checks_and_indexes_as_pywb_does(archive: Archive) -> None:
    warc = archive.out / "warc" / archive.revalidation_warc
    checked = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(warc)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0 and "fail" not in checked.stdout, (
        checked.stdout[-2000:] + checked.stderr[-2000:]
    )
    theirs = archive.out / "theirs.cdxj"
    with open(theirs, "w") as output:
        CDXJIndexer(output=output, inputs=[str(warc)], sort=True).process_all()
    assert list(read_cdxj(theirs)) == list(
        read_cdxj(warc.with_name(warc.name.removesuffix(".warc.gz") + ".cdxj"))
    )


def test_every_brief_replays_its_newest_capture_as_the_brief(archive: Archive) -> None:
    not_modified = 0
    for canonical, row in archive.rows.items():
        url = archive.fetch_url(canonical)
        newest = archive.newest[url]
        page = archive.wayback.get(archive.wayback.url(url))
        assert page.status == 200, (url, page.status, page.text[:300])
        assert missing_text(page, row) == [], url
        assert memento_timestamp(page) == newest.timestamp, url
        frame = archive.wayback.get(archive.wayback.url(url, mod=""))  # what a browser opens first
        assert frame.status == 200 and url in frame.text, url
        exact = archive.wayback.get(archive.wayback.url(url, mod="id_"))
        assert exact.status == 200 and words(row["title"]) in page_text(exact), url
        if newest.filename == archive.revalidation_warc and newest.mime == "warc/revisit":
            not_modified += 1
    assert len(archive.rows) == BRIEFS
    # Every unchanged brief's newest capture is the revalidation's 304; the edited one is a new response.
    assert not_modified == BRIEFS - 1
    edited = archive.fetch_url(next(url for url in archive.rows if url.rstrip("/").endswith(archive.edited)))
    assert archive.newest[edited].mime == "text/html"


def test_every_brief_photo_replays_as_the_image_captured(archive: Archive) -> None:
    shown = 0
    for canonical, row in archive.rows.items():
        if row["photo_url"] is None:
            assert row["photo_warc_record_id"] is None
            continue
        assert row["photo_warc_record_id"] is not None, canonical
        path = urlsplit(row["photo_url"]).path
        page = archive.wayback.get(archive.wayback.url(archive.fetch_url(canonical)))
        sources = [src for src in lxml.html.fromstring(page.body).xpath("//img/@src") if src.endswith(path)]
        assert sources, canonical  # the page's <img>, rewritten by pywb to point into the archive
        image = archive.wayback.click(urljoin(archive.wayback.base + "/", sources[0]))
        assert image.status == 200, (canonical, image.status, image.text[:200])
        assert image.headers["Content-Type"] == "image/jpeg"
        assert image.body == jpeg_bytes(path), canonical  # the replica's bytes for that photo
        shown += 1
    assert shown >= BRIEFS // 2  # most briefs of the replica carry a photo


def test_every_row_replays_at_its_own_fetched_at(archive: Archive) -> None:
    for canonical, row in archive.rows.items():
        fetched: datetime = row["fetched_at"]
        when = fetched.strftime("%Y%m%d%H%M%S")
        page = archive.wayback.get(archive.wayback.url(archive.fetch_url(canonical), when=when))
        assert page.status == 200, canonical
        assert memento_timestamp(page) == when, canonical
        assert missing_text(page, row) == [], canonical


def listing_pages(archive: Archive) -> list[str]:
    pages = [url for url in archive.newest if urls.listing_page_number(url) is not None]
    assert len(pages) >= 2, pages  # the replica's listing of BRIEFS briefs runs over several pages
    return sorted(pages)


def test_listing_pages_and_every_brief_link_on_them_replay(archive: Archive) -> None:
    origin = urls.origin_of(urls.DEFAULT_ORIGIN)
    followed, tracking = 0, 0
    for listing in listing_pages(archive):
        page = archive.wayback.get(archive.wayback.url(listing))
        assert page.status == 200, (listing, page.status)
        for href in lxml.html.fromstring(page.body).xpath("//a/@href"):
            link = REPLAYED_LINK.search(urljoin(archive.wayback.base + "/", href))
            if link is None or not urls.is_brief_url(link.group(2)):
                continue
            row = archive.rows[urls.canonical_brief_url(link.group(2), origin)]
            brief = archive.wayback.click(urljoin(archive.wayback.base + "/", href))
            assert brief.status == 200, (href, brief.status)
            assert missing_text(brief, row) == [], href
            followed += 1
            tracking += "_hsmi=" in link.group(2)
    assert followed >= BRIEFS
    assert tracking >= BRIEFS // 7  # the replica writes one link in seven as a newsletter sent it


def test_a_tracking_parameter_link_replays_the_canonical_capture(archive: Archive) -> None:
    # An unchanged brief: pywb's fuzzy match serves the first capture of the canonical URL in its index
    # (it drops the timestamp from a fuzzy lookup), which for an edited brief is its earlier version.
    canonical, row = next((url, row) for url, row in archive.rows.items() if archive.edited not in url)
    url = (
        archive.fetch_url(canonical)
        + "?utm_medium=email&_hsmi=124978800&_hsenc=p2ANqtz-x&utm_source=hs_email"
    )
    page = archive.wayback.get(archive.wayback.url(url))
    assert page.status == 200, (page.status, page.text[:300])
    assert missing_text(page, row) == []
    other = archive.wayback.get(archive.wayback.url(archive.fetch_url(canonical) + "?page_id=7"))
    assert other.status == 404  # only the tracking parameters are ignored: another query is another page


def test_reextract_of_the_revalidation_reads_its_304_revisits_as_the_304s_they_were(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again"
    code = main(
        ["reextract", str(archive.out / "warc" / archive.revalidation_warc), "--output-dir", str(out)]
    )
    assert code == ExitCode.OK, capsys.readouterr().err[-2000:]
    rebuilt = snapshot_rows(out)
    # The edited brief, fetched whole, is the one row; the 304s had nothing new to extract.
    assert [url.rstrip("/").rsplit("/", 1)[1] for url in rebuilt] == [archive.edited]
    [(url, row)] = rebuilt.items()
    assert {key: row[key] for key in ("title", "body", "content_hash", "fetched_at", "warc_record_id")} == {
        key: archive.rows[url][key]
        for key in ("title", "body", "content_hash", "fetched_at", "warc_record_id")
    }
