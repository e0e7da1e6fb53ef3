"""What an interrupted crawl leaves in its job directory so that ``--resume`` can go on where it stopped.

Scrapy's JOBDIR keeps the request queue and the requests already seen; this keeps the rest: the crawl
id, the counters, and what the run learned about archived briefs. It is written only when a crawl
stops cleanly (Ctrl-C, SIGTERM), which is also the only kind of stop Scrapy's own queue survives: a
job directory without it (after kill -9 or a crash) cannot be resumed, and the crawl starts afresh. A
resumed run removes it as it starts, so that a resumed run killed in turn is not resumed again from a
queue it has since consumed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kei_crawler.storage import failpoints

RESUME_FILE = "kei-resume.json"
SPOOL_DIR = "kei-spool"
# Counters that must add up over the interrupted and the resumed part of one crawl, and the lists of
# briefs that failed (kei/error_list, kei/drop_list): the resumed part does not request those again.
CARRIED_STATS = ("kei/", "item_dropped_reasons_count/", "item_dropped_count", "item_scraped_count")


@dataclass
class ResumeState:
    crawl_id: str
    started_at: str
    base_url: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    listed: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    gone: dict[str, str] = field(default_factory=dict)
    known_only_pages: int = 0

    def save(self, jobdir: str | os.PathLike[str]) -> None:
        path = Path(jobdir) / RESUME_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), default=str))
        failpoints.hit("resume.save", tmp)
        os.replace(tmp, path)

    @staticmethod
    def remove(jobdir: str | os.PathLike[str]) -> None:
        (Path(jobdir) / RESUME_FILE).unlink(missing_ok=True)

    @classmethod
    def load(cls, jobdir: str | os.PathLike[str]) -> ResumeState | None:
        path = Path(jobdir) / RESUME_FILE
        if not path.is_file():
            return None
        return cls(**json.loads(path.read_text()))


def carried_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The counters worth carrying into the resumed run (JSON-safe values only)."""
    return {
        key: value
        for key, value in stats.items()
        if key.startswith(CARRIED_STATS) and isinstance(value, int | float | str | list)
    }
