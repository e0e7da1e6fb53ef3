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
_SENTENCE_END = re.compile(r"([.!?…][\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")
"""A sentence's end: its mark and any closing quote or bracket (kept, as the group ``re.split`` returns),
then the space before a capital or a digit — "U.S. and" and "2.5%" are no ends."""


def sentences(text: str) -> list[str]:
    """``text`` one sentence a line: its lines (paragraphs, list items) cut after a sentence's end."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            out += [part for part in _split(line) if part]
    return out


def _split(line: str) -> list[str]:
    parts = _SENTENCE_END.split(line)  # text, end mark, text, end mark, …, text: the cutting done in C
    return [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)] + [parts[-1]]


def field_diff(name: str, old: str | None, new: str | None) -> list[str]:
    """The unified diff of one field, sentence by sentence; no line when the texts are the same.

    Lines (paragraphs) the two texts share at their start and end are left out before the rest is cut
    into sentences — all but one on each side, the context — and only counted, for the hunks' line
    numbers: an edit to one paragraph of a long body costs that paragraph's sentences, not the body's."""
    a, b = (
        [line for line in (old or "").split("\n") if line.strip()],
        [line for line in (new or "").split("\n") if line.strip()],
    )
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    head, tail = max(head - 1, 0), max(tail - 1, 0)  # a line of context on each side
    skipped = sum(_count(line) for line in a[:head])
    before = sentences("\n".join(a[head : len(a) - tail]))
    after = sentences("\n".join(b[head : len(b) - tail]))
    lines = list(
        difflib.unified_diff(before, after, fromfile=f"{name} (before)", tofile=f"{name} (after)",
                             n=CONTEXT_LINES, lineterm="")
    )  # fmt: skip
    return [_shifted(line, skipped) if line.startswith("@@") else line for line in lines]


def _count(line: str) -> int:
    """How many sentences ``sentences`` cuts ``line`` into."""
    return len(_SENTENCE_END.findall(line.strip())) + 1


_HUNK = re.compile(r"@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@")


def _shifted(header: str, by: int) -> str:
    """A hunk header's line numbers moved down by the ``by`` sentences left out above it."""
    found = _HUNK.fullmatch(header)
    if found is None or by == 0:
        return header
    old_start, old_len, new_start, new_len = found.groups()
    return f"@@ -{int(old_start) + by}{old_len} +{int(new_start) + by}{new_len} @@"


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
