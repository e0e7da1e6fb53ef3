"""Pieces every theme's brief page shares: inline text (clean or messy), blurb, credit line, names, categories.

Each theme decides the tags around them; what they say is the same everywhere, so every theme shows the
same visible text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from kei_crawler.replica import chrome
from kei_crawler.replica.chrome import esc
from kei_crawler.replica.model import BLURB, Block, Brief
from kei_crawler.replica.prose import join_names

BlockRenderer = Callable[[Block, bool], str]


def inline(text: str, messy: bool) -> str:
    """Text as HTML; for "messy" briefs as a hand-edited CMS leaves it: NFD, entities, hard wraps, NBSPs."""
    out = esc(text)
    if not messy:
        return out
    out = unicodedata.normalize("NFD", out).replace("’", "&#8217;")
    words = out.split(" ")
    pieces: list[str] = []
    for i, word in enumerate(words):
        pieces.append(word)
        if i < len(words) - 1:
            pieces.append("\n        " if i % 9 == 8 else "&nbsp;" if i % 13 == 12 else " ")
    return "".join(pieces)


def blurb_html(base: str, italic: str | None, wrapper: str | None = "p") -> str:
    """The Korea View blurb with its two links, in ``wrapper`` if any (and ``italic`` inside it)."""
    text = esc(BLURB)
    text = text.replace(
        "comes from Korea View,", f'comes from&nbsp;<a href="{base}/korea-view/">Korea View</a>,'
    )
    text = text.replace("online form here.", f'online form&nbsp;<a href="{base}/subscribe/">here</a>.')
    inner = f"<{italic}>{text}</{italic}>" if italic else text
    return f"<{wrapper}>{inner}</{wrapper}>" if wrapper else inner


def credit(brief: Brief) -> str:
    assert brief.credits is not None
    return brief.credits_html or inline(brief.credits, brief.messy)


def names(brief: Brief, base: str | None) -> str:
    """The Author(s) line's names, linked to contributor pages when ``base`` is given."""
    if base is None:
        parts = [inline(name, brief.messy) for name in brief.authors]
    else:
        parts = [
            f'<a href="{base}/contributor/{chrome.slug_for_name(n)}/" rel="author">{inline(n, brief.messy)}</a>'
            for n in brief.authors
        ]
    return join_names(parts)


def author_label(brief: Brief) -> str:
    return "Authors:" if len(brief.authors) > 1 else "Author:"


def categories(brief: Brief, base: str | None) -> str:
    if base is None:
        return ", ".join(esc(c) for c in brief.categories)
    return ", ".join(
        f'<a href="{base}/category/{chrome.slug_for_name(c)}/" rel="tag">{esc(c)}</a>'
        for c in brief.categories
    )


def body_parts(
    brief: Brief,
    base: str,
    block_html: BlockRenderer,
    italic_blurb: str | None,
    blurb_wrapper: str | None = "p",
) -> list[str]:
    """Blurb and body in page order (the credit line and the caption are each theme's business)."""
    blurb = blurb_html(base, italic_blurb, blurb_wrapper)
    parts = [blurb] if brief.blurb_position == "top" else []
    parts += [block_html(block, brief.messy) for block in brief.blocks]
    if brief.blurb_position == "end":
        parts.append(blurb)
    return parts
