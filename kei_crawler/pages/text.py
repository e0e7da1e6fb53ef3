"""HTML in, a flat list of visible text blocks out: decoding, parsing, chrome removal by tag, linearizing.

The page objects reason about what a reader sees: lines of text in document order, each knowing the
element that holds it. Class names and ids are never looked at, because every redesign of keia.org
renamed them; tags, ARIA roles and the text itself are what survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from kei_crawler.normalize import clean_text, is_caption_sentence, is_credit_line, is_series_blurb

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
# Browsers read these labels as windows-1252; so must we, or curly quotes turn into control characters.
_WINDOWS_1252_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252"}
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(data: str | bytes, encoding: str | None = None) -> str:
    """Text of an HTML document: the given or declared charset, utf-8 failing over to windows-1252."""
    return _decode(data, encoding)[0]


def charset_note(data: str | bytes, encoding: str | None = None) -> str | None:
    """How ``decode_html`` read bytes that are not in the charset they declare, for provenance
    (``"windows-1252 (declared utf-8)"``); None when they are what they say."""
    return _decode(data, encoding)[1]


def _decode(data: str | bytes, encoding: str | None) -> tuple[str, str | None]:
    if isinstance(data, str):
        return data, None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), None
    declared = encoding
    if declared is None:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii", errors="ignore") if match else None
    label = (declared or "utf-8").strip().lower()
    if label in _WINDOWS_1252_ALIASES:
        return data.decode("cp1252", errors="replace"), None
    if label.replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return data.decode(label, errors="replace"), None
        except LookupError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        # Pages saved from an old CMS claim utf-8 but hold windows-1252 bytes (’ as 0x92); so does a
        # server that labels everything utf-8. Read as windows-1252, curly quotes and accents survive.
        note = (
            f"windows-1252 (declared {declared.strip().lower()})" if declared else "windows-1252 (not utf-8)"
        )
        return data.decode("cp1252", errors="replace"), note


# lxml.html's own parser chooses each element's Python class in a Python callback (form, input, label… get
# classes of their own), and the reader creates thousands of element proxies per page. Nothing here uses
# those classes' extras, so a C-level lookup giving every element HtmlElement builds the same tree faster.
_PARSER = etree.HTMLParser()
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)  # fmt: skip


def parse_document(data: str | bytes, encoding: str | None = None) -> HtmlElement | None:
    """The parsed document, or None when there is nothing an HTML parser can make a tree of."""
    text = _XML_DECLARATION.sub("", _CONTROL_CHARS.sub("", decode_html(data, encoding)))
    if not text.strip():
        return None
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root if isinstance(root, HtmlElement) else None


# Site chrome by tag and ARIA role: navigation, footers, sidebars, forms (search, mailing-list sign-up).
_NOISE_TAGS = {
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "iframe", "svg", "button",
    "select", "textarea", "input", "label", "object", "embed", "canvas", "dialog", "head", "menu", "link",
}  # fmt: skip
_NOISE_ROLES = {"navigation", "contentinfo", "complementary", "search", "menu", "menubar", "dialog"}
_DATE_HINT = re.compile(r"\b(?:Published|Posted)\b", re.IGNORECASE)


def strip_chrome(root: HtmlElement) -> None:
    """Remove site chrome in place: noise tags and roles, hidden elements, and page-level headers."""
    doomed: list[HtmlElement] = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            doomed.append(el)  # comments and processing instructions: invisible, tails kept
            continue
        if tag in _NOISE_TAGS:  # the cheap test first: no attribute needs reading
            doomed.append(el)
            continue
        if tag != "header" and not el.attrib:
            continue  # no role, hidden, aria-hidden or style attribute: no test below can hold
        role = (el.get("role") or "").lower()
        if role in _NOISE_ROLES or _is_hidden(el):
            doomed.append(el)
        elif tag == "header" or role == "banner":
            # An article's own header holds the title and the date; the page's header holds the logo and
            # the "Total Index" counter. Only the first kind sits inside <article>/<main> or names a date.
            inside = any(a.tag in ("article", "main") for a in el.iterancestors())
            if not inside and el.find(".//time") is None and not _DATE_HINT.search(el.text_content()):
                doomed.append(el)
    for el in doomed:
        _drop_keeping_tail(el)


def _is_hidden(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or el.get("aria-hidden") == "true" or "display:none" in style


def _drop_keeping_tail(el: HtmlElement) -> None:
    parent = el.getparent()
    if parent is None:
        return
    el.drop_tree()  # keeps the tail text, which belongs to the parent


BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "center", "hgroup",
}  # fmt: skip
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
