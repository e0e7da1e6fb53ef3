"""``kei-crawler reextract``: the crawl's snapshot rebuilt from its WARC alone, row for row."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.archived_crawl import Crawled
from tests.support.crawling import run_crawl
from tests.support.interrupting import interrupted_slow_crawl


def snapshot_rows(path: Path) -> list[dict[str, object]]:
    return pq.read_table(path).to_pylist()


def reextract(out: Path, *warcs: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code = main(["reextract", *map(str, warcs), "--output-dir", str(out)])
    stdout = capsys.readouterr().out
    assert code == ExitCode.OK, stdout
    return Path(stdout.strip().splitlines()[-1])


def test_reextract_reproduces_the_crawls_snapshot_exactly(
    crawled: Crawled,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The replica is gone by now: nothing here can reach the network.
    path = reextract(tmp_path / "again", crawled.warc, capsys=capsys)
    original = snapshot_rows(crawled.snapshot)
    rebuilt = snapshot_rows(path)
    assert rebuilt == original  # every column, row for row, in the same order
    assert pq.read_schema(path) == pq.read_schema(crawled.snapshot)
    assert (tmp_path / "again" / "latest" / store.FILENAME).samefile(path)  # the one publish path moves it
    # The gzip-encoded brief and the moved one (captured after a 301, under its new URL) are among them.
    slugs = {row["slug"] for row in rebuilt}
    assert crawled.site.zipped.strip("/").split("/")[-1] in slugs
    assert crawled.site.moved_to.strip("/").split("/")[-1] in slugs
    assert crawled.site.moved.strip("/").split("/")[-1] not in slugs
    meta = store.metadata(path)
    assert meta["source"] == "reextract"
    assert json.loads(meta["warcs"]) == [crawled.warc.name]
    assert json.loads(meta["reextracted_from"]) == [store.metadata(crawled.snapshot)["crawl_id"]]
    counts = json.loads(meta["counts"])
    crawl_counts = json.loads(store.metadata(crawled.snapshot)["counts"])
    assert counts["briefs_dropped"] == crawl_counts["briefs_dropped"]  # the copied brief, again
    assert counts["drops"] == crawl_counts["drops"] and counts["drops"]  # listed with its reason and detail
    assert counts["fill_rates"] == crawl_counts["fill_rates"]


def test_reextract_with_a_worker_process_writes_the_same_rows(
    crawled: Crawled,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inline = reextract(tmp_path / "inline", crawled.warc, capsys=capsys)
    out = tmp_path / "pooled"
    code = main(["reextract", str(crawled.warc), "--output-dir", str(out), "-s", "KEI_EXTRACT_WORKERS=1"])
    stdout = capsys.readouterr().out
    assert code == ExitCode.OK, stdout
    pooled = Path(stdout.strip().splitlines()[-1])
    assert snapshot_rows(pooled) == snapshot_rows(inline) == snapshot_rows(crawled.snapshot)


def test_reextract_takes_one_crawl_at_a_time(
    crawled: Crawled,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from warcio.warcwriter import WARCWriter

    other = tmp_path / "other.warc.gz"  # another crawl's WARC
    with open(other, "wb") as target:
        writer = WARCWriter(target, gzip=True)
        writer.write_record(writer.create_warcinfo_record(other.name, {"isPartOf": "2020-01-01T000000Z"}))
    code = main(["reextract", str(crawled.warc), str(other), "--output-dir", str(tmp_path / "out")])
    assert code == ExitCode.USAGE
    assert "give one crawl's" in capsys.readouterr().err
    assert store.list_snapshots(tmp_path / "out") == []


def test_a_warc_without_briefs_publishes_nothing(
    crawled: Crawled,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    robots_only = tmp_path / "robots.warc.gz"
    with open(crawled.warc, "rb") as source, open(robots_only, "wb") as target:
        writer = WARCWriter(target, gzip=True)
        for record in ArchiveIterator(source):
            if record.rec_type == "warcinfo" or "/robots.txt" in (
                record.rec_headers.get("WARC-Target-URI") or ""
            ):
                writer.write_record(record)
    code = main(["reextract", str(robots_only), "--output-dir", str(tmp_path / "out")])
    assert code == ExitCode.NOT_PUBLISHED
    assert "no brief could be extracted" in capsys.readouterr().err
    assert store.list_snapshots(tmp_path / "out") == []
    assert list(OutputLayout.of(tmp_path / "out").tmp.iterdir()) == []


def test_interrupted_crawl_publishes_no_warc_and_resume_publishes_both_parts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    site = build_site(60)
    server, _ = interrupted_slow_crawl(out, site)
    assert (
        not OutputLayout.of(out).warc.exists() or list(OutputLayout.of(out).warc.iterdir()) == []
    )  # nothing where readers look
    assert list((out / ".job" / "kei-warc").glob("*.warc.gz"))  # kept for --resume

    with ReplicaServer(site, port=server.port) as fast:
        done = run_crawl(fast.base_url, out, "--resume")
    assert done.returncode == ExitCode.OK, done.stderr[-2000:]
    ref = store.latest(out)
    assert ref is not None
    names = sorted(p.name for p in OutputLayout.of(out).warc.iterdir())
    assert names == [f"{ref.crawl_id}-1.warc.gz", f"{ref.crawl_id}.cdxj", f"{ref.crawl_id}.warc.gz"]
    index = (OutputLayout.of(out).warc / f"{ref.crawl_id}.cdxj").read_text()
    assert (
        f'"filename": "{ref.crawl_id}.warc.gz"' in index
        and f'"filename": "{ref.crawl_id}-1.warc.gz"' in index
    )
    rows = snapshot_rows(ref.path)
    assert {row["warc_file"] for row in rows} == {f"{ref.crawl_id}.warc.gz", f"{ref.crawl_id}-1.warc.gz"}

    parts = sorted(
        OutputLayout.of(out).warc.glob("*.warc.gz"), reverse=True
    )  # the -1 part first: order is by date
    rebuilt = snapshot_rows(reextract(tmp_path / "again", *parts, capsys=capsys))
    key = lambda row: row["url"]  # noqa: E731
    assert sorted(rebuilt, key=key) == sorted(rows, key=key)
