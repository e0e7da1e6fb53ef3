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
from datetime import datetime
from typing import Any

from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import store


@dataclass(frozen=True)
class Failure:
    """A brief a run asked for and did not get: a request that failed for good, or a dropped page."""

    kind: str
    """``error`` (the request failed) or ``drop`` (a pipeline dropped the page)."""
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
            runs.append(run_record(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, ValueError, TypeError, AttributeError) as exc:
            warn(f"passing over run manifest {path}: {_first_line(exc)}")
    return sorted(runs, key=lambda run: run.crawl_id)


def run_record(data: Mapping[str, Any]) -> RunRecord:
    """A manifest's JSON as a record; ValueError when it is not a manifest at all."""
    crawl_id = data.get("crawl_id")
    if not isinstance(crawl_id, str) or not store.is_crawl_id(crawl_id):
        raise ValueError("no crawl id")
    counts = data.get("counts") if isinstance(data.get("counts"), dict) else {}
    assert isinstance(counts, dict)
    exit_code = data.get("exit_code")
    return RunRecord(
        crawl_id=crawl_id,
        mode=str(data.get("mode") or ""),
        started_at=_time(data.get("started_at")),
        finished_at=_time(data.get("finished_at")),
        finish_reason=str(data.get("finish_reason") or ""),
        published=bool(data.get("published")),
        not_published_because=_text_or_none(data.get("not_published_because")),
        exit_code=exit_code if isinstance(exit_code, int) else None,
        alerts=[str(alert) for alert in data.get("alerts") or [] if alert],
        counts=counts,
        failures=[*_failures("error", counts.get("errors")), *_failures("drop", counts.get("drops"))],
    )


def _failures(kind: str, entries: Any) -> list[Failure]:
    if not isinstance(entries, list):
        return []
    return [
        Failure(kind, str(entry.get("url", "")), str(entry.get("reason", "")), str(entry.get("detail") or ""))
        for entry in entries
        if isinstance(entry, dict)
    ]


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _text_or_none(value: Any) -> str | None:
    return str(value) if value else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
