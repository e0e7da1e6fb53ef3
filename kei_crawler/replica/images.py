"""The replica's images: small, real, deterministic JPEG and PNG bytes for the paths its pages show.

A brief's photo lives at ``/wp-content/uploads/<yyyy>/<mm>/<slug>.jpg`` in every theme (``model.Brief.
photo_path``), as WordPress files its uploads. Each image is a valid file of its type — an 8×8 baseline
JPEG or a 16×16 PNG — whose bytes depend only on its path, so two crawls of an unchanged site download
identical payloads (which the WARC keeps as revisits) and two photos never share one. Sizes run from a
few hundred bytes to about 2.5 KB: enough to weigh in the archive's size, small enough for a 6,384-brief
benchmark.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

UPLOADS = "/wp-content/uploads/"
THEMES = "/wp-content/themes/"
JPEG = "image/jpeg"
PNG = "image/png"


def _noise(key: str, size: int) -> bytes:
    """``size`` bytes that depend only on ``key``: what a photo's entropy-coded data looks like to gzip."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{key}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def _size(key: str) -> int:
    return 300 + int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 2200


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg_bytes(key: str) -> bytes:
    """A baseline JPEG of one mid-grey 8×8 block; a comment segment (COM) of bytes that depend on
    ``key`` makes every image's payload its own."""
    comment = _noise(key, _size(key))
    return b"".join([
        b"\xff\xd8",  # SOI
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xFE, comment),
        _segment(0xDB, b"\x00" + b"\x01" * 64),  # one quantization table, all ones
        _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),  # 8×8, one component
        # Huffman tables with a single one-bit code each: DC "difference 0", AC "end of block".
        _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"),
        _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"),
        _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        b"\x3f",  # DC code 0, EOB code 0, padded with ones
        b"\xff\xd9",  # EOI
    ])  # fmt: skip


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(key: str) -> bytes:
    """A 16×16 RGB PNG whose pixels depend on ``key``."""
    side = 16
    pixels = _noise(key, side * side * 3)
    rows = b"".join(b"\x00" + pixels[y * side * 3 : (y + 1) * side * 3] for y in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def image(path: str) -> tuple[str, bytes] | None:
    """The content type and bytes of the image at ``path`` (by its extension), or None for another file."""
    lower = path.lower()
    if lower.endswith((".jpg", ".jpeg")):
        return JPEG, jpeg_bytes(path)
    if lower.endswith(".png"):
        return PNG, png_bytes(path)
    return None


def stylesheet(path: str) -> bytes:
    """A theme's stylesheet (the modern and classic themes link one): a few rules, the same every time."""
    return (
        f"/* {path} */\nbody {{ font-family: Georgia, serif; color: #222; }}\n"
        "figure img, .wp-caption img { max-width: 100%; height: auto; }\n"
    ).encode()
