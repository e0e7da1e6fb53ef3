"""The report as files: what its pages say, that the site's text is escaped, where it may be written, and
that a report is replaced whole or not at all."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kei_crawler import commands as cli
from kei_crawler.report import templating
from kei_crawler.report.facts import Capture
from kei_crawler.report.folder import MARKER, SiteDirError
from kei_crawler.report.site import build
from kei_crawler.urls import brief_id
from tests.support.snapshots import T0, T1, brief, edit, move, write_snapshot

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
WHEN = datetime(2026, 12, 4, 19, 27, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (templating.day, date(2022, 9, 6), "6 Sep 2022"),
        (templating.day, None, ""),
        (templating.when, WHEN, "2026-12-04 19:27 UTC"),
        (templating.iso, WHEN, "2026-12-04T19:27:05+00:00"),
        (templating.iso, date(2022, 9, 6), "2022-09-06"),
        (templating.num, 6384, "6,384"),
        (templating.seconds, 4.25, "4.2 s"),
        (templating.seconds, 3725.0, "62 min 5 s"),
        (templating.seconds, None, "unknown"),
        (templating.paragraphs, "One.\n\n- a\n- b\n\n\n Two. ", ["One.", "- a\n- b", "Two."]),
        (templating.paragraphs, None, []),
        (templating.exit_meaning, 99, "not a code kei-crawler uses"),
    ],
)
def test_filters(function: object, value: object, expected: object) -> None:
    assert function(value) == expected  # type: ignore[operator]


def test_exit_meanings_lose_their_markdown() -> None:
    assert templating.exit_meaning(5).startswith("quality alert: published")


def test_diff_lines_are_classed() -> None:
    text = "--- body (before)\n+++ body (after)\n@@ -1 +1 @@\n-Old.\n+New.\n Same."
    assert [kind for kind, _ in templating.diff_lines(text)] == ["hunk", "hunk", "hunk", "del", "add", ""]


def test_links_to_warcs_and_replays(tmp_path: Path) -> None:
    warc = tmp_path / "out" / "warc"
    assert (
        templating.warc_href(warc, tmp_path / "out" / "report" / "briefs", "a b.warc.gz")
        == "../../warc/a%20b.warc.gz"
    )
    assert templating.warc_href(warc, tmp_path / "out" / "report", "../../etc/passwd") == "../warc/passwd"
    capture = Capture(WHEN, "a.warc.gz", "<r>", 0)
    url = "https://keia.org/the-peninsula/x/"
    assert templating.replay_href("http://localhost:8080/kei/", capture, url) == (
        "http://localhost:8080/kei/20261204192705/https://keia.org/the-peninsula/x/"
    )
    # a crawl of a mirror (--base-url) recorded the mirror's URL: the replay looks that up
    mirrored = Capture(WHEN, "a.warc.gz", "<r>", 0, "http://127.0.0.1:8000")
    assert templating.replay_href("http://localhost:8080/kei", mirrored, url) == (
        "http://localhost:8080/kei/20261204192705/http://127.0.0.1:8000/the-peninsula/x/"
    )


@pytest.mark.parametrize(
    ("url", "web"),
    [("https://keia.org/x/", True), ("HTTP://keia.org/", True), ("javascript:alert(1)", False),
     ("data:text/html,<b>", False), ("//evil.example/", False), (None, False)],
)  # fmt: skip
def test_only_web_urls_become_links(url: object, web: bool) -> None:
    assert templating.is_web_url(url) is web


def _archive(out: Path) -> dict[str, str]:
    """Two crawls with manifests; the second edits one brief, removes one and adds one with a hostile title."""
    a, b, c = (brief(s, warc_file=f"{s}.warc.gz", warc_record_id=f"<urn:{s}>") for s in "abc")
    write_snapshot(out, "2026-01-01T000000Z", [a, b, c])
    hostile = brief("hostile", title=HOSTILE, photo_caption=HOSTILE, first_seen=T1, published=date(2025, 6, 1),
                    photo_url="javascript:alert(1)")  # fmt: skip
    b2 = edit(b, body=b.body + "\n\nA late correction.")
    write_snapshot(out, "2026-02-01T000000Z", [hostile, a, b2, dataclasses.replace(c, removed_at=T1)])
    (out / "runs").mkdir()
    for crawl_id, new in (("2026-01-01T000000Z", 3), ("2026-02-01T000000Z", 1)):
        manifest = {"crawl_id": crawl_id, "mode": "full", "finish_reason": "finished", "published": True,
                    "exit_code": 0, "alerts": [HOSTILE], "counts": {"briefs_new": new, "requests": 9}}  # fmt: skip
        (out / "runs" / f"{crawl_id}.json").write_text(json.dumps(manifest))
    failed = {"crawl_id": "2026-03-01T000000Z", "mode": "incremental", "finish_reason": "finished",
              "published": False, "not_published_because": "the listing could not be read", "exit_code": 1,
              "counts": {"errors": [{"url": f"https://keia.org/the-peninsula/{n}/", "reason": "timeout"}
                                    for n in range(250)],
                         "drops": [{"url": "https://keia.org/the-peninsula/z/", "reason": "MissingDate",
                                    "detail": "no publication date"}]}}  # fmt: skip
    (out / "runs" / "2026-03-01T000000Z.json").write_text(json.dumps(failed))
    return {s: brief_id(f"https://keia.org/the-peninsula/{s}/") for s in ("a", "b", "c", "hostile")}


def test_the_pages_say_what_the_archive_holds(tmp_path: Path) -> None:
    ids = _archive(tmp_path / "out")
    report = build(tmp_path / "out", tmp_path / "out" / "report", replay_url="http://localhost:8080/kei/")
    site = tmp_path / "out" / "report"
    assert report.index == site / "index.html" and report.briefs == 4 and report.pages == 8
    index = (site / "index.html").read_text()
    assert '<dd id="count-live">3</dd>' in index and '<dd id="count-removed">1</dd>' in index
    assert '<dd id="count-runs">3</dd>' in index
    changed = (site / "briefs" / f"{ids['b']}.html").read_text()
    assert '<span class="add">+A late correction.</span>' in changed
    assert "Changed in crawl 2026-02-01T000000Z" in changed
    assert 'href="../../warc/b.warc.gz"' in changed and "&lt;urn:b&gt;" in changed
    assert "http://localhost:8080/kei/20260101000000/https://keia.org/the-peninsula/b/" in changed
    removed = (site / "briefs" / f"{ids['c']}.html").read_text()
    assert "Removed: the site answered that it is gone, crawl 2026-02-01T000000Z" in removed
    assert 'id="brief-status">removed<' in removed
    briefs = (site / "briefs.html").read_text()
    assert briefs.count('<tr data-status="live">') == 3 and briefs.count('<tr data-status="removed">') == 1
    runs = (site / "runs.html").read_text()
    assert runs.count('<tr id="run-') == 3
    assert "Crawl 2026-03-01T000000Z: 250 errors, 1 drops" in runs
    assert "Nothing published: the listing could not be read" in runs
    assert (
        "Errors by reason: <code>timeout</code> 250" in runs
        and "Drops by reason: <code>MissingDate</code> 1" in runs
    )
    assert "251, the first 200 shown; the manifest lists all" in runs and runs.count("<li>error") == 200
    assert "1 — the crawl published nothing" in index  # the last run's exit code
    assert (site / "static" / "report.js").is_file() and (site / "static" / "report.css").is_file()
    assert (site / MARKER).is_file()


def test_the_sites_text_is_escaped_everywhere(tmp_path: Path) -> None:
    ids = _archive(tmp_path / "out")
    build(tmp_path / "out", tmp_path / "site")
    for page in [
        *(tmp_path / "site").glob("*.html"),
        tmp_path / "site" / "briefs" / f"{ids['hostile']}.html",
    ]:
        html = page.read_text()
        assert "<script>alert" not in html and "<b>bold</b>" not in html, page.name
    hostile_page = (tmp_path / "site" / "briefs" / f"{ids['hostile']}.html").read_text()
    assert 'href="javascript:' not in hostile_page and "<dd>javascript:alert(1)</dd>" in hostile_page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in hostile_page


def test_an_earlier_report_is_replaced_whole(tmp_path: Path) -> None:
    _archive(tmp_path / "out")
    site = tmp_path / "site"
    build(tmp_path / "out", site)
    (site / "briefs" / "stale.html").write_text("from an older report")
    build(tmp_path / "out", site)
    assert not (site / "briefs" / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no temporary or old folder left


def test_a_failed_build_leaves_the_earlier_report_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _archive(tmp_path / "out")
    site = tmp_path / "site"
    build(tmp_path / "out", site)
    before = (site / "index.html").read_text()

    def broken(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kei_crawler.report.site.render", broken)
    with pytest.raises(SiteDirError, match=r"cannot write the report to .*: No space left on device"):
        build(tmp_path / "out", site)
    assert (site / "index.html").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


@pytest.mark.parametrize("kind", ["foreign folder", "file", "symlink"])
def test_a_report_never_writes_over_what_is_not_one(tmp_path: Path, kind: str) -> None:
    _archive(tmp_path / "out")
    site = tmp_path / "site"
    if kind == "foreign folder":
        site.mkdir()
        (site / "thesis.tex").write_text("mine")
    elif kind == "file":
        site.write_text("mine")
    else:
        (tmp_path / "elsewhere").mkdir()
        site.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SiteDirError):
        build(tmp_path / "out", site)
    assert kind != "foreign folder" or (site / "thesis.tex").read_text() == "mine"


def test_an_empty_folder_takes_a_report(tmp_path: Path) -> None:
    _archive(tmp_path / "out")
    (tmp_path / "site").mkdir()
    assert build(tmp_path / "out", tmp_path / "site").index.is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output", "{out}/snapshots/x"], "inside the archive of"),
        (["--output", "{out}/warc"], "inside the archive of"),
        (
            ["--output", "{tmp}/site", "--replay-url", "javascript:alert(1)"],
            "--replay-url must be an http(s) URL",
        ),
        (["--output", "{tmp}/site", "--output-dir", "{tmp}/nowhere"], "no such directory"),
        (["--output", "{tmp}/site", "--output-dir", "{tmp}/empty"], "holds no snapshot to report on"),
        (["--output", "{out}/runs/2026-01-01T000000Z.json"], "inside the archive of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    _archive(tmp_path / "out")
    (tmp_path / "empty").mkdir()
    args = [arg.format(out=tmp_path / "out", tmp=tmp_path) for arg in argv]
    if "--output-dir" not in args:
        args += ["--output-dir", str(tmp_path / "out")]
    assert cli.main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("kei-crawler: ")


def test_the_command_prints_the_index_last(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _archive(tmp_path / "out")
    assert (
        cli.main(["report", "--output-dir", str(tmp_path / "out"), "--output", str(tmp_path / "site")]) == 0
    )
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(tmp_path / "site" / "index.html")


def test_an_archive_without_manifests_still_reports(tmp_path: Path) -> None:
    """Snapshots copied from elsewhere, or runs whose manifests were removed: the charts say "no data"."""
    _archive(tmp_path / "out")
    for manifest in (tmp_path / "out" / "runs").iterdir():
        manifest.unlink()
    build(tmp_path / "out", tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text()
    assert "No run manifest" in index and '<dd id="count-runs">0</dd>' in index
    assert "crawl-briefs-bar-" not in index and "No data." in index
    assert "No run had errors, drops or alerts." in (tmp_path / "site" / "runs.html").read_text()


def test_what_a_killed_report_left_is_cleared_and_nothing_else(tmp_path: Path) -> None:
    _archive(tmp_path / "out")
    for name in (".site.tmp-abc", ".site.old-abc"):  # a report killed mid-write, or between its renames
        (tmp_path / name).mkdir()
        (tmp_path / name / MARKER).write_text("")
    (tmp_path / ".site.tmp-mine").mkdir()  # the user's, without the marker: not ours to remove
    build(tmp_path / "out", tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.tmp-mine", "out", "site"]


def test_the_charts_show_the_latest_runs_and_the_runs_page_all(tmp_path: Path) -> None:
    """A year of hourly crawls must not make the overview megabytes: the charts keep the latest runs."""
    from kei_crawler.report.figures import CHARTED_RUNS

    _archive(tmp_path / "out")
    runs = tmp_path / "out" / "runs"
    for hour in range(CHARTED_RUNS + 30):
        crawl_id = f"2026-04-{1 + hour // 24:02d}T{hour % 24:02d}0000Z"
        manifest = {
            "crawl_id": crawl_id,
            "counts": {"requests": 5, "briefs_written": 1, "fill_rates": {"title": 1}},
        }
        (runs / f"{crawl_id}.json").write_text(json.dumps(manifest))
    build(tmp_path / "out", tmp_path / "site")
    total = CHARTED_RUNS + 30 + 3
    index = (tmp_path / "site" / "index.html").read_text()
    assert index.count('id="crawl-requests-bar-0-') == CHARTED_RUNS
    assert f"The latest {CHARTED_RUNS} of {total} crawls; the runs page lists all." in index
    assert (tmp_path / "site" / "runs.html").read_text().count('<tr id="run-') == total
    health = (tmp_path / "site" / "health.html").read_text()
    assert f"The latest {CHARTED_RUNS} of {CHARTED_RUNS + 30} such crawls." in health


def test_a_moved_brief_and_a_returned_one_say_so_on_their_pages(tmp_path: Path) -> None:
    """The page a move left behind says where the brief went; a brief removed in the oldest snapshot and
    back later shows its return, not only its first sighting."""

    out = tmp_path / "out"
    m, d = brief("m"), brief("d", removed_at=T0)
    write_snapshot(out, "2026-01-01T000000Z", [m, d])
    moved = dataclasses.replace(move(m, "m-renamed"), fetched_at=T1, last_seen=T1)
    back = dataclasses.replace(d, removed_at=None, fetched_at=T1, last_seen=T1)
    write_snapshot(out, "2026-02-01T000000Z", [moved, dataclasses.replace(m, removed_at=T1), back])
    build(out, tmp_path / "site")
    pages = tmp_path / "site" / "briefs"
    old = (pages / f"{m.brief_id}.html").read_text()
    assert "Moved in crawl 2026-02-01T000000Z" in old and f'href="{moved.brief_id}.html"' in old
    assert "Moved in crawl 2026-02-01T000000Z" in (pages / f"{moved.brief_id}.html").read_text()
    assert "Back on the site in crawl 2026-02-01T000000Z" in (pages / f"{d.brief_id}.html").read_text()


def test_the_site_is_readable_by_a_web_server(tmp_path: Path) -> None:
    """Not a private temporary folder: a web server's user must read it (the umask decides, as for any folder)."""
    import os
    import stat

    _archive(tmp_path / "out")
    old = os.umask(0o022)
    try:
        build(tmp_path / "out", tmp_path / "site")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "site").stat().st_mode) == 0o755


def test_a_report_being_written_by_another_process_is_left_alone(tmp_path: Path) -> None:
    _archive(tmp_path / "out")
    running = tmp_path / ".site.tmp-other"
    running.mkdir()
    (running / MARKER).write_text("written by kei-crawler report (pid 1); replaced by the next one\n")
    build(tmp_path / "out", tmp_path / "site")
    assert running.is_dir()  # pid 1 runs: its report is still being written


def test_leftovers_beside_a_name_with_glob_characters_are_cleared(tmp_path: Path) -> None:
    _archive(tmp_path / "out")
    leftover = tmp_path / ".s[1].tmp-dead"
    leftover.mkdir()
    (leftover / MARKER).write_text(
        "written by kei-crawler report (pid 999999999); replaced by the next one\n"
    )
    build(tmp_path / "out", tmp_path / "s[1]")
    assert not leftover.exists() and (tmp_path / "s[1]" / "index.html").is_file()
