"""The runs a report shows: one record per run manifest (``<output>/runs/<crawl id>.json``), oldest first.

A manifest is written for every run, published or not, so the runs are the crawl history: the snapshots
alone would leave out the runs that failed. A manifest that does not read is passed over with one warning
line rather than failing the whole report; a field it lacks reads as nothing happened.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import lost_briefs
from kei_crawler.storage.snapshot import store


@dataclass(frozen=True)
class Failure:
    """What a run asked for and did not get: a request that failed for good, or a dropped page."""

    kind: str
    """``error`` (a brief's or a listing page's request failed), ``drop`` (a pipeline dropped the page) or
    ``duplicate`` (a page dropped as the copy of a brief the snapshot holds under another URL: not lost)."""
    url: str
    reason: str
    detail: str


@dataclass(frozen=True)
class RunRecord:
    crawl_id: str
    mode: str
    started_at: datetime | None
    finished_at: datetime | None
    finish_reason: str
    published: bool
    not_published_because: str | None
    exit_code: int | None
    alerts: list[str]
    counts: Mapping[str, Any]
    failures: list[Failure] = field(default_factory=list)

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish; None when either is unknown."""
        if self.started_at is None or self.finished_at is None:
            return None
        return max((self.finished_at - self.started_at).total_seconds(), 0.0)

    def count(self, name: str) -> int:
        value = self.counts.get(name, 0)
        return value if isinstance(value, int) else 0

    def reasons(self, kind: str) -> dict[str, int]:
        """How many failures of ``kind`` (error, drop) for each reason, most frequent first."""
        found: dict[str, int] = {}
        for failure in self.failures:
            if failure.kind == kind:
                found[failure.reason] = found.get(failure.reason, 0) + 1
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))

    @property
    def errors(self) -> int:
        return sum(1 for failure in self.failures if failure.kind == "error")

    @property
    def drops(self) -> int:
        return sum(1 for failure in self.failures if failure.kind == "drop")

    @property
    def fill_rates(self) -> dict[str, float]:
        """The share of this run's fetched briefs with each field filled; empty when it fetched none (rates
        over no brief say nothing)."""
        rates = self.counts.get("fill_rates")
        if not self.count("briefs_written") or not isinstance(rates, dict):
            return {}
        return {name: float(value) for name, value in rates.items() if isinstance(value, int | float)}


def read_runs(output_dir: str | os.PathLike[str], warn: Callable[[str], None]) -> list[RunRecord]:
    """Every run manifest in ``output_dir`` that reads, oldest first."""
    folder = OutputLayout.of(output_dir).runs
    if not folder.is_dir():
        return []
    runs = []
    for path in sorted(folder.glob("*.json")):
        if not store.is_crawl_id(path.stem) or path.is_symlink() or not path.is_file():
            continue  # not a manifest the crawler wrote
        try:
            run = run_record(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError, TypeError, AttributeError) as exc:
            warn(f"passing over run manifest {path}: {store.first_line(exc)}")
            continue
        if run.crawl_id != path.stem:  # a copy under another run's name: it would count that run twice
            warn(f"passing over run manifest {path}: it is run {run.crawl_id}'s")
            continue
        runs.append(run)
    return sorted(runs, key=lambda run: run.crawl_id)


def run_record(data: Mapping[str, Any]) -> RunRecord:
    """A manifest's JSON as a record; ValueError when it is not a manifest at all."""
    crawl_id = data.get("crawl_id")
    if not isinstance(crawl_id, str) or not store.is_crawl_id(crawl_id):
        raise ValueError("no crawl id")
    counts = data.get("counts")
    if not isinstance(counts, dict):
        counts = {}
    exit_code = data.get("exit_code")
    return RunRecord(
        crawl_id=crawl_id,
        mode=str(data.get("mode") or ""),
        started_at=parse_time(data.get("started_at")),
        finished_at=parse_time(data.get("finished_at")),
        finish_reason=str(data.get("finish_reason") or ""),
        published=bool(data.get("published")),
        not_published_because=_text_or_none(data.get("not_published_because")),
        exit_code=exit_code if isinstance(exit_code, int) else None,
        alerts=[str(alert) for alert in alerts if alert]
        if isinstance(alerts := data.get("alerts"), list)
        else [],
        counts=counts,
        failures=_failures(counts),
    )


def _failures(counts: Mapping[str, Any]) -> list[Failure]:
    """The manifest's ``errors`` and ``drops``, each drop told lost or duplicate as the exit code tells it
    (``outcome.lost_briefs``)."""
    errors, drops = ([entry for entry in counts.get(name) or [] if isinstance(entry, dict)] if isinstance(
        counts.get(name), list) else [] for name in ("errors", "drops"))  # fmt: skip
    lost = {id(entry) for entry in lost_briefs({"errors": errors, "drops": drops})}
    failed = {id(entry) for entry in errors}
    return [
        Failure(
            "error" if id(entry) in failed else "drop" if id(entry) in lost else "duplicate",
            str(entry.get("url", "")), str(entry.get("reason", "")), str(entry.get("detail") or ""),
        )
        for entry in [*errors, *drops]
    ]  # fmt: skip


def parse_time(text: Any) -> datetime | None:
    """An ISO 8601 time as manifests and snapshot metadata write it (UTC when it names no zone); None when
    it is none."""
    if not isinstance(text, str):
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _text_or_none(value: Any) -> str | None:
    return str(value) if value else None
