"""Which exit code a crawl that ran ends with: the rules of run/outcome.py on recorded outcomes and counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kei_crawler.pipelines.dedupe import DedupePipeline, DuplicateContent, DuplicateUrl
from kei_crawler.pipelines.drops import drop_entry
from kei_crawler.run.counts import run_counts
from kei_crawler.run.outcome import EXIT_CODES, PRECEDENCE, ExitCode, RunOutcome, exit_code

ERROR = {"kind": "brief", "url": "https://keia.org/the-peninsula/a/", "reason": "http_500", "detail": ""}
DROP = {"kind": "brief", "url": "https://keia.org/the-peninsula/b/", "reason": "MissingDate", "detail": "x"}


def counts(**values: Any) -> dict[str, Any]:
    base = run_counts({})
    base.update(values)
    return base


@pytest.fixture
def outcome(tmp_path: Any) -> RunOutcome:
    return RunOutcome(finish_reason="finished", listing_read=True, snapshot_path=tmp_path / "briefs.parquet")


def test_a_full_crawl_that_refetched_everything_unchanged_found_nothing_new(outcome: RunOutcome) -> None:
    full = counts(briefs_written=25, briefs_unchanged=25, briefs_carried=0, snapshot_rows=25)
    assert exit_code(outcome, full, previous=True) == ExitCode.NOTHING_NEW


def test_the_first_crawl_found_something(outcome: RunOutcome) -> None:
    first = counts(briefs_written=25, briefs_new=0, snapshot_rows=25)
    assert exit_code(outcome, first, previous=False) == ExitCode.OK


@pytest.mark.parametrize("key", ["briefs_new", "briefs_changed", "briefs_removed"])
def test_anything_new_changed_or_removed_is_ok(outcome: RunOutcome, key: str) -> None:
    assert exit_code(outcome, counts(**{key: 1}), previous=True) == ExitCode.OK


@pytest.mark.parametrize("lost", [{"errors": [ERROR]}, {"drops": [DROP]}], ids=["error", "drop"])
@pytest.mark.parametrize("new", [0, 3])
def test_a_lost_brief_is_published_with_errors(outcome: RunOutcome, lost: dict[str, Any], new: int) -> None:
    assert exit_code(outcome, counts(briefs_new=new, **lost), previous=True) == ExitCode.WITH_ERRORS


def test_a_quality_alert_comes_before_lost_briefs(outcome: RunOutcome) -> None:
    outcome.alerts = ["photo_caption filled on 0% of 40 fetched briefs"]
    assert exit_code(outcome, counts(errors=[ERROR]), previous=True) == ExitCode.QUALITY_ALERT


def test_unpublished_and_interrupted_runs_come_before_lost_briefs(outcome: RunOutcome) -> None:
    lost = counts(errors=[ERROR])
    outcome.snapshot_path = None
    assert exit_code(outcome, lost, previous=True) == ExitCode.NOT_PUBLISHED
    outcome.finish_reason = "shutdown"
    assert exit_code(outcome, lost, previous=True) == ExitCode.ABORTED


def test_a_duplicate_is_not_a_lost_brief(outcome: RunOutcome) -> None:
    """A duplicate's content is a row of the snapshot: its drop names the row it is kept as."""
    dedupe = DedupePipeline()
    first = {"url": "https://keia.org/the-peninsula/a/", "content_hash": "h"}
    dedupe.process_item(dict(first))
    drops = []
    for item, kind in (
        (dict(first), DuplicateUrl),
        ({"url": "https://keia.org/the-peninsula/a-copy/", "content_hash": "h"}, DuplicateContent),
    ):
        with pytest.raises(kind) as raised:
            dedupe.process_item(item)
        drops.append(drop_entry(item, raised.value))
    assert [d["kept_as"] for d in drops] == [first["url"]] * 2
    assert exit_code(outcome, counts(drops=drops), previous=True) == ExitCode.NOTHING_NEW


def test_every_exit_code_of_a_crawl_that_ran_has_its_place_in_the_precedence() -> None:
    assert set(PRECEDENCE) == set(EXIT_CODES) - {ExitCode.USAGE, ExitCode.LOCKED}
    assert len(PRECEDENCE) == len(set(PRECEDENCE))


def test_the_readme_states_the_precedence() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    order = ", ".join(str(int(code)) for code in PRECEDENCE)
    assert f"the first of {order} is the exit code" in " ".join(readme.split())
