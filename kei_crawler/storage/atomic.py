"""Every file and folder a reader may look at appears whole or not at all.

One way to write, used by every writer of the crawler (snapshot parts and snapshots, run manifests,
resume state, WARC indexes, feeds and change tables): write under a hidden temporary name beside the
target, flush it to the disk, rename it into place (atomic on one file system), and sync the folder so
that the rename survives a power cut. A failure at any step removes the temporary file and leaves the
target as it was. Folders are published the same way (``publish_dir``), and files moved between file
systems are copied under a hidden name first (``move_file``), and a symbolic link is swapped for another
with one rename (``link_atomic``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from kei_crawler.storage import failpoints


def temporary_name(target: Path) -> Path:
    """Where ``target`` is written before it is renamed into place: hidden, beside it, never matched by
    a reader's pattern (``*.json``, ``part-*.parquet``, ``*.cdxj``)."""
    return target.with_name(f".{target.name}.tmp")


@contextlib.contextmanager
def atomic_path(target: Path, *, failpoint: str | None = None) -> Iterator[Path]:
    """A temporary path to write ``target``'s content to; on a clean exit it is synced and renamed over
    ``target``. ``failpoint`` names the crash point hit once the content is written, before the rename."""
    tmp = temporary_name(target)
    try:
        yield tmp
        fsync_path(tmp)
        if failpoint:
            failpoints.hit(failpoint, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # in place already: a failed sync of the folder does not undo that
        fsync_path(target.parent)


def write_atomic(target: Path, data: bytes | str, *, failpoint: str | None = None) -> Path:
    """``data`` written to ``target`` through :func:`atomic_path`."""
    with atomic_path(target, failpoint=failpoint) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
    return target


def publish_dir(source: Path, target: Path, *, failpoint: str | None = None) -> Path:
    """Rename the finished folder ``source`` to ``target`` (one atomic rename) and sync their parent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if failpoint:
        failpoints.hit(failpoint, target)
    os.rename(source, target)
    with contextlib.suppress(OSError):  # published by the rename: a failed sync does not undo that
        fsync_path(target.parent)
    return target


def link_atomic(link: Path, points_to: str) -> Path:
    """Make ``link`` a symbolic link to ``points_to``: a new link under a hidden name, renamed over the old
    one, so a reader following ``link`` finds the old target or the new one, never nothing. The caller
    decides that whatever lies at ``link`` may be replaced (``os.replace`` will not replace a folder)."""
    tmp = temporary_name(link)
    tmp.unlink(missing_ok=True)  # a link a killed run left under the hidden name
    try:
        os.symlink(points_to, tmp)
        os.replace(tmp, link)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):
        fsync_path(link.parent)
    return link


def move_file(source: Path, target: Path) -> Path:
    """``source`` moved to ``target``: renamed, or across file systems copied under a hidden name and
    renamed, so no half copy is ever seen at ``target``."""
    try:
        os.rename(source, target)
    except OSError:
        hidden = target.with_name(f".{target.name}.part")
        try:
            shutil.copyfile(source, hidden)
            fsync_path(hidden)
            os.replace(hidden, target)
        except OSError:
            hidden.unlink(missing_ok=True)  # a full disk: no half copy left where readers look
            raise
        source.unlink()
    return target


def fsync_path(path: Path) -> None:
    """Flush a file's content, or a folder's entries, to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def os_error_line(exc: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """``[Errno 28] No space left on device: '<path>'``: the path named even when the error does not
    (pyarrow's and a buffered file's errors often leave it out)."""
    if exc.filename is not None:
        return str(exc)
    if exc.errno:  # pyarrow's "[Errno 28] Error writing bytes to file. Detail: [errno 28] No space …"
        text = f"[Errno {exc.errno}] {os.strerror(exc.errno)}"
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{text}: {os.fspath(path)!r}" if path is not None else text
