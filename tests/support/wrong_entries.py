"""Wrong-typed entries planted in an output directory — files for folders, folders for files, symbolic
links out of it — and what the file trees around it look like, to check that no command wrote or deleted
anything it must not (tests/unit/test_output_entries.py, tests/e2e/test_wrong_entries.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

Plant = Callable[[Path, Path], None]
"""Plants one wrong entry in the output directory (first argument), maybe pointing into the folder
outside it (second)."""


def outside_folder(tmp_path: Path) -> Path:
    """A folder beside the output directory, with a file and a folder no command may touch; the folder
    holds the names a crawl's job directory holds, so that nothing takes it for one."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "file.txt").write_text("not the crawler's")
    (outside / "folder" / "keep.txt").write_text("not the crawler's either")
    (outside / "folder" / "requests.seen").write_text("a file of someone's with a Scrapy name")
    return outside


def tree(root: Path) -> dict[str, str | bytes]:
    """Every entry under ``root``, links not followed: a file's bytes, "folder", or where a link points."""
    found: dict[str, str | bytes] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = f"link to {os.readlink(path)}"
            elif path.is_dir():
                found[key] = "folder"
            elif path.is_file():
                found[key] = path.read_bytes()
            else:
                found[key] = "special file"
    return found


def _make_room(path: Path) -> None:
    """What a crawl left where the wrong entry goes (a lock file, the snapshots folder) makes way for it."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)


def _link(entry: str, to: str) -> Plant:
    def plant(out: Path, outside: Path) -> None:
        _make_room(out / entry)
        (out / entry).symlink_to(outside / to)

    return plant


def _file(entry: str) -> Plant:
    def plant(out: Path, outside: Path) -> None:
        _make_room(out / entry)
        (out / entry).write_text("a file where a folder goes")

    return plant


def _folder(entry: str) -> Plant:
    def plant(out: Path, outside: Path) -> None:
        _make_room(out / entry)
        (out / entry).mkdir()
        (out / entry / "inside.txt").write_text("someone's")

    return plant


def _fifo(entry: str) -> Plant:
    def plant(out: Path, outside: Path) -> None:
        _make_room(out / entry)
        os.mkfifo(out / entry)

    return plant


WRONG_ENTRIES: dict[str, Plant] = {
    "a folder at .lock": _folder(".lock"),
    "a link at .lock to a file outside": _link(".lock", "file.txt"),
    "a link at .lock to nothing": _link(".lock", "new.txt"),
    "a FIFO at .lock": _fifo(".lock"),
    "a file at .tmp": _file(".tmp"),
    "a link at .tmp to a folder outside": _link(".tmp", "folder"),
    "a file at .job": _file(".job"),
    "a link at .job to a folder outside": _link(".job", "folder"),
    "a file at runs": _file("runs"),
    "a link at runs to a folder outside": _link("runs", "folder"),
    "a file at warc": _file("warc"),
    "a link at warc to a folder outside": _link("warc", "folder"),
    "a file at snapshots": _file("snapshots"),
    "a link at snapshots to a folder outside": _link("snapshots", "folder"),
    "a folder at datapackage.json": _folder("datapackage.json"),
    "a link at datapackage.json to a file outside": _link("datapackage.json", "file.txt"),
}
"""Each refused by a run (crawl, reextract) in one line, before anything is touched."""

STRAY_ENTRIES: dict[str, Plant] = {
    "a link in .tmp to a folder outside": _link(".tmp/2020-01-01T000000Z", "folder"),
    "a file in .tmp": _file(".tmp/notes.txt"),
    "a folder where a WARC index goes": _folder("warc/2020-01-01T000000Z.cdxj"),
    "a folder where a WARC goes": _folder("warc/2020-01-01T000000Z.warc.gz"),
    "a file where a snapshot folder goes": _file("snapshots/snapshot=2020-01-01T000000Z"),
    "a folder where a snapshot file goes": _folder("snapshots/snapshot=2020-01-01T000000Z/briefs.parquet"),
    "a folder where a run manifest goes": _folder("runs/2020-01-01T000000Z.json"),
    "a folder at latest": _folder("latest"),
    "a file at latest": _file("latest"),
    "a link at latest to a folder outside": _link("latest", "folder"),
    "a file at kei.duckdb": _file("kei.duckdb"),
    "a link at kei.duckdb to a file outside": _link("kei.duckdb", "file.txt"),
}
"""Left inside the crawler's folders: every command goes on around them and leaves them be."""
