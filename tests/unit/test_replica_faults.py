"""The replica's fault plan and fault rules, without a server (each fault served: tests/e2e/test_replica_faults.py)."""

from __future__ import annotations

import pytest

from kei_crawler.replica import Fault, FaultPlan, FaultRule, build_site
from kei_crawler.replica.__main__ import main as replica_main
from kei_crawler.replica.faults import TRANSIENT, parse_rule

SITE = build_site(30, theme="modern")
BRIEF = SITE.briefs[2].path


def test_random_faults_depend_on_seed_and_path_not_on_order() -> None:
    paths = [b.path for b in SITE.briefs]
    plan = FaultPlan(rate=0.3, seed=7)
    chosen = plan.faulty_paths(paths)
    assert 3 <= len(chosen) <= 20
    assert all(rule.fault in TRANSIENT and rule.times == 1 for rule in chosen.values())
    assert FaultPlan(rate=0.3, seed=7).faulty_paths(reversed(paths)) == chosen
    assert FaultPlan(rate=0.3, seed=8).faulty_paths(paths) != chosen
    assert "/robots.txt" not in FaultPlan(rate=1.0).faulty_paths(["/robots.txt"])
    # Each random fault is served its set number of times, then the real page.
    path = next(iter(chosen))
    assert plan.pick(path) is not None and plan.pick(path) is None


def test_permanent_share_only_touches_brief_pages() -> None:
    plan = FaultPlan(rate=1.0, seed=1, permanent_share=1.0)
    rules = plan.faulty_paths([BRIEF, "/the-peninsula/", "/the-peninsula/?post%5Bpaged%5D=2"])
    assert rules[BRIEF].times is None
    assert rules["/the-peninsula/"].times == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/robots.txt=500", ("/robots.txt", FaultRule(Fault.HTTP_500))),
        ("/a/=503:2,retry-after=1", ("/a/", FaultRule(Fault.HTTP_503, 2, "1"))),
        ("/a/=huge,param=100", ("/a/", FaultRule(Fault.HUGE, param="100"))),
    ],
)
def test_parse_rule(text: str, expected: tuple[str, FaultRule]) -> None:
    assert parse_rule(text) == expected


@pytest.mark.parametrize("text", ["robots.txt=500", "/a/=teapot", "/a/=500,colour=red", "/a/"])
def test_parse_rule_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rule(text)


def test_replica_command_rejects_a_bad_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert replica_main(["--fault", "/a/=teapot", "--port", "0"]) == 2
    assert "unknown fault 'teapot'" in capsys.readouterr().out
