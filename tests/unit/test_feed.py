"""`kei-crawler feed`: the change feed — valid Atom (feedparser and an XML parser read it back), entries
ordered by when the crawler saw them, one entry per event, the same bytes until something new happens."""

from __future__ import annotations

import dataclasses
import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import pytest

from kei_crawler.commands import main
from tests.support.snapshots import brief, edit, write_snapshot

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    briefs = [brief(f"brief-{n}", published=date(2025, 1, 1 + n)) for n in range(12)]
    briefs[11] = dataclasses.replace(
        briefs[11], removed_at=datetime(2026, 1, 1, tzinfo=UTC)
    )  # not in the feed
    briefs[10] = dataclasses.replace(briefs[10], updated=date(2025, 3, 1), series="Korea View", authors=[])
    briefs[9] = dataclasses.replace(
        briefs[9], title="Tariffs & <tags> — “quotes”", body="Ünïcode body. " * 80
    )
    write_snapshot(out, "2026-01-01T000000Z", briefs[:3])
    write_snapshot(out, "2026-02-01T000000Z", briefs)
    return out


def test_feed_is_valid_atom_with_the_newest_briefs(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "feed.xml"
    assert main(["feed", "--output", str(target), "--output-dir", str(archive), "--limit", "5"]) == 0
    stdout = capsys.readouterr().out
    assert stdout.strip().splitlines()[-1] == str(target)

    parsed = feedparser.parse(target.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == "https://keia.org/the-peninsula/"
    assert parsed.feed.updated == "2026-02-01T00:00:00Z"  # the crawl that found the latest entries
    slugs = [e.link.rstrip("/").rsplit("/", 1)[1] for e in parsed.entries]
    # New in the second snapshot, newest publication first among them; brief-11 came in removed.
    assert slugs == ["brief-10", "brief-9", "brief-8", "brief-7", "brief-6"]
    first, second = parsed.entries[0], parsed.entries[1]
    assert first.id == first.link == "https://keia.org/the-peninsula/brief-10/"
    assert first.published_parsed[:3] == (2025, 1, 11) and first.updated_parsed[:3] == (2026, 2, 1)
    assert [t.term for t in first.tags] == ["Economics", "Korea View"]
    assert second.title == "Tariffs & <tags> — “quotes”"
    assert second.summary.startswith("Ünïcode body.") and second.summary.endswith("…")
    assert len(second.summary) <= 401
    assert parsed.entries[2].author == "Kim Min-ji"

    root = ET.parse(target).getroot()  # a plain XML parser agrees: RFC 4287's required elements
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 5
    for entry in entries:
        for tag in ("id", "title", "link", "published", "updated", "summary"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag


def test_rewriting_the_feed_from_the_same_archive_gives_the_same_document(
    archive: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    assert main(["feed", "--output", str(first), "--output-dir", str(archive)]) == 0
    assert main(["feed", "--output", str(second), "--output-dir", str(archive)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(feedparser.parse(first.read_bytes()).entries) == 11


def test_feed_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], archive: Path) -> None:
    (tmp_path / "empty").mkdir()
    cases = [
        (["--output-dir", str(tmp_path / "empty")], "holds no snapshot"),
        (["--output-dir", str(tmp_path / "absent")], "no such directory"),
        (["--output-dir", str(archive), "--limit", "0"], "--limit must be at least 1"),
    ]
    for argv, message in cases:
        assert main(["feed", "--output", str(tmp_path / "f.xml"), *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("kei-crawler: ") and message in err and err.count("\n") == 1
    assert (
        main(["feed", "--output", str(tmp_path / "no" / "dir" / "f.xml"), "--output-dir", str(archive)]) == 2
    )
    assert "cannot write it" in capsys.readouterr().err


S1, S2, S3 = "2026-03-01T000000Z", "2026-03-02T000000Z", "2026-03-03T000000Z"


def feed_of(archive: Path, tmp_path: Path, *argv: str) -> feedparser.FeedParserDict:
    target = tmp_path / "feed.xml"
    assert main(["feed", "--output", str(target), "--output-dir", str(archive), *argv]) == 0
    parsed = feedparser.parse(target.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def test_entries_are_events_in_the_order_the_crawler_saw_them(tmp_path: Path) -> None:
    """A brief that appears late with an old publication date is at the top; an edit is an entry of its
    own, dated by the crawl that saw it; a removal too."""
    out = tmp_path / "out"
    old = [brief(f"old-{n}", published=date(2025, 6, 1 + n)) for n in range(5)]
    write_snapshot(out, S1, old)
    late = brief("late", published=date(2020, 12, 3), first_seen=datetime(2026, 3, 2, 0, 5, tzinfo=UTC))
    write_snapshot(out, S2, [*old, late])
    edited = edit(old[1], body=old[1].body.replace("Paragraph 2 says", "Paragraph two says"))
    write_snapshot(out, S3, [old[0], edited, *old[2:4], late])  # old-4 gone
    parsed = feed_of(out, tmp_path, "--limit", "4")
    ids = [e.id for e in parsed.entries]
    assert ids == [
        f"https://keia.org/the-peninsula/old-1/#changed-{S3}",
        f"https://keia.org/the-peninsula/old-4/#removed-{S3}",
        "https://keia.org/the-peninsula/late/",
        "https://keia.org/the-peninsula/old-4/",  # the first crawl's newest publication
    ]
    changed, removed, new = parsed.entries[:3]
    assert changed.title.startswith("Updated: ") and changed.updated == "2026-03-03T00:00:00Z"
    assert changed.summary == "Changed: body."
    assert (
        "-Paragraph 2 says" in changed.content[0].value and "+Paragraph two says" in changed.content[0].value
    )
    assert removed.title.startswith("Removed: ")
    assert new.updated == "2026-03-02T00:05:00Z" and new.published.startswith("2020-12-03")  # first_seen
    assert parsed.feed.updated == "2026-03-03T00:00:00Z"


def test_the_feed_changes_only_when_something_new_happened(tmp_path: Path) -> None:
    out = tmp_path / "out"
    briefs = [brief(f"b{n}") for n in range(3)]
    write_snapshot(out, S1, briefs)
    write_snapshot(out, S2, [*briefs, brief("b3")])
    before = feed_of(out, tmp_path)
    document = (tmp_path / "feed.xml").read_bytes()
    write_snapshot(out, S3, [*briefs, brief("b3")])  # a quiet crawl
    feed_of(out, tmp_path)
    assert (tmp_path / "feed.xml").read_bytes() == document
    shutil.rmtree(out / "snapshots" / f"snapshot={S3}")
    write_snapshot(out, S3, [*briefs, brief("b3"), brief("b4")])
    after = feed_of(out, tmp_path)
    assert after.entries[0].id == "https://keia.org/the-peninsula/b4/"
    assert [e.id for e in after.entries[1:]] == [e.id for e in before.entries]


def test_the_history_is_read_back_only_as_far_as_needed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged oldest snapshot is never opened while the newer pairs hold --limit events."""
    out = tmp_path / "out"
    write_snapshot(out, S1, [brief("a")])
    (out / "snapshots" / f"snapshot={S1}" / "briefs.parquet").write_bytes(b"not parquet")
    write_snapshot(out, S2, [brief("a"), brief("b")])
    write_snapshot(out, S3, [brief("a"), brief("b"), brief("c")])
    assert len(feed_of(out, tmp_path, "--limit", "1").entries) == 1
    assert capsys.readouterr().err == ""
    parsed = feed_of(out, tmp_path, "--limit", "10")  # now it must look further back, and passes it over
    assert [e.id.rsplit("/", 2)[1] for e in parsed.entries] == ["c", "b", "a"]
    assert f"passing over snapshot {S1}" in capsys.readouterr().err
