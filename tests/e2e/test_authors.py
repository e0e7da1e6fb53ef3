"""`authors` holds people only, crawled: the same authors for a Korea View brief on every theme, and an
archive written under the old rule (the series among the authors) carried into the new one without a
spurious change, a false quality alert, or a row that disagrees with a fresh one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kei_crawler.replica import THEMES, ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.run.quality import PROFILE_METADATA, ProfileCounts
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.diff import diff_files
from kei_crawler.storage.snapshot.schema import encode_metadata
from kei_crawler.text.series import SERIES
from tests.support.crawling import run_crawl
from tests.support.snapshots import snapshot_rows


def _korea_view_authors(out: Path) -> dict[str, list[str]]:
    return {url: row["authors"] for url, row in snapshot_rows(out).items() if row["series"] == SERIES}


def test_every_theme_gives_each_korea_view_brief_the_same_authors(tmp_path: Path) -> None:
    by_theme: dict[str, dict[str, list[str]]] = {}
    signed = 0
    for theme in THEMES:
        site = build_site(60, theme=theme)
        signed = sum(SERIES in b.authors for b in site.briefs)  # pages showing "Author: Korea View"
        with ReplicaServer(site) as server:
            done = run_crawl(server.base_url, tmp_path / theme)
        assert done.returncode == ExitCode.OK, (theme, done.stderr[-2000:])
        by_theme[theme] = _korea_view_authors(tmp_path / theme)
    assert signed >= 10, "the replica no longer signs Korea View briefs with the series: nothing is tested"
    first = by_theme[THEMES[0]]
    assert len(first) >= 30
    for theme, authors in by_theme.items():
        assert authors == first, theme
    assert all(SERIES not in names for names in first.values())


def _as_written_before_version_5(path: Path, signed: set[str]) -> None:
    """Rewrite a published snapshot as a crawl before the rule wrote it: "Korea View" among the authors
    of the briefs whose page is signed with it, the counts stored with it counted so, and version 4."""
    table = pq.read_table(path)
    meta = dict(table.schema.metadata or {})
    authors = [
        [SERIES, *names] if url in signed else names
        for url, names in zip(table["url"].to_pylist(), table["authors"].to_pylist(), strict=True)
    ]
    index = table.schema.get_field_index("authors")
    table = table.set_column(
        index, table.schema.field(index), pa.array(authors, table.schema.field(index).type)
    )
    counts = ProfileCounts()
    counts.add(table)
    meta.update(encode_metadata({"schema_version": 4, PROFILE_METADATA: counts.to_metadata()}))
    pq.write_table(table.replace_schema_metadata(meta), path)


def test_an_archive_from_before_the_rule_is_carried_into_it(tmp_path: Path) -> None:
    site = build_site(60, theme="modern")
    out, refetched = tmp_path / "out", tmp_path / "refetched"
    with ReplicaServer(site) as server:
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK
        old = store.latest(out)
        assert old is not None
        fresh = _korea_view_authors(out)
        signed = {"https://keia.org" + b.path for b in site.briefs if SERIES in b.authors}  # canonical URLs
        assert len(signed) >= 10
        _as_written_before_version_5(old.path, signed)
        shutil.copytree(out, refetched)

        # The first run after the upgrade re-fetches every page: its authors' fill rate is compared with the
        # old snapshot's, whose stored counts had the series as an author. No quality alert, nothing changed.
        full = run_crawl(server.base_url, refetched, "--full")
        assert full.returncode == ExitCode.NOTHING_NEW, full.stderr[-3000:]
        newest = store.latest(refetched)
        assert newest is not None
        assert json.loads(store.metadata(newest.path)["alerts"]) == []
        assert _korea_view_authors(refetched) == fresh
        assert diff_files(old.path, newest.path).empty

        # An incremental run re-fetches nothing it knows: the old rows are carried, under the rule.
        site.publish(1)
        carried = run_crawl(server.base_url, out)
        assert carried.returncode == ExitCode.OK, carried.stderr[-2000:]
        rows = _korea_view_authors(out)
        assert {url: rows[url] for url in fresh} == fresh
        newest = store.latest(out)
        assert newest is not None
        changes = diff_files(old.path, newest.path)
        assert changes.counts == {"added": 1, "removed": 0, "changed": 0, "moved": 0}
