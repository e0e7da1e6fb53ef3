"""A parsed page as a flat list of visible text blocks and images, in document order.

The page objects reason about what a reader sees: lines of text in document order, each knowing the
element that holds it (``linearize``). Class names and ids are never looked at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from lxml.html import HtmlElement

from kei_crawler.pages.document import BLOCK_TAGS
from kei_crawler.text.clean import clean_text
from kei_crawler.text.series import is_caption_sentence, is_credit_line, is_series_blurb

_BOLD_TAGS = {"b", "strong"}
_MAX_DEPTH = 300


@dataclass
class Link:
    text: str
    href: str


@dataclass
class Block:
    """One run of visible text with no block-level element inside it: what a reader sees as a line."""

    index: int
    owner: HtmlElement
    lines: list[str]
    bold_chars: int = 0
    links: list[Link] = field(default_factory=list)
    inlines: list[HtmlElement] = field(default_factory=list)
    soft_break: bool = False
    """True when one <br> (a line break, not a blank line) parts it from the block before, in the same
    element: the line of a paragraph, a bullet under a heading. Table-layout pages set each metadata line
    and each paragraph apart by <br>s alone, so every <br> starts a block and this tells how far apart."""

    @cached_property
    def text(self) -> str:
        return clean_text(" ".join(self.lines))

    # What the text reads as; the reader asks about each block more than once, the answer never changes.
    @cached_property
    def is_series_blurb(self) -> bool:
        return is_series_blurb(self.text)

    @cached_property
    def is_credit_line(self) -> bool:
        return is_credit_line(self.text)

    @cached_property
    def is_caption_sentence(self) -> bool:
        return is_caption_sentence(self.text)

    @cached_property
    def chain(self) -> tuple[HtmlElement, ...]:
        """The owner and its ancestors, innermost first. Blocks are made after chrome removal, and nothing
        changes the tree after that, so the chain computed once stays true (and keeps the proxies alive)."""
        return (self.owner, *self.owner.iterancestors())

    @cached_property
    def _chain_set(self) -> frozenset[HtmlElement]:
        # lxml elements hash and compare by identity, and ``chain`` keeps each proxy alive: a lookup here is
        # the same test as the ``is`` comparisons it replaces.
        return frozenset(self.chain)

    @property
    def tag(self) -> str:
        return str(self.owner.tag)

    @cached_property
    def heading_level(self) -> int | None:
        """1-6 for <h1>-<h6>; 7 for a short paragraph that is bold all through ("What Happened")."""
        if self.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return int(self.tag[1])
        text = self.text
        compact = len(text) - text.count(" ")  # ``text`` is clean: its only white space is single spaces
        if 0 < compact <= self.bold_chars and len(text) <= 100 and not text.endswith("."):
            return 7
        return None

    @property
    def link_chars(self) -> int:
        return sum(len(link.text) for link in self.links)

    def within(self, container: HtmlElement) -> bool:
        return container in self._chain_set


@dataclass
class Image:
    """An <img> in document order: ``before_block`` is the index of the first block after it."""

    element: HtmlElement
    before_block: int


class _Linearizer:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.images: list[Image] = []
        self._owner: HtmlElement | None = None
        self._parts: list[str] = []
        self._bold = 0
        self._links: list[Link] = []
        self._inlines: list[HtmlElement] = []
        self._breaks = 0  # <br>s since the last block of the current owner
        self._last_owner: HtmlElement | None = None

    def _enter(self, owner: HtmlElement) -> None:
        if self._owner is not owner:
            self.flush()
            self._owner = owner
            self._breaks = 0

    def line_break(self, owner: HtmlElement) -> None:
        self._enter(owner)
        self.flush()
        self._breaks += 1

    def add(self, text: str | None, owner: HtmlElement, bold: bool) -> None:
        if not text:
            return
        if self._owner is not owner:
            self._enter(owner)
        self._parts.append(text)
        if bold:
            # Characters that are not white space: str.split() and ``\s`` share one white-space table.
            self._bold += sum(map(len, text.split()))

    def flush(self) -> None:
        if self._parts:
            # Text pieces are joined as they are: an inline tag adds no space ("Kore<b>a</b>" is one word).
            joined = "".join(self._parts)
            self._parts = []
            # White space alone (the indentation between tags, most flushes) cleans to no line at all.
            lines = [] if joined.isspace() else [line for line in map(clean_text, joined.split("\n")) if line]
            if lines and self._owner is not None:
                soft = self._breaks == 1 and self._last_owner is self._owner
                block = Block(
                    len(self.blocks), self._owner, lines, self._bold, self._links, self._inlines, soft
                )
                self.blocks.append(block)
                self._last_owner, self._breaks = self._owner, 0
                self._bold, self._links, self._inlines = 0, [], []  # the block keeps the old lists
                return
        # No block made: reset, reusing empty lists (flush runs at both ends of every block element).
        self._bold = 0
        if self._links:
            self._links = []
        if self._inlines:
            self._inlines = []

    def visit(self, el: HtmlElement, owner: HtmlElement, bold: bool, depth: int) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if depth > _MAX_DEPTH:
            self.add(el.text_content(), owner, bold)
            return
        if tag in BLOCK_TAGS:
            self.flush()
            owner = el
        elif tag == "br":
            self.line_break(owner)
        elif tag == "img":
            self.flush()
            self.images.append(Image(el, len(self.blocks)))
        elif tag:
            self._enter(owner)
            self._inlines.append(el)
            bold = bold or tag in _BOLD_TAGS
            if tag == "a":
                self._links.append(Link(clean_text(el.text_content()), el.get("href") or ""))
        if tag:
            if el.text:
                self.add(el.text, owner, bold)
            for child in el:
                self.visit(child, owner, bold, depth + 1)
                if child.tail:
                    self.add(child.tail, owner, bold)
        if tag in BLOCK_TAGS:
            self.flush()


def linearize(root: HtmlElement) -> tuple[list[Block], list[Image]]:
    """Visible text blocks and images of ``root`` in document order."""
    walker = _Linearizer()
    body = root.find("body")
    walker.visit(body if body is not None else root, root, False, 0)
    walker.flush()
    return walker.blocks, walker.images
