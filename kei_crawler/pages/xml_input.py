"""Site-served XML (sitemaps, feeds) read safely: bounded bytes in and out of gzip, no DTD, no entity
expansion, no network, libxml2's depth limit, and one ``XmlRefused`` line for anything it will not read.

lxml is the parser (already a dependency, and what Scrapy's own ``scrapy.utils.sitemap.Sitemap`` uses)
with the same protective options Scrapy sets, plus our own: the document is streamed (``iterparse``, only
the records reaching Python, each freed once read, the rest bounded by a tag cap counted first), and a
document that declares a DTD at all is refused before any record is read — no sitemap or feed needs one,
and billion laughs, quadratic blowup and external entities all start with one. Why not defusedxml or
ultimate-sitemap-parser: docs/reliability.md#feeds-and-sitemaps.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from dateutil.parser import isoparse
from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"
# The sitemaps.org protocol's own limits for one file: 50,000 URLs and 50 MB (52,428,800 bytes) uncompressed.
MAX_BYTES = 52_428_800
MAX_ENTRIES = 50_000
# Whatever a file holds besides its records stays in memory until the next record frees it, so the tags
# (each ``<``) are capped: 20 per URL of the 50,000 allowed (a <url> with loc, lastmod, changefreq,
# priority and one image has 14); a million empty elements cost libxml2 ~125 MB (benchmarks/hostile_xml.py).
MAX_TAGS = 20 * MAX_ENTRIES
MAX_URL_LENGTH = 2_048  # the protocol's limit, and more than any brief URL needs
_MAX_DATE_LENGTH = 64  # the longest W3C or RFC 822 date is ~40 characters
_REASON_LENGTH = 200
_WHERE = re.compile(r" \(<string>, line \d+\)$")  # lxml's name for an in-memory document: no news


class XmlRefused(ValueError):
    """Why a sitemap or feed was not read: one line, no traceback."""


@dataclass(frozen=True)
class Limits:
    """The caps a sitemap or feed is read under: bytes before and after gunzip, tags, records kept."""

    max_bytes: int = MAX_BYTES
    max_entries: int = MAX_ENTRIES
    max_tags: int = MAX_TAGS


DEFAULT_LIMITS = Limits()


def unpacked(data: bytes, limits: Limits) -> bytes:
    """``data``, gunzipped when it starts with gzip's magic; refused past ``limits.max_bytes`` either side.

    Decompression asks for at most one byte more than the cap, so a gzip bomb stops there, while it
    decompresses: 10 GB of zeros costs the cap in memory, not 10 GB.
    """
    if len(data) > limits.max_bytes:
        raise XmlRefused(f"{len(data):,} bytes, over the {limits.max_bytes:,}-byte cap")
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            plain = stream.read(limits.max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise XmlRefused(f"bad gzip: {one_line(exc)}") from None
    if len(plain) > limits.max_bytes:
        raise XmlRefused(f"over the {limits.max_bytes:,}-byte cap once gunzipped")
    return plain


def records(data: bytes, names: frozenset[str], limits: Limits) -> Iterator[tuple[str, etree._Element]]:
    """The document element's local name first (with itself), then each outermost element whose local
    name is in ``names``, complete, freed (with everything before it) once the caller has read it.

    Only those elements reach Python (lxml's ``tag`` filter; a per-element loop took 40 s over 50 MB of
    ``<x/>``); what is not freed is bounded by ``Limits.max_tags``, counted before parsing. Raises
    ``XmlRefused``.
    """
    tags = data.count(b"<")
    if tags > limits.max_tags:
        raise XmlRefused(f"{tags:,} tags, over the {limits.max_tags:,}-tag cap")
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        tag=[f"{{*}}{name}" for name in sorted(names)],
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,  # keeps libxml2's depth (256) and text-node (10 MB) limits
        remove_comments=True,
        remove_pis=True,
        recover=False,
        collect_ids=False,
    )
    root: etree._Element | None = None
    inside = 0  # how many records the parser is inside: only the outermost is one
    try:
        for event, element in events:
            if root is None:
                root = _checked_root(element)
                yield local_name(root), root
            if event == "start":
                inside += 1
                continue
            inside -= 1
            if not inside:
                yield local_name(element), element
                _free(element)
        if root is None:
            root = _checked_root(events.root)
            yield local_name(root), root
    except etree.XMLSyntaxError as exc:
        raise XmlRefused(f"not well-formed XML: {one_line(exc)}") from None
    except (RecursionError, MemoryError) as exc:  # neither is expected with libxml2's limits on
        raise XmlRefused(f"too deep or too large: {type(exc).__name__}") from None


def _checked_root(element: etree._Element | None) -> etree._Element:
    if element is None:
        raise XmlRefused("no XML element found")
    tree = element.getroottree()
    if tree.docinfo.doctype:
        raise XmlRefused("declares a DTD (<!DOCTYPE>), which no sitemap or feed needs")
    return tree.getroot()


def _free(element: etree._Element) -> None:
    """Drop a record once read, and whatever came before it, so a huge file never sits in memory whole."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        del parent[: parent.index(element)]


def local_name(element: etree._Element) -> str:
    """``{namespace}name`` or ``prefix:name`` → ``name``. Not ``etree.QName``: it raises on the
    ``prefix:name`` libxml2 leaves when a prefix was never declared (a warning, not an error, to it)."""
    return str(element.tag).rpartition("}")[2].rpartition(":")[2]


def child_text(element: etree._Element, name: str) -> str | None:
    """The text of ``element``'s first child called ``name`` (any namespace), stripped; None when absent.

    Only the child's own text: an unexpanded entity reference ends it, and no markup inside is read.
    """
    for child in element:
        if isinstance(child.tag, str) and local_name(child) == name:
            return (child.text or "").strip()
    return None


def w3c_datetime(text: str | None) -> datetime | None:
    """A W3C datetime (``2024``, ``2024-05``, ``2024-05-06``, ``2024-05-06T07:08+09:00``, seconds and
    fractions optional) as an aware UTC datetime; a date or time without zone is taken as UTC. None when
    absent or unreadable."""
    if not text or len(text) > _MAX_DATE_LENGTH:
        return None
    try:
        value = isoparse(text.strip())
    except (ValueError, OverflowError):
        return None
    return _aware(value)


def rfc822_datetime(text: str | None) -> datetime | None:
    """An RSS ``pubDate`` (RFC 822, ``Tue, 02 Jan 2024 03:04:05 +0000``) as aware UTC; W3C forms too,
    which some feeds write instead. None when absent or unreadable."""
    if not text or len(text) > _MAX_DATE_LENGTH:
        return None
    try:
        return _aware(parsedate_to_datetime(text.strip()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return w3c_datetime(text)


def _aware(value: datetime) -> datetime | None:
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):  # e.g. year 1 at +01:00 falls before datetime.min in UTC
        return None


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return _WHERE.sub("", text)[:_REASON_LENGTH]
