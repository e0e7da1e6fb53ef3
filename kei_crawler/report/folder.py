"""Where a report is written: SITE_DIR checked, a working folder beside it, and one rename into place.

A reader (or a web server) never sees half a report: the pages are written into ``.<name>.tmp-<random>``
next to ``SITE_DIR`` and renamed over it when all are there; the report replaced is removed after the
rename. Every folder a report makes holds the :data:`MARKER` file, naming the process that made it, and
nothing without one is ever removed: a folder the crawler did not make is never emptied.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kei_crawler.storage.atomic import fsync_path, publish_dir

MARKER = ".kei-report"
_PID = re.compile(r"\(pid (\d+)\)")


class SiteDirError(Exception):
    """SITE_DIR cannot take a report; the message is one line."""


def check_site_dir(site_dir: Path) -> None:
    """A report may be written where nothing is, into an empty folder, or over an earlier report."""
    if site_dir.is_symlink():
        raise SiteDirError(f"{site_dir} is a symbolic link; name the folder itself")
    if not site_dir.exists():
        return
    if not site_dir.is_dir():
        raise SiteDirError(f"{site_dir} is not a folder")
    if any(site_dir.iterdir()) and not (site_dir / MARKER).is_file():
        raise SiteDirError(
            f"{site_dir} holds files that are not a kei-crawler report; choose another --output"
        )


@contextmanager
def writing(site_dir: Path) -> Iterator[Path]:
    """A new, marked working folder beside ``site_dir`` to write the report into; renamed over
    ``site_dir`` when the block ends, removed if it raises. A failure to write is a SiteDirError."""
    site_dir = site_dir.absolute()
    try:
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(site_dir)
        # mkdir, not mkdtemp: the folder becomes the site, and a web server must read it (mkdtemp's is 0700)
        work = site_dir.parent / f".{site_dir.name}.tmp-{secrets.token_hex(6)}"
        work.mkdir()
    except OSError as exc:
        raise SiteDirError(f"cannot write the report beside {site_dir}: {exc.strerror or exc}") from exc
    try:
        (work / MARKER).write_text(
            f"written by kei-crawler report (pid {os.getpid()}); replaced by the next one\n"
        )
        yield work
        fsync_path(work)
        _swap(work, site_dir)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise SiteDirError(f"cannot write the report to {site_dir}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _remove_leftovers(site_dir: Path) -> None:
    """The folders a report killed while it wrote (or between its two renames) left beside ``site_dir``:
    only those holding a report's marker, and not one a report still running is writing."""
    name = glob.escape(site_dir.name)
    for pattern in (f".{name}.tmp-*", f".{name}.old-*"):
        for leftover in site_dir.parent.glob(pattern):
            if not leftover.is_symlink() and (leftover / MARKER).is_file() and not _writer_alive(leftover):
                shutil.rmtree(leftover, ignore_errors=True)


def _writer_alive(folder: Path) -> bool:
    """Whether the process its marker names is still running (then it is another report's, being written)."""
    found = _PID.search((folder / MARKER).read_text(errors="replace"))
    if not found or int(found[1]) == os.getpid():
        return False
    try:
        os.kill(int(found[1]), 0)
    except ProcessLookupError:
        return False
    except OSError:  # it runs, as another user
        return True
    return True


def _swap(work: Path, site_dir: Path) -> None:
    """Put the finished report at ``site_dir``, removing the report it replaces (after the rename, so a
    reader always finds one whole report)."""
    old = work.with_name(work.name.replace(".tmp-", ".old-", 1))
    if site_dir.exists():
        os.rename(site_dir, old)
    publish_dir(work, site_dir)
    if (old / MARKER).is_file():
        shutil.rmtree(old)
    else:  # it was an empty folder of the user's
        with contextlib.suppress(FileNotFoundError):
            old.rmdir()
