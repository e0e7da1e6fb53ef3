"""Where things are on a brief page: the title/date anchor, where the post ends, which element holds the body.

All decisions are made on the linear list of text blocks (``blocks.linearize``) and the element tree's
shape; the page's own metadata (JSON-LD, Open Graph, <title>) only tells which visible block is the title.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from lxml.html import HtmlElement

from kei_crawler.pages.blocks import Block
from kei_crawler.pages.meta import meta_line_at, section_label
from kei_crawler.pages.strategies import first_found
from kei_crawler.pages.structured import Structured
from kei_crawler.text.clean import clean_text, clean_title
from kei_crawler.text.dates import parse_published


def _is_heading(block: Block) -> bool:
    return block.heading_level is not None and section_label(block) is None


def _labelled_date(blocks: list[Block], block: Block) -> str | None:
    line = meta_line_at(blocks, block.index, allow_byline=False)
    for segment in line.segments if line else ():
        if segment.kind == "published" and parse_published(segment.value) is not None:
            return segment.text
    return None


def _time_date(blocks: list[Block], block: Block) -> str | None:
    for el in block.inlines:
        if el.tag != "time":
            continue
        visible = clean_text(el.text_content())
        if parse_published(visible) is not None:
            return visible
        stamp = clean_text(el.get("datetime") or "")
        if parse_published(stamp) is not None:
            return stamp
    return None


def _bare_date(block: Block) -> str | None:
    text = block.text
    return text if len(text) <= 40 and parse_published(text) is not None else None


@dataclass
class Anchor:
    """Where the post starts: its title and date blocks (None when not shown), and how each was found."""

    title_index: int | None = None
    title_via: str | None = None
    date_index: int | None = None
    date_raw: str = ""
    date_via: str | None = None


def _confirmed_titles(blocks: list[Block], structured: Structured) -> dict[str, Callable[[], int | None]]:
    """Per metadata source, a finder of the block that shows the title it claims (headings preferred); a
    section label ("The Peninsula" from a bare <title>) is never the title."""
    titles = structured.titles()
    if not titles:
        return {}
    # Each block's title form once, not once per metadata source; a block far longer than every title
    # cannot show one (a site-name suffix is short), and is not worth clean_title's suffix passes.
    longest = max(len(title) for _, title in titles) + 200
    keys = [clean_title(b.text).casefold() if len(b.text) <= longest else "" for b in blocks]

    def shown(title: str) -> int | None:
        key = title.casefold()
        matches = [b for b, k in zip(blocks, keys, strict=True) if k == key and section_label(b) is None]
        matches.sort(key=lambda b: (b.heading_level is None, b.index))
        return matches[0].index if matches else None

    return {via: partial(shown, title) for via, title in titles}


def anchor(blocks: list[Block], structured: Structured) -> Anchor:
    """The title block and the date line, each by its strategies in order (``strategies.STRATEGIES``)."""
    found = Anchor()
    if hit := first_found("title", _confirmed_titles(blocks, structured)):
        found.title_via, found.title_index = hit
    title_index = found.title_index
    # Look from the title on first; then anywhere, for themes that print the date above the title.
    order = blocks[title_index:] + blocks[:title_index] if title_index is not None else blocks

    def shown_by(finder: Callable[[list[Block], Block], str | None]) -> Callable[[], tuple[int, str] | None]:
        return lambda: next(((b.index, text) for b in order if (text := finder(blocks, b))), None)

    def bare_date() -> tuple[int, str] | None:
        # A bare date line counts only right below a heading: listing widgets print bare dates too.
        for block in blocks:
            near = blocks[max(0, block.index - 3) : block.index]
            title_near = title_index is not None and block.index - 3 <= title_index < block.index
            if (title_near or (title_index is None and any(map(_is_heading, near)))) and _bare_date(block):
                return block.index, block.text
        return None

    dated = {
        "text-layout": shown_by(_labelled_date),
        "time-element": shown_by(_time_date),
        "date-line": bare_date,
    }
    if hit_date := first_found("published_raw", dated):
        found.date_via, (found.date_index, found.date_raw) = hit_date
    if found.title_index is None:
        heading = first_found(
            "title", {"heading": lambda: _title_near(blocks, found.date_index, after=not structured.titles())}
        )
        if heading:
            found.title_via, found.title_index = heading
    return found


def _title_near(blocks: list[Block], date_index: int | None, after: bool) -> int | None:
    """The heading nearest above the date line, else the first <h1>; with ``after``, else the first
    heading below the date (only when no metadata names a title that could be taken instead)."""
    if date_index is not None:
        # When the date sits in an <article> or <main>, so does the title: a heading outside it is a
        # sidebar's or a sign-up box's.
        scope = next(
            (a for a in blocks[date_index].owner.iterancestors() if a.tag in ("article", "main")), None
        )
        for block in reversed(blocks[max(0, date_index - 8) : date_index]):
            if (
                _is_heading(block)
                and (block.heading_level or 7) <= 6
                and (scope is None or block.within(scope))
            ):
                return block.index
    first_h1 = next((b.index for b in blocks if b.heading_level == 1), None)
    if first_h1 is not None:
        return first_h1
    if after and date_index is not None:
        return next((b.index for b in blocks[date_index + 1 :] if _is_heading(b)), None)
    return None


_STOP = re.compile(
    r"^(?:return to (?:the )?[\w ]+|back to (?:the )?[\w ]+|stay informed|register to receive updates.*"
    r"|related (?:posts|articles|content|reading|publications)|you (?:may|might) also (?:like|enjoy)"
    r"|recent posts|more from [\w ]+|comments?|leave a (?:reply|comment)|subscribe to [\w ]+[!.]?"
    r"|(?:\d+|one|no|two|three) (?:comments?|responses?|replies|thoughts?)(?: (?:to|on) .*)?|comments? \(\d+\)"
    r"|(?:copyright|©).*|.*all rights reserved\.?)$",
    re.IGNORECASE,
)


def is_stop_line(block: Block) -> bool:
    """A closing-chrome line ("Return to the Peninsula", "Related posts", "2 Responses to …")."""
    return len(block.text) <= 80 and _STOP.match(block.text) is not None


def stop_index(blocks: list[Block], start: int) -> int:
    """Where the post ends: the first closing-chrome line ("Return to the Peninsula", "Stay Informed")."""
    for block in blocks[start:]:
        if len(block.text) <= 80 and _STOP.match(block.text):
            return block.index
    return len(blocks)


_SENTENCE_END = re.compile(r"[.!?…][”’\"')]?$")


def is_prose(text: str) -> bool:
    """A line of running text: long, or a sentence of a few words."""
    return len(text) >= 50 or (len(text) >= 25 and " " in text and _SENTENCE_END.search(text) is not None)


def content_container(content: list[Block]) -> HtmlElement | None:
    """The deepest element holding nearly all of the post's prose: the body, wherever the theme put it.

    Series blurb, credit line and captions are left out of the count: themes often set them apart, and
    they must not pull the choice up to a wrapper that also holds a sidebar or a listing widget.
    """
    own = [b for b in content if not (b.is_series_blurb or b.is_credit_line or b.is_caption_sentence)]
    # Prose: long lines, or shorter ones that end a sentence (a bullet, a one-line paragraph); menus,
    # labels and bylines do neither.
    prose = [b for b in own if b.heading_level is None and is_prose(b.text)] or own
    total = sum(len(b.text) for b in prose)
    if not total:
        return None
    coverage: dict[HtmlElement, int] = {}
    for block in prose:
        for el in block.chain:
            coverage[el] = coverage.get(el, 0) + len(block.text)
    enough = [el for el, covered in coverage.items() if covered >= 0.8 * total]
    return max(enough, key=lambda el: sum(1 for _ in el.iterancestors()))


def _list_of(block: Block) -> HtmlElement | None:
    """The outermost list a block is an item of, so nested items stay in one list block."""
    chain = block.chain
    if not any(el.tag == "li" for el in chain):
        return None
    lists = [el for el in chain if el.tag in ("ul", "ol")]
    return lists[-1] if lists else None


def body_text(paragraphs: list[Block]) -> str:
    """Blocks in the body format: one paragraph each, consecutive list items as one "- item" block."""
    out: list[str] = []
    items: list[str] = []
    current: HtmlElement | None = None
    previous: Block | None = None
    for block in paragraphs:
        joins = block.soft_break and previous is not None and previous.index == block.index - 1
        previous = block
        if joins and out and not items:
            out[-1] += "\n" + block.text  # a line of the same paragraph (or bullet block)
            continue
        lst = _list_of(block)
        if lst is not None and lst is current:
            items.append(block.text)
            continue
        if items:
            out.append("\n".join(f"- {item}" for item in items))
            items = []
        current = lst
        if lst is not None:
            items.append(block.text)
        else:
            # Source newlines are white space to a browser; only <br> (a new block) breaks a line.
            out.append(block.text)
    if items:
        out.append("\n".join(f"- {item}" for item in items))
    return "\n\n".join(out)


# Lines that only make sense as page furniture: share widgets, "Read more", print buttons.
_BOILERPLATE = re.compile(
    r"^(?:share(?: this)?(?: (?:post|article|page))?:?|print|tweet|email|read more|back to top|download pdf)$",
    re.IGNORECASE,
)


def is_boilerplate(block: Block) -> bool:
    text = block.text
    if _BOILERPLATE.match(text):
        return True
    # A line that is nothing but links (tag clouds, "Previous / Next" post links) is navigation.
    return bool(block.links) and block.link_chars >= 0.9 * len(re.sub(r"\s", "", text)) and len(text) < 200


def _is_link_line(block: Block) -> bool:
    return bool(block.links) and block.link_chars >= 0.9 * len(block.text)


def in_link_menu(blocks: list[Block], block: Block) -> bool:
    """True for a line of a <br>-separated run of links (a sidebar menu: "Blog home / News / Events")."""
    if not _is_link_line(block):
        return False
    after = blocks[block.index + 1] if block.index + 1 < len(blocks) else None
    before = blocks[block.index - 1] if block.index > 0 else None
    return (block.soft_break and before is not None and _is_link_line(before)) or (
        after is not None and after.soft_break and _is_link_line(after)
    )
