"""HTML in, a parsed document without its chrome out: decoding, parsing, chrome removal by tag.

The page objects reason about what a reader sees: lines of text in document order, each knowing the
element that holds it. Class names and ids are never looked at, because every redesign of keia.org
renamed them; tags, ARIA roles and the text itself are what survive.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from kei_crawler.pages.flatten import flatten

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
        except (LookupError, UnicodeError):
            pass  # no such codec, or one that is no charset (idna, undefined): read as utf-8 below
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
def _parser(huge_tree: bool) -> etree.HTMLParser:
    parser = etree.HTMLParser(huge_tree=huge_tree)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )  # fmt: skip
    return parser


# libxml2's limits stay on for the first parse: where it stops at one (nesting past 256 levels, a text,
# comment or attribute value past 10 MB) it drops the rest of the page, so the page is parsed once more,
# flattened (pages.flatten) and without the size limits. Its size is bounded already: DOWNLOAD_MAXSIZE.
_PARSER = _parser(huge_tree=False)
_UNLIMITED = _parser(huge_tree=True)


def parse_document(data: str | bytes, encoding: str | None = None) -> HtmlElement | None:
    """The parsed document, or None when there is nothing an HTML parser can make a tree of."""
    text = _XML_DECLARATION.sub("", _CONTROL_CHARS.sub("", decode_html(data, encoding)))
    if not text.strip():
        return None
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
        if _stopped_at_a_limit(_PARSER):
            root = lxml.html.document_fromstring(flatten(text, breaks=BLOCK_TAGS), parser=_UNLIMITED)
    except (etree.ParserError, ValueError):
        return None
    return root if isinstance(root, HtmlElement) else None


def _stopped_at_a_limit(parser: etree.HTMLParser) -> bool:
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


# Site chrome by tag and ARIA role: navigation, footers, sidebars, forms (search, mailing-list sign-up).
_NOISE_TAGS = {
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "iframe", "svg", "button",
    "select", "textarea", "input", "label", "object", "embed", "canvas", "dialog", "head", "menu", "link",
    "title",  # a stray <title> in the body is invisible too, and unclosed it swallows the rest as text
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
        if role in _NOISE_ROLES or is_hidden(el):
            doomed.append(el)
        elif tag == "header" or role == "banner":
            # An article's own header holds the title and the date; the page's header holds the logo and
            # the "Total Index" counter. Only the first kind sits inside <article>/<main> or names a date.
            inside = any(a.tag in ("article", "main") for a in el.iterancestors())
            if not inside and el.find(".//time") is None and not _DATE_HINT.search(el.text_content()):
                doomed.append(el)
    for el in doomed:
        _drop_keeping_tail(el)


def is_hidden(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or el.get("aria-hidden") == "true" or "display:none" in style


def _drop_keeping_tail(el: HtmlElement) -> None:
    """``el.drop_tree()``: the element goes, its tail text (which belongs to the parent) stays. The text
    is joined here, not by lxml's drop_tree, because lxml refuses to set a text holding a character an
    XML document may not (a page's "&#1;" parses to one): those are left out."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = xml_safe((parent.text or "") + el.tail)
        else:
            previous.tail = xml_safe((previous.tail or "") + el.tail)
    parent.remove(el)


# Characters no XML 1.0 document may hold, and that no reader sees (lxml refuses them in a text it is given).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return NOT_IN_XML.sub("", text) if NOT_IN_XML.search(text) else text


BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "center", "hgroup",
}  # fmt: skip
