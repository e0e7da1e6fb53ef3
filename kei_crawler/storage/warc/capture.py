"""One archived capture read back by its file and offset: whole, or refused with the reason.

A revisit record holds no payload; it is only as good as the capture it refers to. A crawl writes one
only against a capture this checks is there (``parts.WarcParts``), and ``reextract`` reads the payload
through it (``reader.PayloadLocator``). Every record is its own gzip member, so a record that a cut or a
damaged byte spoiled is one whose member does not decompress to its end: that is what gives it away
(warcio alone reads a cut record without complaint, its body just ends early).
"""

from __future__ import annotations

import zlib
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

MISSING = "warc_missing"
DAMAGED = "warc_damaged"
_CHUNK = 1 << 16


class CaptureUnavailable(Exception):
    """The capture cannot be read: ``reason`` is one word (MISSING, DAMAGED), the message one line."""

    def __init__(self, reason: str, path: Path, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.path = path


def warc_in(directory: Path, name: str) -> Path | None:
    """The WARC ``name`` (from an index line) in ``directory``, or None when the name is not a plain file
    name there (``../x``, ``/etc/x``, ``a/b``) or is a symlink: an index never leads a reader out."""
    if not name or name in (".", "..") or Path(name).name != name or "\\" in name:
        return None
    path = directory / name
    return None if path.is_symlink() else path


def whole_member(stream: BinaryIO, offset: int) -> bytes | None:
    """The decompressed gzip member at ``offset``, or None when the file ends inside it or it is corrupt."""
    stream.seek(offset)
    inflate = zlib.decompressobj(zlib.MAX_WBITS + 16)
    plain = []
    try:
        while not inflate.eof:
            chunk = stream.read(_CHUNK)
            if not chunk:
                return None
            plain.append(inflate.decompress(chunk))
    except zlib.error:
        return None
    return b"".join(plain)


def record_at(path: Path | None, offset: int) -> ArcWarcRecord | None:
    """The record at ``offset`` in ``path``, its gzip member read whole; None when ``path`` is None or the
    file, the member or the record cannot be read (warcio meets a spoiled record with errors of many kinds;
    all mean "not there")."""
    if path is None:
        return None
    try:
        with open(path, "rb") as stream:
            plain = whole_member(stream, offset)
        return next(iter(ArchiveIterator(BytesIO(plain or b""))), None)
    except Exception:
        return None


def payload_at(path: Path | None, offset: int, digest: str, *, name: str = "") -> bytes:
    """The payload of the response record at ``offset`` in ``path`` holding ``digest``; CaptureUnavailable
    when the file is not there (or ``path`` is None: a name :func:`warc_in` refused), or that record is
    cut short, corrupt, or not the capture named."""
    shown = path if path is not None else Path(name)
    if path is None:
        raise CaptureUnavailable(MISSING, shown, f"{name}: not a WARC in the folder of its index; not read")
    try:
        with open(path, "rb") as stream:
            plain = whole_member(stream, offset)
    except FileNotFoundError:
        raise CaptureUnavailable(MISSING, path, f"{path}: missing") from None
    except OSError as exc:
        raise CaptureUnavailable(MISSING, path, f"{path}: unreadable ({exc.strerror or exc})") from None
    if plain is None:
        raise CaptureUnavailable(DAMAGED, path, f"{path}: cut short or damaged at byte {offset}")
    try:
        record = next(iter(ArchiveIterator(BytesIO(plain))), None)
        if (
            record is None
            or record.rec_type != "response"
            or record.rec_headers.get_header("WARC-Payload-Digest") != digest
        ):
            raise CaptureUnavailable(DAMAGED, path, f"{path}: no capture of {digest} at byte {offset}")
        return bytes(record.content_stream().read())
    except CaptureUnavailable:
        raise
    except Exception as exc:  # warcio meets a spoiled record with errors of many kinds; all mean the same
        raise CaptureUnavailable(
            DAMAGED, path, f"{path}: unreadable record at byte {offset} ({exc})"
        ) from None


def is_there(path: Path | None, offset: int, digest: str) -> bool:
    """True when :func:`payload_at` would read that capture."""
    try:
        payload_at(path, offset, digest)
    except CaptureUnavailable:
        return False
    return True
