"""Warnings a command prints beside its answer: one line each on stderr, so stdout stays the answer."""

from __future__ import annotations

import os
import sys

from kei_crawler.storage.snapshot import store


def warn(line: str) -> None:
    print(f"kei-crawler: warning: {line}", file=sys.stderr)


def warn_ignored_entries(output_dir: str | os.PathLike[str]) -> None:
    """Name what ``snapshots/`` holds that is not a snapshot (a ``snapshot=latest`` link, another name)."""
    for line in store.scan(output_dir).ignored:
        warn(line)
