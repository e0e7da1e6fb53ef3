"""Which WARCs of a ``warc/`` folder go into a WACZ, and the one merged CDXJ index of them.

A WACZ holds one index over all its WARCs (``indexes/index.cdx``), each line's ``filename`` the name of a
WARC in its ``archive/`` folder — replay tools (ReplayWeb.page's wabac.js, pywb) prefix ``archive/``
themselves. The lines are the crawls' own CDXJ files (equal to ``cdxj-indexer --sort``), merged and sorted
again; a WARC left without an index (a crawl killed while publishing) is indexed here.

Only what replays goes in: a WARC an index names but that is gone is reported and its lines left out; a
WARC cut short or corrupt is packed up to its last whole record (its captures after that left out of the
index), and reported. With ``referenced`` (the WARC names the newest snapshot's
rows point into) only those WARCs are packed — and, for each revisit in them, the WARC holding the
capture it refers to (a revisit has no payload of its own: without its original it replays nothing), and
the WARC holding the first capture of each of the rows' photos (``requisites``: a photo the archive holds is
not fetched again, so it lives in the WARC of the crawl that first met it, which no row may name).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from kei_crawler.storage.warc.capture import warc_in
from kei_crawler.storage.warc.cdx import SUFFIX, index_part, read_cdxj
from kei_crawler.storage.warc.parts import WARC_SUFFIX
from kei_crawler.storage.warc.revisits import refers_to

REVISIT_MIME = "warc/revisit"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class IndexLine:
    key: str
    timestamp: str
    fields: dict[str, str]

    @property
    def filename(self) -> str:
        return str(self.fields.get("filename", ""))

    @property
    def offset(self) -> int:
        return int(self.fields.get("offset", -1))

    def text(self) -> str:
        return f"{self.key} {self.timestamp} {json.dumps(self.fields)}"


@dataclass
class Selection:
    warcs: list[Path] = field(default_factory=list)
    """The WARC files to pack, in name order."""
    whole_bytes: dict[str, int] = field(default_factory=dict)
    """How much of a damaged WARC is packed, by name: its records up to the first that is not whole."""
    lines: list[IndexLine] = field(default_factory=list)
    """The merged index of those files, sorted as ``cdxj-indexer --sort`` sorts."""
    problems: list[str] = field(default_factory=list)
    """One line per WARC missing, unreadable or damaged, saying what it cost."""

    def capture_at(self) -> dict[tuple[str, int], IndexLine]:
        """Each indexed capture by (WARC name, offset): how a snapshot row finds its capture."""
        return {(line.filename, line.offset): line for line in self.lines}

    def index_text(self) -> str:
        return "".join(text + "\n" for text in sorted(line.text() for line in self.lines))


def select(
    warc_dir: Path, referenced: set[str] | None = None, requisites: Set[str] = frozenset()
) -> Selection:
    """The WARCs of ``warc_dir`` to pack — all, or the ``referenced`` ones, those first holding the
    ``requisites`` (URLs' paths and queries: a mirror crawl's records carry the mirror's origin) and the
    originals of their revisits — with their merged index and what could not be read."""
    selection = Selection()
    present, by_file = _read_folder(warc_dir, selection.problems)
    if referenced is None:
        chosen = set(present)
    else:
        chosen = _needed(warc_dir, referenced, requisites, present, by_file, selection.problems)
    for name in sorted(chosen):
        whole = _whole_lines(present[name], by_file.get(name, []), selection)
        if whole:
            selection.warcs.append(present[name])
            selection.lines.extend(whole)
    selection.lines.sort(key=IndexLine.text)
    return selection


def needed_warcs(
    warc_dir: Path, referenced: set[str], requisites: Set[str] = frozenset()
) -> tuple[set[str], list[str]]:
    """The names of the WARCs in ``warc_dir`` that rows pointing into ``referenced`` and showing
    ``requisites`` need to be read again and replayed — what :func:`select` packs for them — and one line
    per WARC missing or unreadable. ``prune`` keeps these."""
    problems: list[str] = []
    present, by_file = _read_folder(warc_dir, problems)
    return _needed(warc_dir, referenced, requisites, present, by_file, problems), problems


def _read_folder(warc_dir: Path, problems: list[str]) -> tuple[dict[str, Path], dict[str, list[IndexLine]]]:
    """The WARC files of ``warc_dir`` by name, and the index lines of each (a missing file reported)."""
    present = {
        path.name: path
        for path in sorted(warc_dir.glob(f"*{WARC_SUFFIX}"))
        if warc_in(warc_dir, path.name) is not None and path.is_file()
    }
    by_file: dict[str, list[IndexLine]] = {}
    for line in _indexed(warc_dir, present, problems):
        by_file.setdefault(line.filename, []).append(line)
    for name in sorted(set(by_file) - set(present)):
        problems.append(f"{warc_dir / name}: missing; its {len(by_file[name])} captures are left out")
    return present, by_file


def _needed(
    warc_dir: Path,
    referenced: set[str],
    requisites: Set[str],
    present: dict[str, Path],
    by_file: dict[str, list[IndexLine]],
    problems: list[str],
) -> set[str]:
    referenced = referenced | _first_holding(requisites, present, by_file)
    return _with_originals(warc_dir, referenced, present, by_file, problems)


def _indexed(warc_dir: Path, present: dict[str, Path], problems: list[str]) -> list[IndexLine]:
    """Every line of the folder's CDXJ files, and the lines of WARCs no index names, read from them."""
    lines: list[IndexLine] = []
    for index in sorted(path for path in warc_dir.glob(f"*{SUFFIX}") if path.is_file()):
        try:
            read = [IndexLine(key, ts, fields) for key, ts, fields in read_cdxj(index)]
            spoiled = next((line for line in read if not _well_formed(line)), None)
            if spoiled is not None:
                raise ValueError(
                    f"a line of {spoiled.filename or 'no file'} lacks a field or holds a bad one"
                )
        except (OSError, ValueError) as exc:  # a JSON error is a ValueError: the index is spoiled
            problems.append(f"{index}: unreadable index ({exc}); its WARCs are indexed again")
            continue
        lines.extend(read)
    named = {line.filename for line in lines}
    for name in sorted(set(present) - named):
        found: list[IndexLine] = []
        try:
            for entry in index_part(present[name]):
                key, ts, text = entry.line().split(" ", 2)
                found.append(IndexLine(key, ts, json.loads(text)))
        except Exception as exc:  # warcio meets a spoiled file with errors of many kinds
            why = (str(exc).strip().splitlines() or [type(exc).__name__])[0]  # one line, whatever warcio says
            problems.append(f"{present[name]}: not a readable WARC ({why}); left out")
            continue
        lines.extend(line for line in found if _well_formed(line))
    return lines


def _well_formed(line: IndexLine) -> bool:
    """A line this module and replay can use: a 14-digit timestamp, a URL, a file name, a whole offset."""
    fields = line.fields
    return (
        len(line.timestamp) == 14
        and line.timestamp.isdigit()
        and isinstance(fields.get("url"), str)
        and isinstance(fields.get("filename"), str)
        and str(fields.get("offset", "")).isdigit()
    )


def photo_path(url: str) -> str:
    """A URL as the index is matched on: its path and query (a mirror crawl records the mirror's origin)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _first_holding(
    requisites: Set[str], present: dict[str, Path], by_file: dict[str, list[IndexLine]]
) -> set[str]:
    """The WARC holding the first whole capture (no revisit) of each of ``requisites``."""
    first: dict[str, tuple[str, str]] = {}  # path → (timestamp, WARC)
    for name, lines in by_file.items():
        for line in lines if name in present else []:
            path = photo_path(str(line.fields.get("url", "")))
            if path in requisites and line.fields.get("mime") != REVISIT_MIME:
                first[path] = min(first.get(path, (line.timestamp, name)), (line.timestamp, name))
    return {name for _, name in first.values()}


def _with_originals(
    warc_dir: Path,
    referenced: set[str],
    present: dict[str, Path],
    by_file: dict[str, list[IndexLine]],
    problems: list[str],
) -> set[str]:
    """``referenced``, and for each revisit in a chosen WARC the WARC holding the capture it names
    (``WARC-Refers-To-Target-URI`` and ``-Date``: what pywb replays it from) and the one holding the first
    capture of its payload (what ``reextract`` reads it from)."""
    for name in sorted(referenced - set(present)):
        problems.append(f"{name}: referenced by the snapshot's rows but missing from warc/")
    first: dict[str, tuple[str, str]] = {}  # payload digest → (timestamp, WARC) of its first capture
    captured: dict[tuple[str, str, str], str] = {}  # (SURT key, timestamp, digest) → WARC
    for name, lines in by_file.items():
        for line in lines:
            digest = line.fields.get("digest")
            if name in present and digest and line.fields.get("mime") != REVISIT_MIME:
                first[digest] = min(first.get(digest, (line.timestamp, name)), (line.timestamp, name))
                captured[(line.key, line.timestamp, digest)] = name
    chosen = referenced & set(present)
    pending = list(chosen)
    while pending:
        name = pending.pop()
        for line in by_file.get(name, []):
            digest = line.fields.get("digest")
            if line.fields.get("mime") != REVISIT_MIME or not digest:
                continue
            origins = {first[digest][1]} if digest in first else set()
            target = refers_to(warc_in(warc_dir, name), line.offset)
            if target is not None and (*target, digest) in captured:
                origins.add(captured[(*target, digest)])
            for origin in origins - chosen:
                chosen.add(origin)
                pending.append(origin)
    return chosen


def _whole_lines(path: Path, lines: Iterable[IndexLine], selection: Selection) -> list[IndexLine]:
    """The lines whose record lies in the whole part of ``path``: read from its start to the first gzip
    member that is cut short or corrupt (a damaged WARC is packed up to there, as ``reextract`` reads it
    up to there, so that every file in the WACZ is whole gzip); the file reported when it is damaged."""
    lines = list(lines)
    try:
        with open(path, "rb") as stream:
            whole_offsets, broken_at = _whole_members(stream)
    except OSError as exc:
        selection.problems.append(f"{path}: unreadable ({exc.strerror or exc}); left out")
        return []
    whole = [line for line in lines if line.offset in whole_offsets]
    if broken_at is not None:
        selection.whole_bytes[path.name] = broken_at
        lost = len(lines) - len(whole)
        left = "the file is left out" if not whole else f"its first {broken_at} bytes packed"
        selection.problems.append(
            f"{path}: cut short or damaged at byte {broken_at}: {lost} of {len(lines)} captures unreadable, {left}"
        )
    return whole


def _whole_members(stream: BinaryIO) -> tuple[set[int], int | None]:
    """The offsets of the gzip members that decompress whole, read from the file's start, and the offset of
    the member where it stops being whole (None when it is whole to its end). One pass, nothing kept."""
    whole: set[int] = set()
    position = start = 0
    inflate: Any = None
    pending = b""
    while True:
        if not pending:
            pending = stream.read(_CHUNK)
            if not pending:
                return whole, (start if inflate is not None else None)
        if inflate is None:
            inflate, start = zlib.decompressobj(zlib.MAX_WBITS + 16), position
        try:
            inflate.decompress(pending)
        except zlib.error:
            return whole, start
        position += len(pending) - len(inflate.unused_data)
        if inflate.eof:
            whole.add(start)
            pending, inflate = inflate.unused_data, None
        else:
            pending = b""
