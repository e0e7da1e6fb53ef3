"""The paths a user names on the command line, checked before anything is read or written.

Each check turns what the file system says (no such file, a folder for a file, a file for a folder, a
FIFO, a name too long, a symlink loop) into one :class:`UsageError` line, never a traceback. An
``--output`` file is refused anywhere inside an output directory's archive — snapshots, WARCs, run
manifests and the crawler's own working files — and over an existing snapshot or WARC wherever it lies.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from pathlib import Path

from kei_crawler.commands.arguments import UsageError, path_argument
from kei_crawler.run.layout import OutputLayout
from kei_crawler.storage.snapshot import store

STDOUT = "-"
"""As an ``--output``: standard output, as Unix tools read it."""


def status(flag: str, path: Path) -> os.stat_result | None:
    """The status of what ``path`` names (symlinks followed); None when nothing is there. A path that
    cannot name anything (a file as a folder, a name too long, a symlink loop) is a UsageError."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:  # ENOTDIR, ENAMETOOLONG, ELOOP, EACCES: the path itself is wrong
        raise UsageError(f"{flag} {path}: {exc.strerror}") from exc


def input_file(flag: str, text: str) -> Path:
    """An existing regular file this process can read (never a FIFO, which a reader would wait on)."""
    return _readable_file(flag, path_argument(flag, text))


def _readable_file(flag: str, path: Path) -> Path:
    found = status(flag, path)
    if found is None:
        raise UsageError(f"{flag} {path}: no such file")
    if stat.S_ISDIR(found.st_mode):
        raise UsageError(f"{flag} {path}: is a directory, not a file")
    if not stat.S_ISREG(found.st_mode):
        raise UsageError(f"{flag} {path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{flag} {path}: not readable")
    return path


def input_dir(flag: str, text: str) -> Path:
    """An existing directory this process can list."""
    path = path_argument(flag, text)
    found = status(flag, path)
    if found is None:
        raise UsageError(f"{flag} {path}: no such directory")
    if not stat.S_ISDIR(found.st_mode):
        raise UsageError(f"{flag} {path}: not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise UsageError(f"{flag} {path}: not readable")
    return path


def snapshot_argument(flag: str, text: str) -> None:
    """OLD or NEW of a diff: a crawl id not naming a path (looked up in the output directory later), or
    a snapshot file, or a folder holding one, that is there to read."""
    path = path_argument(flag, text)
    found = status(flag, path)
    if found is None and store.is_crawl_id(text.removeprefix("snapshot=").rstrip("/")):
        return
    if found is not None and stat.S_ISDIR(found.st_mode):
        path = path / store.FILENAME
    _readable_file(flag, path)


def output_file(flag: str, text: str) -> Path:
    """Where a command may write a file of its own: not a folder, not inside an archive, not over a
    snapshot or a WARC. The file is then written through ``storage.atomic``, which replaces the name (a
    symlink is replaced, never written through)."""
    path = output_folder(flag, text)
    real = Path(os.path.realpath(path))
    found = status(flag, path)
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise UsageError(f"{flag} {path}: is a directory")
    if found is not None and stat.S_ISREG(found.st_mode):
        kind = archived_kind(real)
        if kind:
            raise UsageError(f"{flag} {path}: is {kind}; write it elsewhere")
    return path


def output_folder(flag: str, text: str) -> Path:
    """Where a command may write something of its own, a file or a folder: not inside an archive."""
    path = path_argument(flag, text)
    try:
        part = archive_part(Path(os.path.realpath(path)))
    except OSError:  # a name too long to look at: the write says so
        part = None
    if part is not None:
        raise UsageError(
            f"{flag} {path}: inside the archive of output directory {part.parent} ({part.name}); "
            "write it elsewhere"
        )
    return path


def archive_part(real: Path) -> Path | None:
    """The part of an output directory's archive that the resolved path ``real`` lies in, if any: its
    snapshots, WARCs, run manifests, lock, views database, and the folders a run works in."""
    for folder in real.parents:
        if folder.name.startswith("snapshot=") and folder.parent.name == store.SNAPSHOTS:
            return folder.parent  # a snapshot's own folder, whether or not the rest looks like an archive
        layout = OutputLayout.of(folder)
        if not (layout.snapshots.is_dir() or layout.lock_file.is_file()):
            continue  # not an output directory: a folder of the user's that happens to hold "runs/"
        for part in (layout.snapshots, layout.warc, layout.runs, layout.tmp, layout.default_jobdir):
            if real == part or part in real.parents:
                return part
        if real in (layout.lock_file, layout.views_database):
            return real
    return None


def archived_kind(real: Path) -> str | None:
    """What the existing file ``real`` is when it is a snapshot or a WARC, by its content (so that a copy
    kept anywhere is recognised too); None for anything else."""
    try:
        if "crawl_id" in store.metadata(real):
            return "a kei-crawler snapshot"
    except store.SnapshotError:
        pass  # not Parquet: perhaps a WARC
    try:
        with real.open("rb") as raw:
            head = raw.read(2)
            raw.seek(0)
            start = gzip.GzipFile(fileobj=raw).read(5) if head == b"\x1f\x8b" else raw.read(5)
    except (OSError, EOFError, zlib.error):
        return None
    return "a WARC" if start == b"WARC/" else None
