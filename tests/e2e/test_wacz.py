"""``kei-crawler wacz`` on two real crawls of the replica (the second revalidating, after a brief was
edited, one removed and one published), checked by the real ``wacz validate`` (py-wacz, a test
dependency): it passes, the pages are every live brief of the newest snapshot and no removed one, every
index line names a WARC packed in ``archive/``, and the datapackage's digests are the files'."""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import PUBLISHED
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.wayback import Wayback

WACZ_TOOL = Path(sys.executable).with_name("wacz")


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "out"
    site = build_site(24)
    with ReplicaServer(site) as server:
        first = run_crawl(server.base_url, out)
        assert first.returncode in PUBLISHED, first.stderr[-3000:]
        slugs = [brief.slug for brief in site.briefs]
        site.edit(slugs[2])
        site.remove(slugs[5])
        site.publish(1)
        second = run_crawl(server.base_url, out, "--revalidate")
        assert second.returncode in PUBLISHED, second.stderr[-3000:]
    return out


def wacz_command(out: Path, target: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kei_crawler", "wacz", "--output-dir", str(out), "--output", str(target), *extra],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def validate(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WACZ_TOOL), "validate", "-f", str(target)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("extra", [[], ["--referenced-only"]], ids=["all WARCs", "referenced only"])
def test_the_wacz_of_two_crawls_validates_and_lists_every_live_brief(
    two_crawls: Path, tmp_path: Path, extra: list[str]
) -> None:
    target = tmp_path / "kei.wacz"
    done = wacz_command(two_crawls, target, *extra)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.rstrip("\n").splitlines()[-1] == str(target) and done.stderr == ""

    checked = validate(target)
    assert checked.returncode == 0 and "Validation succeeded" in checked.stdout, (
        checked.stdout + checked.stderr
    )

    with zipfile.ZipFile(target) as wacz:
        files = {name: wacz.read(name) for name in wacz.namelist()}
    rows = pq.read_table(store.latest(two_crawls).path).to_pylist()  # type: ignore[union-attr]
    live = {row["brief_id"]: row for row in rows if row["removed_at"] is None}
    removed = {row["brief_id"] for row in rows if row["removed_at"] is not None}
    assert len(removed) == 1 and len(live) == 24  # 24 - 1 removed + 1 published
    header, *pages = [json.loads(line) for line in files["pages/pages.jsonl"].decode().splitlines()]
    assert header["format"] == "json-pages-1.0"
    assert {page["id"] for page in pages} == set(live) and len(pages) == len(live)
    for page in pages:
        row = live[page["id"]]
        assert page["title"] == row["title"]
        assert page["url"].endswith(
            row["url"].split("/the-peninsula/", 1)[1]
        )  # the replica's URL of the brief
        assert page["ts"] == row["fetched_at"].strftime("%Y-%m-%dT%H:%M:%SZ")  # its own capture

    archived = {name.removeprefix("archive/") for name in files if name.startswith("archive/")}
    index = [json.loads(line.split(" ", 2)[2]) for line in files["indexes/index.cdx"].decode().splitlines()]
    assert {line["filename"] for line in index} <= archived and index
    warcs = {p.name for p in OutputLayout.of(two_crawls).warc.glob("*.warc.gz")}
    assert archived == warcs  # two crawls, and the second's rows and revisits need the first's WARC too

    package = json.loads(files.pop("datapackage.json"))
    files.pop("datapackage-digest.json")
    assert {r["path"]: r["hash"] for r in package["resources"]} == {
        name: "sha256:" + hashlib.sha256(data).hexdigest() for name, data in files.items()
    }


def test_validate_refuses_a_wacz_whose_pages_were_changed(two_crawls: Path, tmp_path: Path) -> None:
    """The validation above is not a formality: a page list altered after packing fails its digest."""
    target = tmp_path / "kei.wacz"
    assert wacz_command(two_crawls, target).returncode == 0
    spoiled = tmp_path / "spoiled.wacz"
    with zipfile.ZipFile(target) as source, zipfile.ZipFile(spoiled, "w") as copy:
        for info in source.infolist():
            data = source.read(info.filename)
            extra = b'{"url": "http://127.0.0.1/x/", "ts": "2026-01-01T00:00:00Z"}\n'
            copy.writestr(info, data + extra if info.filename == "pages/pages.jsonl" else data)
    checked = validate(spoiled)
    assert checked.returncode == 1 and "Validation failed" in checked.stdout, checked.stdout
    assert "does not match the expected hash" in checked.stdout


@pytest.mark.parametrize("damage", ["first WARC cut short", "newest WARC spoiled mid-way"])
def test_a_wacz_of_damaged_warcs_validates_and_names_them(
    two_crawls: Path, tmp_path: Path, damage: str
) -> None:
    """A damaged WARC is packed up to its last whole record: every file in the WACZ is whole gzip."""
    out = tmp_path / "out"
    shutil.copytree(two_crawls, out)
    first, newest = sorted(OutputLayout.of(out).warc.glob("*.warc.gz"))
    data = (first if "first" in damage else newest).read_bytes()
    if "cut" in damage:
        first.write_bytes(data[: len(data) * 2 // 3])
    else:
        middle = len(data) // 2
        newest.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    target = tmp_path / "kei.wacz"
    done = wacz_command(out, target)
    assert done.returncode == 7 and "cut short or damaged" in done.stderr, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    checked = validate(target)
    assert checked.returncode == 0 and "Validation succeeded" in checked.stdout, (
        checked.stdout + checked.stderr
    )


def test_pywb_replays_every_page_of_the_wacz_at_its_timestamp(two_crawls: Path, tmp_path: Path) -> None:
    """The recipe in docs/warc.md (Packaging as WACZ): ``wb-manager add --unpack-wacz`` takes the WACZ as it
    is (its index is named ``index.cdx`` for that), and each page replays at its ``ts``: status 200, its title."""
    target = tmp_path / "kei.wacz"
    assert wacz_command(two_crawls, target).returncode == 0
    with zipfile.ZipFile(target) as wacz:
        _header, *pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()]
    bin_dir = Path(sys.executable).parent
    home = tmp_path / "pywb"
    home.mkdir()
    for step in (["init", "kei"], ["add", "--unpack-wacz", "kei", str(target)]):
        done = subprocess.run(
            [str(bin_dir / "wb-manager"), *step], cwd=home, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and "does not contain" not in done.stderr, done.stderr[-2000:]
    with Wayback(home) as wayback:
        for page in pages:
            stamp = page["ts"].replace("-", "").replace(":", "").replace("T", "").removesuffix("Z")
            reply = wayback.get(wayback.url(page["url"], stamp))
            assert reply.status == 200, page["url"]
            assert html.escape(page["title"], quote=False) in reply.text or page["title"] in reply.text
