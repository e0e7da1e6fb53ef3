"""Markup nested deeper than libxml2 parses, flattened so that the rest of the page is still read.

libxml2's HTML parser stops at 256 levels of nesting ("Excessive depth in document") and drops everything
after that point: a page with 300 unclosed <div>s before its post would lose the whole post without a
word, one with them in the middle the second half of it. Browsers keep such text (Chrome re-parents what
lies deeper than 512 levels). So when the parser says it stopped there, the page is parsed again with
every tag deeper than :data:`MAX_DEPTH` taken out: the text stays, in order, inside the deepest element
kept, and a block element taken out leaves a <br> (no depth) so that its lines stay lines. Every step here
is linear in the page's size, whatever the page holds.
"""

from __future__ import annotations

import re
from collections.abc import Collection

MAX_DEPTH = 200  # below libxml2's 256, with room for the html/body/tbody elements it adds itself
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
                   "source", "track", "wbr"})  # fmt: skip
# Opening one of these closes an open one of the same name (a list of <li>s without </li>).
_SIBLINGS = frozenset({"p", "li", "dt", "dd", "option", "tr", "td", "th"})
_CLOSE_SEARCH = 64  # how far down the open elements a closing tag looks for its opening one
# Comments and raw-text elements are copied whole (a "<div>" inside a script is no tag); an unclosed one
# runs to the end, as it does for the parser. A tag stops at the next "<" or ">", so a page of "<a<a<a…"
# costs one pass, not one pass per "<".
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title|xmp|iframe|noscript|noembed|noframes|plaintext)\b[^<>]*>.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][^\s/<>]*)[^<>]*>",
    re.DOTALL | re.IGNORECASE,
)


def flatten(text: str, max_depth: int = MAX_DEPTH, breaks: Collection[str] = ()) -> str:
    """``text`` with every element opened deeper than ``max_depth`` reduced to its content; the tags of
    those in ``breaks`` become <br>."""
    stack: list[tuple[str, bool]] = []  # open elements: (tag, removed)
    kept = 0  # open elements not removed: the depth the parser will see
    pieces: list[str] = []
    copied = 0
    for match in _TOKEN.finditer(text):
        name = match.group(3)
        if name is None:
            continue  # a comment or a raw-text element: copied as it is
        name = name.lower()
        if name in _VOID:
            continue
        remove = False
        if match.group(2):  # a closing tag: closes its opening one and everything opened since
            bottom = max(-1, len(stack) - 1 - _CLOSE_SEARCH)
            at = next((i for i in range(len(stack) - 1, bottom, -1) if stack[i][0] == name), None)
            if at is None:
                continue  # a stray closing tag; the parser ignores it too
            remove = stack[at][1]
            kept -= sum(1 for _, removed in stack[at:] if not removed)
            del stack[at:]
        else:
            if name in _SIBLINGS and stack and stack[-1][0] == name:
                kept -= not stack.pop()[1]
            remove = kept >= max_depth
            stack.append((name, remove))
            kept += not remove
        if remove:
            pieces.append(text[copied : match.start()])
            pieces.append("<br>" if name in breaks else "")
            copied = match.end()
    pieces.append(text[copied:])
    return "".join(pieces)
