"""An Atom feed (RFC 4287) of the newest briefs of a snapshot, for a feed reader or a chat bot to watch.

Each entry's id is the brief's canonical URL — permanent, as Atom asks, and the same in every crawl — so
a reader shows a brief once however often the feed is rewritten. ``updated`` is the page's "Updated"
date when it shows one, else the publication date; the feed's own ``updated`` is the newest of those, so
rewriting the feed from an unchanged archive yields the same document. Written with ``xml.etree``.
"""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.compute as pc

from kei_crawler import __version__
from kei_crawler.storage.atomic import write_atomic
from kei_crawler.storage.snapshot.carry import conform
from kei_crawler.storage.snapshot.reading import open_snapshot
from kei_crawler.storage.snapshot.store import SnapshotError
from kei_crawler.urls import DEFAULT_ORIGIN

ATOM = "http://www.w3.org/2005/Atom"
SUMMARY_CHARS = 400
FEED_COLUMNS = ["url", "title", "published", "updated", "authors", "categories", "series", "body",
                "removed_at", "first_seen"]  # fmt: skip


def atom_time(day: date) -> str:
    """A date as an RFC 3339 instant (midnight UTC): the site shows dates, not times."""
    return f"{day.isoformat()}T00:00:00Z"


def summary(body: str, limit: int = SUMMARY_CHARS) -> str:
    """The body's first paragraph, cut at a word boundary near ``limit`` characters."""
    first = body.strip().split("\n\n", 1)[0].strip()
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def newest_briefs(path: str | os.PathLike[str], limit: int) -> list[dict[str, Any]]:
    """The ``limit`` newest live briefs (not removed), newest first."""
    snapshot = open_snapshot(path)
    present = [name for name in FEED_COLUMNS if name in snapshot.parquet.schema_arrow.names]
    try:
        table = conform(snapshot.parquet.read(columns=present)).select(FEED_COLUMNS)
    except Exception as exc:  # ArrowInvalid, OSError, a cast that fails: all mean the file is unusable
        raise snapshot.error(exc) from exc
    table = table.filter(pc.is_null(table["removed_at"]))
    order = pc.sort_indices(
        table, sort_keys=[("published", "descending"), ("first_seen", "descending"), ("url", "ascending")]
    )
    newest: list[dict[str, Any]] = table.take(order[:limit]).to_pylist()
    return newest


def build_feed(briefs: list[dict[str, Any]], *, origin: str = DEFAULT_ORIGIN) -> ET.ElementTree:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    listing = f"{origin}/the-peninsula/"
    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", listing)
    sub(feed, "title", "The Peninsula — newest briefs (Korea Economic Institute of America)")
    updates = [b["updated"] or b["published"] for b in briefs]
    sub(feed, "updated", atom_time(max(updates)) if updates else "1970-01-01T00:00:00Z")
    sub(feed, "link", rel="alternate", type="text/html", href=listing)
    author = sub(feed, "author")  # the fallback for entries that name no author
    sub(author, "name", "Korea Economic Institute of America")
    sub(feed, "generator", "kei-crawler", version=__version__)
    for brief in briefs:
        entry = sub(feed, "entry")
        sub(entry, "id", brief["url"])
        sub(entry, "title", brief["title"])
        sub(entry, "link", rel="alternate", type="text/html", href=brief["url"])
        sub(entry, "published", atom_time(brief["published"]))
        sub(entry, "updated", atom_time(brief["updated"] or brief["published"]))
        for name in brief["authors"]:
            sub(sub(entry, "author"), "name", name)
        for term in [*brief["categories"], *([brief["series"]] if brief["series"] else [])]:
            sub(entry, "category", term=term)
        sub(entry, "summary", summary(brief["body"]), type="text")
    ET.indent(feed)
    return ET.ElementTree(feed)


def feed_document(snapshot: str | os.PathLike[str], *, limit: int = 20) -> tuple[bytes, int]:
    """The feed of ``snapshot``'s ``limit`` newest briefs as an XML document, and its number of entries."""
    briefs = newest_briefs(snapshot, limit)
    origin = DEFAULT_ORIGIN
    if briefs:
        parts = urlsplit(briefs[0]["url"])
        origin = f"{parts.scheme}://{parts.netloc}"
    document = io.BytesIO()
    build_feed(briefs, origin=origin).write(document, encoding="utf-8", xml_declaration=True)
    return document.getvalue(), len(briefs)


def write_feed(
    snapshot: str | os.PathLike[str], output: str | os.PathLike[str], *, limit: int = 20
) -> tuple[Path, int]:
    """The feed written atomically to ``output``; returns its path and the number of entries."""
    document, entries = feed_document(snapshot, limit=limit)
    target = Path(output)
    try:
        write_atomic(target, document)
    except OSError as exc:
        raise SnapshotError(f"--output {output}: cannot write it ({exc.strerror or exc})") from exc
    return target, entries
