"""``prune`` on an archive of ten crawls of the replica keeps what it must.

Ten crawls — first, quiet, a new brief, a revalidation (304 revisits), an edit, quiet, an unchanged
``--full`` (digest revisits of the first captures), a removal, quiet, a new brief — then ``prune --keep 4
--thin`` with a cursor on the third snapshot. For every kept snapshot, each live row is rebuilt by
``reextract`` from the WARC it points into (its revisits read from the originals prune kept), and replays
in pywb at its own ``fetched_at`` with its title, body and photo.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from benchmarks.crawl_processes import Launcher
from kei_crawler import urls
from kei_crawler.commands import main
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.images import jpeg_bytes
from kei_crawler.run import cursors
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_argv
from tests.support.snapshots import snapshot_rows
from tests.support.wayback import Wayback, build_collection, memento_timestamp, missing_text

pytest.importorskip("pywb", reason="pywb (the dev extra) replays the pruned archive in this test")

CHANGED_SOMETHING = ExitCode.OK
QUIET = ExitCode.NOTHING_NEW


@dataclass
class Pruned:
    out: Path
    base_url: str
    ids: list[str]
    """The ten crawl ids, oldest first."""
    before: set[str]
    """Every path under the output directory before the prune (relative)."""
    dry_run: str
    after_dry_run: set[str]
    output: str
    work: Path

    def kept_rows(self) -> dict[str, list[dict[str, Any]]]:
        return {
            ref.crawl_id: [row for row in pq.read_table(ref.path).to_pylist() if row["removed_at"] is None]
            for ref in store.scan(self.out).refs
        }


def tree(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if ".lock" not in path.name}


@pytest.fixture(scope="module")
def pruned(tmp_path_factory: pytest.TempPathFactory) -> Pruned:
    work = tmp_path_factory.mktemp("prune")
    out = work / "out"
    site = build_site(4, theme="modern")
    steps = [
        ((), None, CHANGED_SOMETHING),
        ((), None, QUIET),
        ((), lambda: site.publish(1), CHANGED_SOMETHING),
        (("--revalidate",), None, QUIET),
        (("--revalidate",), lambda: site.edit(site.briefs[1].slug), CHANGED_SOMETHING),
        ((), None, QUIET),
        (("--full",), None, QUIET),
        (("--revalidate",), lambda: site.remove(site.briefs[2].slug), CHANGED_SOMETHING),
        ((), None, QUIET),
        ((), lambda: site.publish(1), CHANGED_SOMETHING),
    ]
    launcher = Launcher()  # ten crawls forked from one interpreter that imported the crawler once
    with ReplicaServer(site) as server:
        for number, (flags, change, expected) in enumerate(steps):
            if change is not None:
                change()
            stdout, stderr = work / f"crawl-{number}.out", work / f"crawl-{number}.err"
            code = launcher.start(crawl_argv(server.base_url, out, *flags), stdout, stderr).wait(120)
            assert code == expected, (flags, stderr.read_text()[-3000:])
    ids = [ref.crawl_id for ref in store.scan(out).refs]
    assert len(ids) == 10
    cursors.write(OutputLayout.of(out), "pinned", ids[2])
    before = tree(out)
    argv = ["prune", "--keep", "4", "--thin", "--output-dir", str(out)]
    dry = run_main([*argv, "--dry-run"])
    after_dry_run = tree(out)
    return Pruned(out, server.base_url, ids, before, dry, after_dry_run, run_main(argv), work)


def run_main(argv: list[str]) -> str:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(argv)
    assert code == ExitCode.OK, stdout.getvalue()
    return stdout.getvalue()


def test_prune_keeps_the_newest_what_changed_within_keep_and_what_a_cursor_names(pruned: Pruned) -> None:
    ids = pruned.ids
    # --keep 4 is the last four; --thin drops the quiet one among them; the cursor pins the third.
    assert [ref.crawl_id for ref in store.scan(pruned.out).refs] == [ids[2], ids[7], ids[9]]
    warc = OutputLayout.of(pruned.out).warc
    # Kept: the first crawl's (the kept rows' captures and the originals of every revisit), the new
    # brief's, the edit's (the --full crawl's revisit of the edited page refers to it), the --full crawl's
    # (the rows point at its revisits), and the kept snapshots' own.
    needed = {ids[0], ids[2], ids[4], ids[6], ids[7], ids[9]}
    assert sorted(path.name for path in warc.iterdir()) == sorted(
        name for crawl_id in needed for name in (f"{crawl_id}.warc.gz", f"{crawl_id}.cdxj")
    )
    assert sorted(path.name for path in OutputLayout.of(pruned.out).runs.iterdir()) == [
        f"{crawl_id}.json" for crawl_id in ids
    ]  # every run's manifest stays: the history of runs
    assert [path.name for path in OutputLayout.of(pruned.out).tmp.iterdir()] == []
    assert f"kept snapshot {ids[2]}: cursor pinned is at it" in pruned.output
    assert f"kept the WARC of {ids[4]}: a kept snapshot still needs {ids[4]}.warc.gz" in pruned.output


def test_the_dry_run_says_the_same_and_changes_nothing(pruned: Pruned) -> None:
    assert pruned.after_dry_run == pruned.before
    assert pruned.dry_run.replace("would remove", "removed").replace("Would remove", "Removed") == (
        pruned.output
    )
    gone = pruned.before - tree(pruned.out)
    assert {path for path in gone if path.startswith("snapshots/")} == {
        f"snapshots/snapshot={crawl_id}{suffix}"
        for crawl_id in set(pruned.ids) - {pruned.ids[i] for i in (2, 7, 9)}
        for suffix in ("", f"/{store.FILENAME}")
    }


def test_every_kept_row_is_rebuilt_by_reextract_from_the_warc_it_points_into(
    pruned: Pruned, tmp_path: Path
) -> None:
    warc = OutputLayout.of(pruned.out).warc
    rebuilt: dict[str, dict[str, dict[str, Any]]] = {}
    kept_records = set()
    for path in warc.glob("*.warc.gz"):
        with open(path, "rb") as stream:
            kept_records |= {
                record.rec_headers.get_header("WARC-Record-ID") for record in ArchiveIterator(stream)
            }
    checked = 0
    for crawl_id, rows in pruned.kept_rows().items():
        for row in rows:
            name = row["warc_file"]
            if name not in rebuilt:
                again = tmp_path / name
                code = main(["reextract", str(warc / name), "--output-dir", str(again)])
                assert code == ExitCode.OK, (crawl_id, name)
                rebuilt[name] = snapshot_rows(again)
            got = rebuilt[name][row["url"]]
            keys = ("title", "body", "content_hash", "fetched_at", "warc_record_id")
            assert {key: got[key] for key in keys} == {key: row[key] for key in keys}, (crawl_id, row["url"])
            # A photo is captured once, by the crawl that first met it: its record is still in warc/.
            assert row["photo_warc_record_id"] in (kept_records if row["photo_url"] else {None}), row["url"]
            checked += 1
    assert checked == 5 + 4 + 5  # the kept snapshots' live rows: 5 briefs, then one removed, then one new


@pytest.fixture(scope="module")
def wayback(pruned: Pruned) -> Iterator[Wayback]:
    warcs = sorted(OutputLayout.of(pruned.out).warc.glob("*.warc.gz"))
    with Wayback(build_collection(pruned.work / "pywb", warcs)) as running:
        yield running


def test_every_kept_row_replays_at_its_fetched_at_with_its_photo(pruned: Pruned, wayback: Wayback) -> None:
    photos = 0
    for crawl_id, rows in pruned.kept_rows().items():
        for row in rows:
            url = urls.fetch_url(row["url"], pruned.base_url)
            when = row["fetched_at"].strftime("%Y%m%d%H%M%S")
            page = wayback.get(wayback.url(url, when=when))
            assert page.status == 200, (crawl_id, url, page.status)
            assert memento_timestamp(page) == when, (crawl_id, url)
            assert missing_text(page, row) == [], (crawl_id, url)
            if row["photo_url"] is None:
                continue
            path = urlsplit(row["photo_url"]).path
            shown = [src for src in lxml.html.fromstring(page.body).xpath("//img/@src") if src.endswith(path)]
            image = wayback.click(urljoin(wayback.base + "/", shown[0]))
            assert image.status == 200 and image.body == jpeg_bytes(path), (crawl_id, url)
            photos += 1
    assert photos, "the replica's briefs carry photos"
