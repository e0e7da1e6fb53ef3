"""How a run ended: what its components recorded (``RunOutcome``) and the exit code that tells a scheduler.

The exit codes are documented here once: the README's table and ``kei-crawler crawl --help`` are made
from :data:`EXIT_CODES` (a test holds the README equal to it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    NOT_PUBLISHED = 1
    USAGE = 2
    ABORTED = 3
    LOCKED = 4
    QUALITY_ALERT = 5
    NOTHING_NEW = 6
    WITH_ERRORS = 7
    NOT_NOTIFIED = 8


EXIT_CODES: dict[ExitCode, str] = {
    ExitCode.OK: "the crawl finished and its snapshot is published, with new, changed or removed briefs "
    "(or it is the first)",
    ExitCode.NOT_PUBLISHED: "the crawl published nothing: the listing could not be read, robots.txt "
    "unreachable, no briefs, or the WARC or snapshot could not be written (a full disk stops the crawl at "
    "once, close reason `write_failed`); the reason is one line on stderr and in the run manifest",
    ExitCode.USAGE: "bad arguments, settings or input (a malformed `--base-url`, an unwritable "
    "`--output-dir`, `-s` without `=`, a setting of the wrong type); nothing was crawled",
    ExitCode.ABORTED: "the crawl was interrupted (Ctrl-C, SIGTERM); nothing published, earlier snapshots "
    "untouched; `--resume` continues it",
    ExitCode.LOCKED: "another run holds the output directory (a lock); this one did nothing",
    ExitCode.QUALITY_ALERT: "**quality alert**: published, but a field's extraction looks broken (e.g. "
    "captions on 90% of briefs before, 5% now; bodies twice as long): the site was probably redesigned",
    ExitCode.NOTHING_NEW: "published, but no brief was new, changed or removed since the previous snapshot, "
    "whatever the mode (the usual incremental run)",
    ExitCode.WITH_ERRORS: "**published, with errors**: some briefs could not be captured (a request failed "
    "for good, or a page was dropped) or, for `reextract`, recovered (a WARC cut short, damaged or missing: "
    "one line each on stderr); the summary and the run manifest's `errors` and `drops` name them, and "
    "archived ones keep their previous rows",
    ExitCode.NOT_NOTIFIED: "published, but a notification (`--notify`, `KEI_NOTIFY_URLS`) failed: one line on "
    "stderr names it; the next `notify` sends it again",
}
"""What each exit code of ``kei-crawler crawl`` means (``reextract`` uses 0, 1, 2, 4 and 7 the same way).

When several apply, the first of :data:`PRECEDENCE` is the exit code: an interrupted run published
nothing, whatever else it met; a quality alert puts the whole snapshot in doubt, lost briefs only some of
it; and a run that lost a brief must not pass for one with nothing new."""

PRECEDENCE = (
    ExitCode.ABORTED,
    ExitCode.NOT_PUBLISHED,
    ExitCode.QUALITY_ALERT,
    ExitCode.WITH_ERRORS,
    ExitCode.NOT_NOTIFIED,
    ExitCode.NOTHING_NEW,
    ExitCode.OK,
)
"""The order in which the exit codes of a crawl that ran are chosen (LOCKED and USAGE stop it before)."""


def exit_code_help() -> str:
    """The exit codes as plain text, for ``--help``."""
    lines = ["exit codes:"]
    for code, meaning in EXIT_CODES.items():
        plain = meaning.replace("**", "").replace("`", "")
        lines.append(f"  {code.value}  {plain}")
    return "\n".join(lines)


PUBLISHED = (
    ExitCode.OK,
    ExitCode.QUALITY_ALERT,
    ExitCode.NOTHING_NEW,
    ExitCode.WITH_ERRORS,
    ExitCode.NOT_NOTIFIED,
)
"""The exit codes of a run that published a snapshot."""

FINISHED = "finished"
"""Scrapy's close reason for a crawl that ran to its end: the only one that publishes."""

WRITE_FAILED = "write_failed"
"""The close reason of a crawl that stopped itself because its output could not be written (a full disk):
fetching on would only download pages it cannot keep. It exits NOT_PUBLISHED, not ABORTED, and leaves
nothing to resume."""


@dataclass
class RunOutcome:
    """What the run's components recorded as it ended; read by the manifest, the summary and the exit code.

    Each field has one writer: the spider (``listing_*``), the WARC writer (``warc_*``), the
    snapshot writer (``snapshot_path``, ``not_published_because``, ``alerts``), the manifest
    (``manifest_*``) and the run owner (``finish_reason``)."""

    finish_reason: str = ""
    listing_read: bool = False
    """A listing page was read: without one, nothing is known about the site and nothing is published."""
    listing_unreadable: str | None = None
    """Why the listing could not be read (robots.txt unreachable, page 1 failed or lists nothing)."""
    warc_failed: str | None = None
    """Why the WARC could not be written or published; the snapshot then is not published either."""
    warc_files: list[Path] = field(default_factory=list)
    snapshot_path: Path | None = None
    not_published_because: str | None = None
    alerts: list[str] = field(default_factory=list)
    manifest_path: Path | None = None
    manifest_failed: str | None = None

    @property
    def published(self) -> bool:
        return self.snapshot_path is not None

    @property
    def finished(self) -> bool:
        """The crawl ran to its end, or stopped itself because its output could not be written: either
        way there is nothing to resume."""
        return self.finish_reason in (FINISHED, WRITE_FAILED)


def nothing_new(counts: dict[str, Any], *, previous: bool) -> bool:
    """A published run that found no brief new, changed or removed since the ``previous`` snapshot,
    whatever its mode (a full crawl carries nothing forward, yet may find nothing new). A first crawl,
    with no previous snapshot, always found something."""
    return previous and not (counts["briefs_new"] or counts["briefs_changed"] or counts["briefs_removed"])


def lost_briefs(counts: dict[str, Any]) -> list[dict[str, str]]:
    """The briefs a run could not capture: every request that failed for good, and every dropped page
    except a duplicate, whose content the snapshot holds under the URL named in its ``kept_as``."""
    dropped = [drop for drop in counts["drops"] if not drop.get("kept_as")]
    return [*counts["errors"], *dropped]


def exit_code(outcome: RunOutcome, counts: dict[str, Any], *, previous: bool) -> ExitCode:
    """The exit code of a crawl that ran (a locked or refused one never gets this far), the first of
    :data:`PRECEDENCE` that applies; ``previous``: the run had a previous snapshot to compare with."""
    applies = {
        ExitCode.ABORTED: not outcome.finished,
        ExitCode.NOT_PUBLISHED: not outcome.published,
        ExitCode.QUALITY_ALERT: bool(outcome.alerts),
        ExitCode.WITH_ERRORS: bool(lost_briefs(counts)),
        ExitCode.NOT_NOTIFIED: False,  # notifications are sent after the run: with_notifications
        ExitCode.NOTHING_NEW: nothing_new(counts, previous=previous),
        ExitCode.OK: True,
    }
    return next(code for code in PRECEDENCE if applies[code])


def with_notifications(code: ExitCode, failed: bool) -> ExitCode:
    """A published crawl's exit code once its notifications were sent: NOT_NOTIFIED when one ``failed``
    and nothing earlier in :data:`PRECEDENCE` applies (the run manifest, written before, keeps ``code``)."""
    if failed and code in PUBLISHED and PRECEDENCE.index(ExitCode.NOT_NOTIFIED) < PRECEDENCE.index(code):
        return ExitCode.NOT_NOTIFIED
    return code
