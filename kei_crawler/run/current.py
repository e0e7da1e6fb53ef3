"""The current archive by name, moved on after each publish: ``<output>/latest``, a relative symbolic link
to the newest snapshot's folder, and ``<output>/kei.duckdb``, the DuckDB views over the snapshots.

Both are conveniences beside the snapshots, which stay the archive's truth: one that cannot be made is a
warning, never a failed run. Each is swapped whole (a new link or database under a hidden name, renamed
over the old one), so a reader finds the previous one or the new one. Neither replaces what kei-crawler
did not make: a file, folder or foreign link at ``latest``, or a ``kei.duckdb`` without kei-crawler's
marker table, is left where it is, with a warning.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kei_crawler.run.layout import FILE, SYMLINK, OutputLayout, kind_of
from kei_crawler.storage.atomic import atomic_path, link_atomic
from kei_crawler.storage.snapshot import store, views

logger = logging.getLogger(__name__)


def latest_target(crawl_id: str) -> str:
    """What ``latest`` points to: relative, so the link survives moving the output directory."""
    return f"{store.SNAPSHOTS}/{store.PREFIX}{store.plain_name(crawl_id)}"


def latest_is_ours(link: Path) -> bool:
    """True when ``link`` is a symbolic link of the form kei-crawler makes (a dangling one included)."""
    if kind_of(link) != SYMLINK:
        return False
    target = os.readlink(link)
    prefix = latest_target(store.EXAMPLE_CRAWL_ID).removesuffix(store.EXAMPLE_CRAWL_ID)
    return target.startswith(prefix) and store.is_crawl_id(target.removeprefix(prefix))


def update(layout: OutputLayout, *, views_database: bool) -> None:
    """Point ``latest`` at the newest snapshot and rebuild the views (``views_database``: when duckdb is
    installed); each failure is one warning."""
    newest = store.latest(layout.root)
    if newest is None:
        return
    for what, step in (("latest", point_latest), ("views", rebuild_views)):
        if what == "views" and not (views_database and views.available()):
            continue
        try:
            why_not = step(layout, newest.crawl_id)
        except Exception as exc:  # duckdb.Error, OSError: the snapshot is published all the same
            why_not = f"{type(exc).__name__}: {exc}".splitlines()[0]
        if why_not:
            logger.warning("Not updating %s: %s", what, why_not)


def point_latest(layout: OutputLayout, crawl_id: str) -> str | None:
    link = layout.latest
    kind = kind_of(link)
    if kind is not None and not latest_is_ours(link):
        return f"{link} is {kind} kei-crawler did not make; leaving it as it is"
    link_atomic(link, latest_target(crawl_id))
    return None


def rebuild_views(layout: OutputLayout, crawl_id: str) -> str | None:
    database = layout.views_database
    kind = kind_of(database)
    if kind is not None and kind != FILE:
        return f"{database} is {kind}, not kei-crawler's views database; leaving it as it is"
    if kind is not None and not views.made_here(database):
        return (
            f"{database} is not kei-crawler's views database, or is open for writing; leaving it as it is "
            "(remove it, and the next publish writes the views there)"
        )
    with atomic_path(database) as tmp:
        wal = tmp.with_name(tmp.name + ".wal")
        try:
            for leftover in (tmp, wal):  # what a killed run left
                leftover.unlink(missing_ok=True)
            views.build(tmp, layout.root, crawl_id)
        finally:
            wal.unlink(missing_ok=True)  # checkpointed into the file when the build went well
    return None
