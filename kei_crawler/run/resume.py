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
from kei_crawler.storage.warc.parts import WARC_SUFFIX

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
    warc_enabled: bool | None = None
    """KEI_WARC_ENABLED of the interrupted run (None: a state written before it was recorded)."""
    warc_parts: dict[str, int] = field(default_factory=dict)
    """The WARC parts it kept in the job directory, by name, with their sizes: its rows point into them."""
    requisites: dict[str, str] = field(default_factory=dict)
    """The photos (and other requisites) it captured, by URL, with their record ids: Scrapy's JOBDIR
    will not request them again, and the rows spooled before the interruption link to them."""

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


def kept_warc_parts(warc_spool: Path, crawl_id: str) -> dict[str, int]:
    """The WARC parts of ``crawl_id`` an interrupted run keeps in its job directory, with their sizes."""
    if not warc_spool.is_dir():
        return {}
    return {
        p.name: p.stat().st_size for p in sorted(warc_spool.glob(f"{crawl_id}*{WARC_SUFFIX}")) if p.is_file()
    }


def warc_refusal(state: ResumeState, warc_spool: Path, warc_enabled: bool) -> str | None:
    """Why the run ``state`` describes cannot be continued with ``warc_enabled``, or None. Its rows name
    the WARC parts it kept: they are published only by a run that writes the WARC, and only if they are
    all still there — else rows would name captures that are not (or other records at their offsets)."""
    if state.warc_enabled is not None and state.warc_enabled != warc_enabled:
        return (
            f"cannot resume: the interrupted crawl ran with KEI_WARC_ENABLED={state.warc_enabled}, this one "
            f"with {warc_enabled}; resume with the same setting, or run without --resume to start afresh"
        )
    for name, size in state.warc_parts.items():
        part = warc_spool / name
        if not part.is_file() or part.is_symlink() or part.stat().st_size < size:
            return (
                f"cannot resume: the interrupted crawl's WARC {part} is missing or shorter than it left it, "
                "and its rows point into it; run without --resume to start afresh"
            )
    return None


def carried_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The counters worth carrying into the resumed run (numbers only)."""
    return {
        key: value
        for key, value in stats.items()
        if key.startswith(CARRIED_STATS) and isinstance(value, int | float) and not isinstance(value, bool)
    }
