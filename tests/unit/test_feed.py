"""`kei-crawler feed`: a valid Atom feed of the newest briefs, read back by feedparser and an XML parser."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import pytest

from kei_crawler.commands import main
from tests.support.snapshots import brief, write_snapshot

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
    assert parsed.feed.updated == "2025-03-01T00:00:00Z"  # the newest entry's update
    slugs = [e.link.rstrip("/").rsplit("/", 1)[1] for e in parsed.entries]
    assert slugs == ["brief-10", "brief-9", "brief-8", "brief-7", "brief-6"]  # brief-11 was removed
    first, second = parsed.entries[0], parsed.entries[1]
    assert first.id == first.link == "https://keia.org/the-peninsula/brief-10/"
    assert first.published_parsed[:3] == (2025, 1, 11) and first.updated_parsed[:3] == (2025, 3, 1)
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
