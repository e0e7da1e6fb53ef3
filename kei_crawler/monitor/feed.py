"""The change feed: an Atom feed (RFC 4287) of what is new to the archive, for a feed reader or a chat bot.

Entries are the archive's latest events (``monitor.history``), latest first by when the crawler saw them
— not by publication date, so a brief that appears late with an old date is at the top, where a reader
looks. Each event is an entry with an id of its own, so a feed reader shows each one once:

- a new brief: its canonical URL (as the feed's entries always were), ``updated`` its ``first_seen``;
- an edit: ``<url>#changed-<crawl id>``, ``updated`` the time of the crawl that saw it, the title
  prefixed "Updated:", the fields that changed in the summary and the text diff as its content;
- a move or a removal: ``<url>#moved-<crawl id>``, ``<url>#removed-<crawl id>``, likewise.

``published`` is the brief's publication date. The feed's own ``updated`` is its latest entry's, and the
document depends on the archive alone: rewritten after a crawl that found nothing, it is the same bytes.
Written with ``xml.etree``.
"""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from kei_crawler import __version__
from kei_crawler.monitor.history import Event, recent_events
from kei_crawler.storage.atomic import write_atomic
from kei_crawler.storage.snapshot.store import SnapshotError
from kei_crawler.urls import DEFAULT_ORIGIN

ATOM = "http://www.w3.org/2005/Atom"
SUMMARY_CHARS = 400
TITLE_PREFIX = {"added": "", "changed": "Updated: ", "moved": "Moved: ", "removed": "Removed: "}


def atom_time(moment: date | datetime) -> str:
    """An RFC 3339 instant in UTC; a date as its midnight (the site shows dates, not times)."""
    if isinstance(moment, datetime):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{moment.isoformat()}T00:00:00Z"


def summary(body: str, limit: int = SUMMARY_CHARS) -> str:
    """The body's first paragraph, cut at a word boundary near ``limit`` characters."""
    first = body.strip().split("\n\n", 1)[0].strip()
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def entry_id(event: Event) -> str:
    url = str(event.brief["url"])
    return url if event.kind == "added" else f"{url}#{event.kind}-{event.crawl_id}"


def event_summary(event: Event) -> str:
    """What happened, for the entry's summary: the body's start for a new brief, else the change."""
    brief = event.brief
    if event.kind == "changed":
        return f"Changed: {', '.join(event.fields) or 'content'}."
    if event.kind == "moved":
        return f"Moved from {event.old_url} to {brief['url']}."
    if event.kind == "removed":
        gone = brief["removed_at"]
        return "The site answers 404/410 for it." if gone else "No longer on the site's listing."
    return summary(brief["body"] or "")


def build_feed(events: list[Event], *, origin: str = DEFAULT_ORIGIN) -> ET.ElementTree:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    listing = f"{origin}/the-peninsula/"
    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", listing)
    sub(feed, "title", "The Peninsula — what is new, changed or gone (Korea Economic Institute of America)")
    sub(feed, "updated", atom_time(max(e.at for e in events)) if events else "1970-01-01T00:00:00Z")
    sub(feed, "link", rel="alternate", type="text/html", href=listing)
    author = sub(feed, "author")  # the fallback for entries that name no author
    sub(author, "name", "Korea Economic Institute of America")
    sub(feed, "generator", "kei-crawler", version=__version__)
    for event in events:
        brief = event.brief
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(event))
        sub(entry, "title", TITLE_PREFIX[event.kind] + brief["title"])
        sub(entry, "link", rel="alternate", type="text/html", href=brief["url"])
        if brief["published"] is not None:
            sub(entry, "published", atom_time(brief["published"]))
        sub(entry, "updated", atom_time(event.at))
        for name in brief["authors"]:
            sub(sub(entry, "author"), "name", name)
        for term in [*brief["categories"], *([brief["series"]] if brief["series"] else [])]:
            sub(entry, "category", term=term)
        sub(entry, "summary", event_summary(event), type="text")
        if event.text_diff:
            sub(entry, "content", event.text_diff, type="text")
    ET.indent(feed)
    return ET.ElementTree(feed)


def feed_document(
    output_dir: str | os.PathLike[str], *, limit: int = 20, warn: Callable[[str], None] = lambda line: None
) -> tuple[bytes, int]:
    """The change feed of the archive in ``output_dir``, its ``limit`` latest events, as an XML document,
    and its number of entries."""
    events = recent_events(output_dir, limit, warn)
    origin = DEFAULT_ORIGIN
    if events:
        parts = urlsplit(events[0].brief["url"])
        origin = f"{parts.scheme}://{parts.netloc}"
    document = io.BytesIO()
    build_feed(events, origin=origin).write(document, encoding="utf-8", xml_declaration=True)
    return document.getvalue(), len(events)


def write_feed(
    output_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    limit: int = 20,
    warn: Callable[[str], None] = lambda line: None,
) -> tuple[Path, int]:
    """The feed written atomically to ``output``; returns its path and the number of entries."""
    document, entries = feed_document(output_dir, limit=limit, warn=warn)
    target = Path(output)
    try:
        write_atomic(target, document)
    except OSError as exc:
        raise SnapshotError(f"--output {output}: cannot write it ({exc.strerror or exc})") from exc
    return target, entries
