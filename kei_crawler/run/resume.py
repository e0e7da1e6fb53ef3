"""What an interrupted crawl leaves in its job directory so that ``--resume`` can go on where it stopped.

Scrapy's JOBDIR keeps the request queue and the requests already seen; this keeps the rest: the crawl
id, its mode, its counters, the briefs that failed, and what the run learned about archived briefs. It
is written only when a crawl stops cleanly (Ctrl-C, SIGTERM), which is also the only kind of stop
Scrapy's own queue survives: a job directory without it (after kill -9 or a crash) cannot be resumed,
and the crawl starts afresh. A resumed run removes it as it starts, so that a resumed run killed in turn
is not resumed again from a queue it has since consumed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kei_crawler.run.counts import Stat
from kei_crawler.storage.atomic import write_atomic

# Counters that must add up over the interrupted and the resumed part of one crawl.
CARRIED_STATS = (Stat.PREFIX, "item_dropped_reasons_count/", "item_dropped_count", "item_scraped_count")


@dataclass
class ResumeState:
    crawl_id: str
    started_at: str
    base_url: str = ""
    mode: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    listed: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    gone: dict[str, str] = field(default_factory=dict)
    known_only_pages: int = 0
    listing_read: bool = False
    """A listing page was read before the interruption: the resumed part may have none left to read."""
    listing_unreadable: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    """Requests that failed for good before the interruption: the resumed part does not ask again."""
    drops: list[dict[str, str]] = field(default_factory=list)
    """Briefs the pipelines dropped before the interruption."""

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(asdict(self), default=str), failpoint="resume.save")

    @staticmethod
    def remove(path: Path) -> None:
        path.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> ResumeState | None:
        if not path.is_file():
            return None
        return cls(**json.loads(path.read_text()))


def carried_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The counters worth carrying into the resumed run (numbers only)."""
    return {
        key: value
        for key, value in stats.items()
        if key.startswith(CARRIED_STATS) and isinstance(value, int | float) and not isinstance(value, bool)
    }
