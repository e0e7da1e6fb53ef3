"""Page requisites on the replica: each brief's photo and content images fetched once, kept in the WARC,
linked from the row; nothing fetched off-site, over the size cap, against robots.txt, or when switched off;
nothing again for a brief not re-fetched; and never a brief, a lost brief or an exit code of their own."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.images import UPLOADS, png_bytes
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.interrupting import interrupted_slow_crawl

CHART = "/wp-content/uploads/charts/exports-by-month.png"
OFFSITE = "http://images.example.org/wp-content/uploads/elsewhere.jpg"
CAP = 50_000


class RequisiteSite:
    """The replica (flat theme), with a chart and an off-site image inside one brief's body, one photo
    served larger than the cap, and robots.txt as a test sets it."""

    def __init__(self, briefs: int) -> None:
        self.site = build_site(briefs, theme="flat")
        photographed = [b for b in self.site.briefs if b.photo_path]
        self.illustrated, self.oversize = photographed[0], photographed[1]
        self.robots: str | None = None

    def render(self, path_and_query: str, base_url: str) -> tuple[int, dict[str, str], bytes]:
        path = path_and_query.split("?")[0]
        if path == "/robots.txt" and self.robots is not None:
            return 200, {"Content-Type": "text/plain"}, self.robots.encode()
        if path == CHART:
            return 200, {"Content-Type": "image/png"}, png_bytes(CHART)
        if path == self.oversize.photo_path:
            return 200, {"Content-Type": "image/jpeg"}, b"\xff\xd8" + bytes(CAP * 2) + b"\xff\xd9"
        status, headers, body = self.site.render(path_and_query, base_url)
        if path == self.illustrated.path:
            extra = f'<p><img src="{CHART}" width="600" height="400" alt=""> <img src="{OFFSITE}" alt=""></p>'
            body = body.replace(b"</p>\n<p>", f"</p>\n{extra}\n<p>".encode(), 1)
        return status, headers, body

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)


@dataclass
class Crawl:
    done: Any
    uploads: Counter[str]
    counts: dict[str, Any]


def crawl(server: ReplicaServer, out: Path, *flags: str) -> Crawl:
    before = len(server.requests)
    done = run_crawl(server.base_url, out, "-s", f"KEI_REQUISITE_MAX_BYTES={CAP}", *flags)
    uploads = Counter(r.path for r in server.requests[before:] if r.path.startswith(UPLOADS))
    manifest = max((out / "runs").glob("*.json"))
    return Crawl(done, uploads, json.loads(manifest.read_text())["counts"])


def warc_records(out: Path) -> dict[str, dict[str, Any]]:
    """Every response and revisit record of the folder's WARCs, by record id."""
    found = {}
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    found[record.rec_headers.get_header("WARC-Record-ID")] = {
                        "type": record.rec_type,
                        "file": path.name,
                        "url": record.rec_headers.get_header("WARC-Target-URI"),
                        "refers_to": record.rec_headers.get_header("WARC-Refers-To-Target-URI"),
                        "mime": record.http_headers.get_header("Content-Type")
                        if record.http_headers
                        else None,
                        "payload": record.content_stream().read(),
                    }
    return found


def rows(out: Path) -> list[dict[str, Any]]:
    ref = store.latest(out)
    assert ref is not None
    return pq.read_table(ref.path).to_pylist()


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A first crawl, a second ``--full`` one of the unchanged site, then an incremental and a revalidating one."""
    site = RequisiteSite(12)
    out = tmp_path_factory.mktemp("requisites") / "out"
    with ReplicaServer(site) as server:  # type: ignore[arg-type]
        first = crawl(server, out)
        first_rows, first_records = rows(out), warc_records(out)
        again = crawl(server, out, "--full")
        incremental = crawl(server, out)
        revalidate = crawl(server, out, "--revalidate")
        return {
            "site": site, "out": out, "base": server.base_url, "first": first, "first_rows": first_rows,
            "first_records": first_records, "again": again, "incremental": incremental, "revalidate": revalidate,
        }  # fmt: skip


def test_each_photo_and_content_image_is_fetched_once(crawls: dict[str, Any]) -> None:
    site, first = crawls["site"], crawls["first"]
    assert first.done.returncode == ExitCode.OK, first.done.stderr[-3000:]
    photos = {b.photo_path for b in site.briefs if b.photo_path}
    assert first.uploads == Counter(photos | {CHART})  # once each; no logo, no chrome, nothing off-site
    counts = first.counts
    assert counts["requisites"] == len(photos)  # every one but the oversize photo, plus the chart
    assert counts["requisites_offsite"] == 1
    assert counts["requisite_errors"] == {"too_large": 1}
    # Images are not briefs, and a failed one is no lost brief.
    assert counts["briefs_written"] == counts["briefs_new"] == 12
    assert counts["errors"] == [] and counts["brief_errors"] == {}
    shown = first.done.stdout + first.done.stderr  # the summary: images apart from briefs, with their errors
    assert f"{len(photos)} (0 held already, 1 off-site)" in shown and "requisite errors: too_large" in shown


def test_rows_link_their_photo_to_its_record(crawls: dict[str, Any]) -> None:
    site, base, records = crawls["site"], crawls["base"], crawls["first_records"]
    linked = 0
    for row in crawls["first_rows"]:
        brief = site.brief(row["slug"])
        if brief.photo_path is None or brief is site.oversize:
            assert row["photo_warc_record_id"] is None, row["url"]
            continue
        record = records[row["photo_warc_record_id"]]
        assert record["type"] == "response"
        assert record["url"] == base + brief.photo_path
        assert row["photo_url"] == "https://keia.org" + brief.photo_path
        assert record["mime"] == "image/jpeg"
        assert record["payload"] == site.render(brief.photo_path, base)[2]
        linked += 1
    assert linked == sum(1 for b in site.briefs if b.photo_path) - 1
    chart = [r for r in records.values() if r["url"] == base + CHART]
    assert [(r["type"], r["payload"]) for r in chart] == [("response", png_bytes(CHART))]


def test_an_unchanged_full_recrawl_fetches_no_photo_again(crawls: dict[str, Any]) -> None:
    site, again, base = crawls["site"], crawls["again"], crawls["base"]
    assert again.done.returncode == ExitCode.NOTHING_NEW, again.done.stderr[-3000:]
    # The photos the archive holds are not asked for; the one it could not keep is tried again, and the
    # chart (no row names it) is fetched again, and kept as a revisit of its first capture.
    assert again.uploads == Counter({site.oversize.photo_path: 1, CHART: 1})
    assert again.counts["requisites_archived"] == sum(1 for b in site.briefs if b.photo_path) - 1
    second = {k: v for k, v in warc_records(crawls["out"]).items() if k not in crawls["first_records"]}
    (chart,) = [r for r in second.values() if r["url"] == base + CHART]
    assert chart["type"] == "revisit" and chart["refers_to"] == base + CHART
    before = {row["url"]: row["photo_warc_record_id"] for row in crawls["first_rows"]}
    assert {row["url"]: row["photo_warc_record_id"] for row in rows(crawls["out"])} == before


def test_briefs_not_fetched_again_fetch_no_image(crawls: dict[str, Any]) -> None:
    for name in ("incremental", "revalidate"):
        done = crawls[name]
        assert done.done.returncode == ExitCode.NOTHING_NEW, done.done.stderr[-3000:]
        assert done.uploads == Counter(), name
    assert crawls["revalidate"].counts["briefs_not_modified"] == 12


def test_switched_off_no_image_is_requested(tmp_path: Path) -> None:
    site = RequisiteSite(6)
    with ReplicaServer(site) as server:  # type: ignore[arg-type]
        done = crawl(server, tmp_path / "out", "-s", "KEI_REQUISITES_ENABLED=False")
    assert done.done.returncode == ExitCode.OK, done.done.stderr[-3000:]
    assert done.uploads == Counter()
    assert done.counts["requisites"] == 0
    assert all(row["photo_warc_record_id"] is None for row in rows(tmp_path / "out"))


def test_robots_txt_disallowing_uploads_is_obeyed(tmp_path: Path) -> None:
    site = RequisiteSite(6)
    site.robots = "User-agent: *\nDisallow: /wp-content/\n"
    with ReplicaServer(site) as server:  # type: ignore[arg-type]
        done = crawl(server, tmp_path / "out")
    assert done.done.returncode == ExitCode.OK, done.done.stderr[-3000:]
    assert done.uploads == Counter()
    photos = sum(1 for b in site.briefs if b.photo_path)
    assert done.counts["requisite_errors"] == {"robots_disallowed": photos + 1}  # and the chart
    assert done.counts["errors"] == []
    assert all(row["photo_warc_record_id"] is None for row in rows(tmp_path / "out"))


def test_a_resumed_crawl_links_the_photos_of_both_parts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(40, theme="flat")
    server, _ = interrupted_slow_crawl(out, site)
    first_part = Counter(r.path for r in server.requests if r.path.startswith(UPLOADS))
    with ReplicaServer(site, port=server.port) as fast:
        done = run_crawl(fast.base_url, out, "--resume")
        second_part = Counter(r.path for r in fast.requests if r.path.startswith(UPLOADS))
    assert done.returncode == ExitCode.OK, done.stderr[-2000:]
    assert first_part and second_part
    assert sum((first_part & second_part).values()) <= 2  # only what was in flight at the interruption
    records = warc_records(out)
    photographed = [row for row in rows(out) if row["photo_url"]]
    assert len(photographed) == sum(1 for b in site.briefs if b.photo_path)
    for row in photographed:
        record = records[row["photo_warc_record_id"]]
        assert record["url"].endswith(row["photo_url"].removeprefix("https://keia.org"))


def test_stylesheets_only_when_asked_and_once(tmp_path: Path) -> None:
    site = build_site(6, theme="modern")  # links its theme's style.css from every page
    with ReplicaServer(site) as server:
        done = crawl(server, tmp_path / "out", "-s", "KEI_REQUISITE_STYLESHEETS=True")
        css = Counter(r.path for r in server.requests if r.path.endswith(".css"))
    assert done.done.returncode == ExitCode.OK, done.done.stderr[-3000:]
    assert css == Counter({"/wp-content/themes/kei-2021/style.css": 1})
    assert done.counts["requisite_errors"] == {}
