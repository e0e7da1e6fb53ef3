"""The hostile-user harness (``benchmarks.attacks``), small: one attack from each group of the catalogue
is met on a real archive, and the judge catches what it is there to catch — a wrong exit code, several
lines for one refusal, a write outside the output directory, a published file changed, a traceback. The
full catalogue runs in ``make reliability``."""

from __future__ import annotations

from pathlib import Path

from benchmarks.attack_list import ATTACKS, GROUPS, USAGE
from benchmarks.attacks import Attack, Scene, fingerprint, judge, run_all

FIRST_OF_EACH_GROUP = [next(a for a in ATTACKS if a.group == group) for group in GROUPS]


def test_one_attack_of_each_group_is_met_and_a_wrong_expectation_is_not() -> None:
    wrong_code = Attack("a bad setting said to publish", lambda s: s.crawl("-s", "CONCURRENT_REQUESTS=abc"),
                        frozenset({0}))  # fmt: skip
    writes_outside = Attack(
        "a diff told to write outside",
        lambda s: ["diff", "--output-dir", str(s.out), "--output", str(s.outside / "changes.csv")],
        frozenset({0, 1}),
    )
    verdicts = run_all([*FIRST_OF_EACH_GROUP, wrong_code, writes_outside], briefs=12)
    met = verdicts[: len(FIRST_OF_EACH_GROUP)]
    assert [(v.attack, v.problems) for v in met if not v.passed] == []
    assert verdicts[-2].problems == ["exit 2, expected one of [0]"]
    assert verdicts[-1].problems == ["something outside the output directory changed"]


def _scene(tmp_path: Path) -> tuple[Scene, Path]:
    out, outside = tmp_path / "out", tmp_path / "outside"
    published = out / "snapshots" / "snapshot=2026-01-01T000000Z" / "briefs.parquet"
    published.parent.mkdir(parents=True)
    published.write_bytes(b"PAR1 rows PAR1")
    outside.mkdir()
    (outside / "victim.txt").write_text("precious\n")
    return Scene("http://127.0.0.1:9", tmp_path, out, outside), published


def test_the_judge_names_each_thing_that_went_wrong(tmp_path: Path) -> None:
    scene, published = _scene(tmp_path)
    refused = Attack("refused", lambda s: [], USAGE)
    before, outside = {published: published.read_bytes()}, fingerprint(scene.outside)
    assert judge(refused, scene, 2, "kei-crawler: bad value\n", outside, before) == []
    assert judge(refused, scene, 2, "kei-crawler: warning: did you mean X\nkei-crawler: bad\n", outside,
                 before) == []  # fmt: skip

    assert judge(refused, scene, 2, "kei-crawler: one\nkei-crawler: two\n", outside, before) == [
        "exit 2 with 2 lines on stderr, not one"
    ]
    assert judge(refused, scene, 2, "Traceback (most recent call last):\n", outside, before) == [
        "traceback on stderr"
    ]
    assert judge(refused, scene, 3, "kei-crawler: interrupted\n", outside, before) == [
        "exit 3, expected one of [2]"
    ]
    (scene.outside / "victim.txt").write_text("overwritten\n")
    published.write_bytes(b"changed")
    assert judge(refused, scene, 2, "kei-crawler: bad\n", outside, before) == [
        "something outside the output directory changed",
        "published file changed or gone: briefs.parquet",
    ]
