"""A readable diff of a changed brief's text: what a person reads to learn what an edit did.

A unified diff (difflib) whose lines are sentences: a body is paragraphs of several sentences, so a diff
over paragraphs shows a whole paragraph for one changed word, and one over words reads as a scatter of
``-``/``+`` fragments. One sentence a line keeps a corrected figure on one ``-`` and one ``+`` line with
a sentence of context. Capped per brief (:data:`TEXT_DIFF_CHARS`), so one rewritten 40,000-character
brief cannot swamp a report or a chat message; the last line says how much was cut.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

TEXT_FIELDS = ("title", "body", "photo_caption")
"""The fields shown as text: the ones a person reads (the rest are named in ``changed_fields``)."""
TEXT_DIFF_CHARS = 2000
"""At most this many characters of diff per brief, cut at a line (a longer first line is cut short)."""
CONTEXT_LINES = 1
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def sentences(text: str) -> list[str]:
    """``text`` one sentence a line: its lines (paragraphs, list items) cut after a sentence's end."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            out += [part for part in _split(line) if part]
    return out


def _split(line: str) -> list[str]:
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        pieces.append(line[start : match.start()] + match.group().rstrip())
        start = match.end()
    pieces.append(line[start:])
    return [piece.strip() for piece in pieces]


def field_diff(name: str, old: str | None, new: str | None) -> list[str]:
    """The unified diff of one field, sentence by sentence; no line when the texts are the same."""
    return list(
        difflib.unified_diff(
            sentences(old or ""), sentences(new or ""),
            fromfile=f"{name} (before)", tofile=f"{name} (after)", n=CONTEXT_LINES, lineterm="",
        )
    )  # fmt: skip


def text_diff(
    old: Mapping[str, str | None], new: Mapping[str, str | None], limit: int = TEXT_DIFF_CHARS
) -> str:
    """The diff of each :data:`TEXT_FIELDS` field that differs between two versions of a brief, in that
    order, at most ``limit`` characters; "" when none of them differs."""
    lines: list[str] = []
    for name in TEXT_FIELDS:
        if old.get(name) != new.get(name):
            lines += field_diff(name, old.get(name), new.get(name))
    return cap(lines, limit)


def cap(lines: list[str], limit: int) -> str:
    """``lines`` joined, whole lines only up to ``limit`` characters, then a line saying what was cut."""
    kept: list[str] = []
    used = 0
    for number, line in enumerate(lines):
        if used + len(line) + 1 > limit:
            if not kept:  # one huge sentence: its start rather than nothing
                kept.append(line[: max(limit - 1, 0)] + "…")
                number += 1
            rest = len(lines) - number
            if rest:
                kept.append(f"… {rest} more line{'' if rest == 1 else 's'} of diff not shown")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)
