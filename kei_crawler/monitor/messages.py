"""A notification's text: what changed between two snapshots, as a title and a markdown or plain body.

Built from :func:`formats.entries` and :func:`formats.detail`, so a notification says what ``diff`` says.
A long list stays readable: each kind shows its first ``limit`` briefs, then how many more there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kei_crawler.monitor import formats
from kei_crawler.monitor.sources import Source
from kei_crawler.storage.snapshot.diff import Changes

DEFAULT_LIMIT = 20
"""Briefs listed per kind of change before "… and N more": a chat message of 200 links is read by no one."""
HEADINGS = {"added": "New", "changed": "Changed", "moved": "Moved", "removed": "Removed"}
TITLE_WORDS = {"added": "new", "changed": "changed", "moved": "moved", "removed": "removed"}


@dataclass(frozen=True)
class Message:
    title: str
    markdown: str
    """For services that render markdown (or HTML, which Apprise converts it to)."""
    text: str
    """For services that show text only: no link syntax, the URL on its own line."""


def title_of(changes: Changes) -> str:
    counts = changes.counts
    told = ", ".join(f"{counts[kind]} {TITLE_WORDS[kind]}" for kind in formats.KINDS if counts[kind])
    return f"The Peninsula: {told or 'no changes'}"


def _markdown_line(kind: str, entry: dict[str, Any]) -> str:
    title = entry["title"].replace("[", "\\[").replace("]", "\\]")
    line = f"- {entry['published']} [{title}]({entry['url']})"
    return line if kind == "added" else f"{line} — {formats.detail(kind, entry)}"


def _text_lines(kind: str, entry: dict[str, Any]) -> list[str]:
    lines = [f"- {entry['published']} {entry['title']}", f"  {entry['url']}"]
    return lines if kind == "added" else [*lines, f"  {formats.detail(kind, entry)}"]


def build(changes: Changes, old: Source, new: Source, limit: int = DEFAULT_LIMIT) -> Message:
    """The message announcing ``changes`` from ``old`` to ``new``, at most ``limit`` briefs per kind."""
    headline = formats.headline(changes, old, new)
    markdown, text = [headline], [headline]
    for kind, items in formats.entries(changes).items():
        if not items:
            continue
        heading = f"{HEADINGS[kind]} ({len(items)})"
        markdown += ["", f"### {heading}", ""]
        text += ["", f"{heading}:"]
        for entry in items[:limit]:
            markdown.append(_markdown_line(kind, entry))
            text += _text_lines(kind, entry)
        if len(items) > limit:
            more = f"- … and {len(items) - limit} more (`kei-crawler diff {old.label} {new.label}`)"
            markdown.append(more)
            text.append(more.replace("`", ""))
    return Message(title_of(changes), "\n".join(markdown) + "\n", "\n".join(text) + "\n")
