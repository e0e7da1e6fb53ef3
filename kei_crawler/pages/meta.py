"""Labelled lines around a title: "Published …", "Author: …", "By …", "Category: …", and the section label.

A theme may put each label on its own line or run them together on one ("Published July 24, 2022 |
Author: Korea View"), so a line is split at every label it holds, not read as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kei_crawler.pages.blocks import Block, Link
from kei_crawler.text.clean import clean_text
from kei_crawler.text.dates import parse_published, parse_updated
from kei_crawler.text.names import split_names

_KINDS = {
    "published": "published", "published on": "published", "posted": "published", "posted on": "published",
    "date": "published", "updated": "updated", "last updated": "updated", "modified": "updated",
    "last modified": "updated", "updated on": "updated", "submitted by": "author", "author": "author",
    "authors": "author", "written by": "author", "by": "author", "category": "category",
    "categories": "category", "filed under": "category", "tags": "tag", "tag": "tag", "topics": "tag",
}  # fmt: skip
# Labels that read naturally without a colon; the others must have one, so "Tags" or "Date" in a
# sentence is never taken for a label.
_COLON_OPTIONAL = {"published", "published on", "posted", "posted on", "updated", "last updated", "updated on",
                   "modified", "last modified", "by", "written by", "submitted by", "filed under"}  # fmt: skip
_LABEL = re.compile(
    r"\b(published on|published|posted on|posted|last updated|updated on|updated|last modified|modified|date"
    r"|authors|author|written by|submitted by|by"
    r"|categories|category|filed under|tags|tag|topics)\b\s*([:：])?",
    re.IGNORECASE,
)
_SEPARATORS = " |•·/–—-,;"


@dataclass
class Segment:
    kind: str
    """published, updated, author, category or tag."""
    text: str
    """The whole segment, label included ("Published July 24, 2022")."""
    value: str
    """What follows the label ("July 24, 2022")."""


def meta_segments(text: str) -> list[Segment]:
    """The labelled segments of a line that opens with a label; [] for any other line."""
    text = clean_text(text)
    # Only a line whose first label sits at its start counts. A label there is the first match finditer
    # would find, so a line with none (nearly every line of a page) is answered without the scan.
    opening = _LABEL.match(text)
    if opening is None or not (opening.group(2) or opening.group(1).lower() in _COLON_OPTIONAL):
        return []
    starts: list[tuple[int, int, str]] = []
    for match in _LABEL.finditer(text):
        label = clean_text(match.group(1)).lower()
        before = text[: match.start()].rstrip()
        at_boundary = not before or before[-1] in _SEPARATORS or re.search(r"\d{4}$", before) is not None
        if match.group(2) or (label in _COLON_OPTIONAL and at_boundary):
            starts.append((match.start(), match.end(), label))
    if not starts or starts[0][0] != 0:
        return []
    segments = []
    for i, (start, end, label) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        whole = text[start:stop].strip(_SEPARATORS)
        value = text[end:stop].strip(_SEPARATORS)
        segments.append(Segment(_KINDS[label], whole, value))
        dated = _NAMES_ON_DATE.match(value) if label == "submitted by" else None
        if dated and parse_published(dated.group(2)) is not None:
            # Drupal's "Submitted by <name> on <date>": the whole line is the text the date was read from.
            segments[-1] = Segment("author", whole, dated.group(1))
            segments.append(Segment("published", whole, dated.group(2)))
    return segments


_NAMES_ON_DATE = re.compile(r"^(.*?)\s+on\s+(.+)$")


def is_byline_value(value: str) -> bool:
    """True when a "By …" value reads as names, not as a sentence ("By 2030, exports …")."""
    return (
        bool(value) and not re.search(r"\d", value) and len(value) <= 200 and not value.endswith(("?", "!"))
    )


@dataclass
class MetaLine:
    """A labelled metadata line and the blocks it was read from."""

    indexes: tuple[int, ...]
    segments: list[Segment]
    links: list[Link]


# A label alone on its line, its value on the next (<dt>/<dd>, label and value in separate <div>s).
_BARE_LABEL = re.compile(
    r"^(published(?: on)?|posted(?: on)?|date|authors?|written by|by|categor(?:y|ies)|filed under|tags?|topics?"
    r"|(?:last )?updated(?: on)?|(?:last )?modified)"
    r"\s*([:：])?$",
    re.IGNORECASE,
)


def meta_line_at(blocks: list[Block], index: int, allow_byline: bool) -> MetaLine | None:
    """The metadata line starting at ``blocks[index]``, or None when that block is not one."""
    block = blocks[index]
    text, links = block.text, list(block.links)
    used: tuple[int, ...] = (index,)
    bare = _BARE_LABEL.match(text)
    # A long next block is prose under a heading that happens to read "Topics", not a label's value.
    if bare and index + 1 < len(blocks) and len(blocks[index + 1].text) <= 200:
        values = [blocks[index + 1]]
        # Drupal's field-items: one linked value per element ("Category:" / "North Korea" / "Security").
        while values[-1].index + 1 < len(blocks) and len(values) < 12 and _is_link_item(values[-1]):
            following = blocks[values[-1].index + 1]
            if not _is_link_item(following) or following.owner.getparent() is not values[0].owner.getparent():
                break
            values.append(following)
        colon = "" if bare.group(2) or bare.group(1).lower() in _COLON_OPTIONAL else ":"
        text = f"{text}{colon} " + ", ".join(v.text for v in values)
        used = (index, *(v.index for v in values))
        links = [*links, *(link for v in values for link in v.links)]
    if len(text) > 400:
        return None
    segments = meta_segments(text)
    if not segments:
        return None
    first = segments[0]
    if first.kind == "published" and parse_published(first.value) is None:
        return None
    # An "Updated …" line is a date and little else; "Updated figures released on July 5, 2022 show …" is
    # a sentence of the body.
    if first.kind == "updated" and (parse_updated(first.text) is None or len(first.value) > 48):
        return None
    is_byline = first.kind == "author" and first.text.lower().startswith(("by", "written"))
    if is_byline and not (allow_byline and is_byline_value(first.value)):
        return None
    return MetaLine(used, segments, links)


def _is_link_item(block: Block) -> bool:
    """A short line that is one link and nothing else (a field item, a tag)."""
    return len(block.links) == 1 and len(block.text) <= 80 and block.link_chars >= 0.9 * len(block.text)


def names_of(segment: Segment, links: list[Link]) -> list[str]:
    """Author names: the segment's link texts when the names are links, else split on commas and "and"."""
    linked = [link.text for link in links if link.text and link.text in segment.value]
    if linked and sum(map(len, linked)) >= 0.5 * len(re.sub(r"[\s,;&]|\band\b", "", segment.value)):
        return linked
    return split_names(segment.value)


def categories_of(segment: Segment, links: list[Link]) -> list[str]:
    """Category names: link texts when linked, else split on commas; "and" may be part of a name."""
    linked = [link.text for link in links if link.text and link.text in segment.value]
    if linked:
        return linked
    return [part.strip() for part in re.split(r"\s*[,;|]\s*", segment.value) if part.strip()]


# Section labels the site shows above a title. Only these are read as one: a wrong label makes the
# validator drop a good brief, and themes put other short lines there (a category kicker, the series).
KNOWN_SECTIONS = ("The Peninsula", "KEI Spotlight", "KEI Podcasts", "News", "Commentary", "Events",
                  "Publications", "Podcasts")  # fmt: skip
_KEI_SECTION = re.compile(r"^KEI(?: [A-Z][\w’'-]*){1,2}$")
_BREADCRUMB = re.compile(r"\s*(?:»|›|>|/|\\|\|)\s*")


def section_label(block: Block) -> str | None:
    """The section label a short line shows ("The Peninsula"), or None when the line is something else."""
    text = _BREADCRUMB.split(block.text)[-1].strip()
    for known in KNOWN_SECTIONS:
        if text.casefold() == known.casefold():
            return known
    return text if _KEI_SECTION.match(text) else None
