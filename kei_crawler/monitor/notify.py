"""Notifications: to each Apprise target, what changed since the last snapshot it was told about.

Each target has a cursor (``run/cursors.py``) named from a hash of its URL, so no secret in the URL is
written in clear; the cursor keeps the URL only as Apprise renders it with privacy. What a target is sent
is one diff, from its cursor's snapshot to the newest: every snapshot holds the whole archive, so that one
diff spans however many crawls ran in between, and nothing is announced twice or skipped. A target with
no cursor yet starts from the oldest snapshot: the first crawl's briefs are the archive, not news.

The cursor moves only after a delivery succeeded; a failed one leaves it where it was, so the next run
sends the same changes again with whatever came since. Two runs at once take turns on a lock of their own
(never the crawl's, which a crawl holds for hours), so none sends what the other is sending.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kei_crawler.monitor import messages
from kei_crawler.monitor.sources import Source
from kei_crawler.run import cursors
from kei_crawler.run.layout import FOLDER, OutputLayout, kind_of
from kei_crawler.run.lock import OutputLock
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.diff import diff_files

if TYPE_CHECKING:
    import apprise

LOCK_FILE = ".notify.lock"
LOCK_WAIT = 60.0
"""Seconds a run waits for another to finish sending: deliveries take seconds, a crawl's lock hours."""
SENT, NOTHING_NEW, FAILED, DRY_RUN = "sent", "nothing new", "failed", "dry run"


class NotifyError(Exception):
    """A target or an archive that notifications cannot use, as one line."""


class NotifyLocked(NotifyError):
    """Another ``notify`` kept its lock on this archive past :data:`LOCK_WAIT`."""


@dataclass(frozen=True)
class Target:
    url: str
    plugin: Any
    """Apprise's ``NotifyBase`` for the URL: the service, parsed once."""

    @property
    def name(self) -> str:
        return cursor_name(self.url)

    @property
    def shown(self) -> str:
        """The URL as Apprise renders it with privacy (passwords and tokens hidden), without the query of
        Apprise's own defaults that it appends, which would only lengthen every line."""
        return str(self.plugin.url(privacy=True)).partition("?")[0]


def cursor_name(url: str) -> str:
    """A target's cursor: from a hash of its URL, so the file name tells nothing the URL keeps secret."""
    return "notify-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def targets(urls: list[str]) -> list[Target]:
    """Each distinct URL as a target; NotifyError names one Apprise does not know, by its scheme only."""
    import apprise  # here, not above: importing it takes most of a second, which no other command needs

    found: list[Target] = []
    for url in dict.fromkeys(url.strip() for url in urls if url.strip()):
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            scheme = url.partition("://")[0] if "://" in url else url[:0]
            named = f"{scheme}://…" if scheme else "a URL without a scheme"
            raise NotifyError(
                f"not a notification URL Apprise knows: {named} (see https://github.com/caronc/apprise/wiki)"
            )
        found.append(Target(url, plugin))
    return found


@dataclass(frozen=True)
class Delivery:
    target: str
    """The target as shown: redacted."""
    status: str
    old: str
    new: str
    message: messages.Message | None = None
    error: str = ""

    @property
    def line(self) -> str:
        span = f"{self.old} → {self.new}"
        if self.status == FAILED:
            return f"notification to {self.target} failed ({span}: {self.error}); it is sent again next time"
        if self.status == NOTHING_NEW:
            return f"{self.target}: nothing new since {self.old}"
        assert self.message is not None
        return f"{self.target}: {self.status} — {self.message.title.partition(': ')[2]} ({span})"


def body_for(target: Target, message: messages.Message) -> tuple[str, apprise.NotifyFormat]:
    """Markdown for a service that renders markdown or HTML (Apprise converts it), text for the others."""
    import apprise

    declared = target.plugin.notify_format
    kinds = set(declared) if isinstance(declared, tuple | list) else {declared}
    if kinds & {apprise.NotifyFormat.MARKDOWN, apprise.NotifyFormat.HTML}:
        return message.markdown, apprise.NotifyFormat.MARKDOWN
    return message.text, apprise.NotifyFormat.TEXT


def deliver(target: Target, message: messages.Message) -> str:
    """Send ``message``; "" when the service took it, else why not, as one line."""
    import apprise

    body, body_format = body_for(target, message)
    # Apprise's reason becomes our one line; passed on to the crawl's log handlers it would be said twice.
    logger: logging.Logger = apprise.logger
    propagates, logger.propagate = logger.propagate, False
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
            sent = target.plugin.notify(body=body, title=message.title, body_format=body_format)
    finally:
        logger.propagate = propagates
    if sent:
        return ""
    said = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    return said[-1] if said else "the service did not take it"


@contextmanager
def taking_turns(layout: OutputLayout, wait: float = LOCK_WAIT) -> Iterator[None]:
    where = cursors.folder(layout)
    kind = kind_of(where)
    if kind not in (None, FOLDER):  # a link would have the lock file made wherever it leads
        raise NotifyError(f"{where} is {kind}, where kei-crawler keeps its cursors; move it out of the way")
    lock = OutputLock(where / LOCK_FILE)
    deadline = time.monotonic() + wait
    try:
        while not lock.acquire():
            if time.monotonic() >= deadline:
                raise NotifyLocked(f"another notify has held {lock.path} for {wait:g}s ({lock.holder()})")
            time.sleep(0.2)
    except OSError as exc:
        raise NotifyError(f"cannot take {lock.path} ({exc.strerror or exc})") from exc
    try:
        yield
    finally:
        lock.release()


def baseline(
    cursor: cursors.Cursor | None, shown: str, refs: list[store.SnapshotRef], warn: Callable[[str], None]
) -> store.SnapshotRef:
    """The snapshot a target was last told about: its cursor's, or the oldest when it has none. A
    cursor's snapshot that is gone gives the last one before it (sending some twice, skipping nothing)."""
    if cursor is None:
        return refs[0]
    for ref in reversed(refs):
        if ref.crawl_id <= cursor.crawl_id:
            if ref.crawl_id != cursor.crawl_id:
                warn(f"{shown}: snapshot {cursor.crawl_id} is gone; telling what came since {ref.crawl_id}")
            return ref
    warn(
        f"{shown}: snapshot {cursor.crawl_id} is gone; telling what came since the oldest, {refs[0].crawl_id}"
    )
    return refs[0]


def notify_target(
    layout: OutputLayout,
    target: Target,
    refs: list[store.SnapshotRef],
    *,
    limit: int,
    dry_run: bool,
    warn: Callable[[str], None],
    send: Callable[[Target, messages.Message], str] = deliver,
) -> Delivery:
    newest = refs[-1]
    cursor = cursors.read(layout, target.name)
    old = baseline(cursor, target.shown, refs, warn)
    moved = {"target": target.shown}
    if old.crawl_id >= newest.crawl_id:
        return Delivery(target.shown, NOTHING_NEW, old.crawl_id, newest.crawl_id)
    changes = diff_files(old.path, newest.path)
    if changes.empty:
        if not dry_run:  # quiet crawls: nothing to tell, and nothing before newest left to tell later
            cursors.write(layout, target.name, newest.crawl_id, moved)
        return Delivery(target.shown, NOTHING_NEW, old.crawl_id, newest.crawl_id)
    message = messages.build(
        changes, Source(old.crawl_id, old.path), Source(newest.crawl_id, newest.path), limit
    )
    if dry_run:
        return Delivery(target.shown, DRY_RUN, old.crawl_id, newest.crawl_id, message)
    error = send(target, message)
    if error:
        failure = {"failed_at": datetime.now(UTC).isoformat(timespec="seconds"), "error": error,
                   "unsent": f"{old.crawl_id} → {newest.crawl_id}"}  # fmt: skip
        stays = cursor.crawl_id if cursor is not None else old.crawl_id
        cursors.write(layout, target.name, stays, {**moved, "last_failure": failure})
        return Delivery(target.shown, FAILED, old.crawl_id, newest.crawl_id, message, error)
    cursors.write(layout, target.name, newest.crawl_id, moved)
    return Delivery(target.shown, SENT, old.crawl_id, newest.crawl_id, message)


def notify(
    output_dir: str | Path,
    chosen: list[Target],
    *,
    limit: int = messages.DEFAULT_LIMIT,
    dry_run: bool = False,
    warn: Callable[[str], None] = lambda line: None,
    send: Callable[[Target, messages.Message], str] = deliver,
) -> list[Delivery]:
    """One delivery per target, in the order given; NotifyError when the archive holds no snapshot."""
    layout = OutputLayout.of(output_dir)
    found = store.scan(output_dir)
    for line in found.ignored:
        warn(line)
    if not found.refs:
        raise NotifyError(f"{output_dir} holds no snapshot; run a crawl first")

    def each() -> list[Delivery]:
        return [
            notify_target(layout, target, found.refs, limit=limit, dry_run=dry_run, warn=warn, send=send)
            for target in chosen
        ]

    if dry_run:  # moves nothing, so it need not wait for a run that does
        return each()
    with taking_turns(layout):
        return each()
