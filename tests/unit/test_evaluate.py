"""``kei-crawler evaluate``: the scoring rules table by table, then the command on a hand-made gold set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kei_crawler import commands as cli
from kei_crawler.evaluation import aggregate, boilerplate_found, score_page, token_f1
from kei_crawler.evaluation.baseline import split_authors
from kei_crawler.evaluation.scoring import PageScore, expected_values
from kei_crawler.run.outcome import ExitCode


@pytest.mark.parametrize(
    ("expected", "got", "f1"),
    [
        ("a b c", "a b c", 1.0),
        ("", "", 1.0),  # nothing expected, nothing extracted: right
        ("a", "", 0.0),
        ("", "a", 0.0),
        ("x y", "z", 0.0),
        ("Hello, World!", "hello\n\nworld", 1.0),  # punctuation, case and layout never count
        ("Korea’s trade", "korea s trade", 1.0),
        ("a b c d", "a b", 2 / 3),  # precision 1, recall 1/2
        ("a b", "a b c d", 2 / 3),  # precision 1/2, recall 1
        ("a a b", "a b b", 2 / 3),  # multiset overlap: one "a", one "b"
        ("서울 부산", "서울", 2 / 3),  # any script tokenizes
    ],
)
def test_token_f1(expected: str, got: str, f1: float) -> None:
    assert token_f1(expected, got) == pytest.approx(f1)


@pytest.mark.parametrize(
    ("body", "caption", "found"),
    [
        ("Seoul opened a depot.", None, []),
        ("Seoul opened a depot.\n\nReturn to the Peninsula", None, ["Return to the Peninsula"]),
        ("RETURN TO THE  peninsula", None, ["Return to the Peninsula"]),  # casefold, spaces collapsed
        ("Total Index: 6301 publications. Stay Informed", None, ["Total Index:", "Stay Informed"]),
        (
            "This briefing comes from Korea View, a weekly newsletter.",
            None,
            ["This briefing comes from Korea View"],
        ),
        ("Korea View was edited by Yong Kwon.", None, ["was edited by"]),
        ("Text.\n\nPhoto of the depot.", "Photo of the depot.", ["Photo of the depot."]),
        ("Text only.", "Photo of the depot.", []),
        ("Text only.", "", []),  # an empty caption is no marker: it would match everything
    ],
)
def test_boilerplate_found(body: str, caption: str | None, found: list[str]) -> None:
    assert boilerplate_found(body, caption) == found


@pytest.mark.parametrize(
    ("author", "names"),
    [
        (None, []),
        ("", []),
        ("Troy Stangarone", ["Troy Stangarone"]),
        ("Sang Kim; Yong Kwon", ["Sang Kim", "Yong Kwon"]),
        ("Kyle Ferrier, Sang Kim, and Troy Stangarone", ["Kyle Ferrier", "Sang Kim", "Troy Stangarone"]),
        ("Sang Kim and Yong Kwon", ["Sang Kim", "Yong Kwon"]),
    ],
)
def test_split_authors(author: str | None, names: list[str]) -> None:
    assert split_authors(author) == names


@pytest.mark.parametrize(
    ("expected", "values"),
    [
        ({"published_raw": "Published July 24, 2022"}, {"published": "2022-07-24"}),
        ({"published_raw": "Posted on May 4, 2016", "published": "2016-05-05"}, {"published": "2016-05-05"}),
        ({"published_raw": ""}, {"published": None}),
        ({"updated_raw": "Last updated: July 6, 2022"}, {"updated": "2022-07-06"}),
        ({"updated_raw": ""}, {"updated": None}),
        ({"updated_raw": "Updated July 3, 2023", "updated": "2023-07-04"}, {"updated": "2023-07-04"}),
        ({"title": "T", "section": "The Peninsula", "url": "u"}, {"title": "T"}),  # unscored keys dropped
        ({}, {}),
    ],
)
def test_expected_values(expected: dict[str, Any], values: dict[str, Any]) -> None:
    assert expected_values(expected) == values


GOLD = {"title": "T", "authors": ["A", "B"], "photo_caption": "Photo of X.", "body": "One two three."}


@pytest.mark.parametrize(
    ("got", "exact", "f1", "boilerplate", "missed"),
    [
        (GOLD, {"title": True, "authors": True, "photo_caption": True}, 1.0, (), []),
        ({**GOLD, "authors": ["B", "A"]}, {"title": True, "authors": False, "photo_caption": True}, 1.0, (),
         ["authors"]),  # order of names matters
        ({**GOLD, "photo_caption": None}, {"title": True, "authors": True, "photo_caption": False}, 1.0, (),
         ["photo_caption"]),
        ({"title": "T", "body": "One two three. Photo of X."}, {"title": True}, pytest.approx(2 / 3),
         ("Photo of X.",), ["body"]),  # fields the extractor does not offer are not scored
        ({"title": "T"}, {"title": True}, None, (), []),
    ],
)  # fmt: skip
def test_score_page(
    got: dict[str, Any], exact: dict[str, bool], f1: Any, boilerplate: tuple[str, ...], missed: list[str]
) -> None:
    score = score_page(GOLD, got)
    assert score.exact == exact
    assert score.body_f1 == f1
    assert score.boilerplate == boilerplate
    assert [miss.field for miss in score.misses] == missed


def test_aggregate() -> None:
    pages = [
        PageScore({"title": True, "photo_caption": True}, 1.0, ()),
        PageScore({"title": True, "photo_caption": False}, 0.5, ("Stay Informed",)),
    ]
    stats = aggregate(pages)
    assert stats["title"] is not None and (stats["title"].pages, stats["title"].exact_pct) == (2, 100.0)
    assert stats["photo_caption"] is not None and stats["photo_caption"].exact_pct == 50.0
    assert stats["series"] is None  # no page scored it: shown as n/a
    body = stats["body"]
    assert body is not None and (body.pages, body.mean_f1, body.no_boilerplate_pct) == (2, 0.75, 50.0)
    assert all(value is None for value in aggregate([]).values())


# A hand-made brief in plain semantic markup, with site chrome around it that must not reach the body.
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | KEI</title></head>
<body><div role="navigation"><a href="/">Home</a> <a href="/the-peninsula/">The Peninsula</a></div>
<main><p>The Peninsula</p><h1>{title}</h1>
<p>Published March 18, 2022</p><p>Author: Sang Kim</p><p>Category: Energy</p>
<figure><img src="/wp-content/uploads/2022/03/{slug}.jpg" alt=""><figcaption>{caption}</figcaption></figure>
<p>Seoul opened its first depot for hydrogen buses on Friday, with room for two hundred vehicles.</p>
<p>The city plans to replace its diesel fleet by 2026 and expects private fleets to follow.</p>
</main><footer><p>Return to the Peninsula</p><p>Stay Informed</p></footer></body></html>
"""
BODY = (
    "Seoul opened its first depot for hydrogen buses on Friday, with room for two hundred vehicles.\n\n"
    "The city plans to replace its diesel fleet by 2026 and expects private fleets to follow."
)


def write_page(folder: Path, slug: str, title: str, caption: str, expected_caption: str) -> None:
    (folder / slug).mkdir(parents=True)
    (folder / slug / "page.html").write_text(PAGE.format(title=title, slug=slug, caption=caption), "utf-8")
    expected = {
        "url": f"https://keia.org/the-peninsula/{slug}/",
        "title": title,
        "published_raw": "Published March 18, 2022",
        "authors": ["Sang Kim"],
        "categories": ["Energy"],
        "series": None,
        "body": BODY,
        "credits": None,
        "photo_caption": expected_caption,
        "photo_url": f"https://keia.org/wp-content/uploads/2022/03/{slug}.jpg",
    }
    (folder / slug / "expected.json").write_text(json.dumps(expected), "utf-8")


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    folder = tmp_path / "gold"
    write_page(
        folder, "depot", "Seoul opens a hydrogen bus depot", "Photo of the depot.", "Photo of the depot."
    )
    # The second page's expected caption differs from the one it shows: exactly one miss.
    write_page(folder, "fleet", "Busan renews its fleet", "Photo of a bus.", "Photo of a tram.")
    return folder


def test_evaluate_json_scores(gold: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["evaluate", str(gold), "--format", "json", "--no-baseline", "--repeat", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == 2 and report["baseline"] is None and report["baseline_note"] is None
    fields = report["ours"]["fields"]
    for name in ("title", "published", "authors", "categories", "series", "credits", "photo_url"):
        assert fields[name] == {"pages": 2, "exact_pct": 100.0}, name
    assert fields["photo_caption"] == {"pages": 2, "exact_pct": 50.0}
    assert fields["body"] == {"pages": 2, "mean_f1": 1.0, "no_boilerplate_pct": 100.0}
    assert report["ours"]["pages_per_second"] > 0
    assert report["misses"] == [
        {"page": "fleet", "field": "photo_caption", "expected": "Photo of a tram.", "got": "Photo of a bus.",
         "note": ""}
    ]  # fmt: skip


def test_evaluate_text_lists_misses(gold: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["evaluate", str(gold), "--no-baseline", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "photo_caption (exact)" in out and "50.0%" in out
    assert "fleet  photo_caption: expected 'Photo of a tram.', got 'Photo of a bus.'" in out


def test_evaluate_baseline_side_by_side(gold: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("trafilatura")
    pytest.importorskip("htmldate")
    assert cli.main(["evaluate", str(gold), "--format", "json", "--repeat", "1"]) == 0
    baseline = json.loads(capsys.readouterr().out)["baseline"]
    assert baseline["name"] == "trafilatura" and baseline["pages_per_second"] > 0
    assert baseline["fields"]["photo_caption"] is None  # trafilatura has no caption field
    assert baseline["fields"]["title"]["pages"] == 2


def test_evaluate_without_baseline_packages(
    gold: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "trafilatura", None)  # import now raises ImportError
    assert cli.main(["evaluate", str(gold), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "baseline unavailable" in out and "ours" in out


def bad_expected(folder: Path) -> Path:
    (folder / "x").mkdir(parents=True)
    (folder / "x" / "page.html").write_text("<p>x</p>", "utf-8")
    (folder / "x" / "expected.json").write_text("{not json", "utf-8")
    return folder


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "no such folder"),
        (lambda tmp: tmp, "no gold pages"),
        (bad_expected, "expected.json: unreadable"),
    ],
    ids=["missing", "empty", "bad-json"],
)
def test_evaluate_bad_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    assert cli.main(["evaluate", str(make(tmp_path))]) == ExitCode.USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1 and message in captured.err
    assert captured.err.startswith("kei-crawler: ")


def test_evaluate_repeat_must_be_positive(gold: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["evaluate", str(gold), "--repeat", "0"]) == ExitCode.USAGE
    assert "--repeat" in capsys.readouterr().err


def test_benchmarks_update_section_replaces_or_appends() -> None:
    # BENCHMARKS.md is rewritten one section at a time; the others must survive untouched.
    from benchmarks.run import begin, end, update_section

    document = f"# Benchmarks\n\n{begin('a')}\nold a\n{end('a')}\n\n{begin('b')}\nold b\n{end('b')}\n"
    updated = update_section(document, "a", "new a")
    assert f"{begin('a')}\nnew a\n{end('a')}" in updated and "old a" not in updated and "old b" in updated
    appended = update_section(updated, "c", "new c\n")
    assert appended.startswith(updated.rstrip("\n")) and appended.endswith(
        f"{begin('c')}\nnew c\n{end('c')}\n"
    )
