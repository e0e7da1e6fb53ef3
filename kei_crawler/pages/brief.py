"""BriefPage: one brief's fields read from its HTML, clean, and which strategy found each (provenance).

The reading itself is ``pages.fields``'; the strategies and their order are ``pages.strategies``'. The
values come out in their final form — the one cleaning they get — so the pipelines check and convert
them but never clean them again.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, NamedTuple

from kei_crawler.items import empty_page_fields
from kei_crawler.pages.document import NOT_IN_XML, charset_note, parse_document
from kei_crawler.pages.fields import FieldReader
from kei_crawler.pages.requisites import Requisites
from kei_crawler.text.clean import clean_body, clean_text

# Page fields that are None, not "", when the page shows nothing.
_OPTIONAL = {name for name, value in empty_page_fields().items() if value is None}


class PageRead(NamedTuple):
    """What a brief page shows: the fields of :data:`items.PAGE_FIELDS` and their provenance."""

    fields: dict[str, Any]
    provenance: dict[str, str]
    """Field name → the strategy that found it (``pages.STRATEGIES``); a field nothing found is absent,
    and ``encoding`` says how bytes that lied about their charset were read."""
    requisites: Requisites = Requisites()
    """The images inside the brief's content and the page's stylesheets (``pages.requisites``)."""


class BriefPage:
    """The fields of one brief page; bytes are decoded with ``encoding`` or the page's declared charset."""

    def __init__(self, url: str, html: str | bytes, encoding: str | None = None) -> None:
        self.url = url
        self._html = html
        self._encoding = encoding

    def fields(self) -> dict[str, Any]:
        """Exactly the keys of :data:`items.PAGE_FIELDS`, values clean."""
        return dict(self._read[0])

    def provenance(self) -> dict[str, str]:
        """Field name → the strategy that found it (``pages.STRATEGIES``); a field nothing found is absent."""
        return dict(self._read[1])

    def requisites(self) -> Requisites:
        """The images inside the brief's own content (its photo first) and the page's stylesheets."""
        return self._read[2]

    def read(self) -> PageRead:
        provenance = self.provenance()
        if note := charset_note(self._html, self._encoding):
            provenance["encoding"] = note  # bytes that lied about their charset, and how they were read
        return PageRead(self.fields(), provenance, self.requisites())

    @cached_property
    def _read(self) -> tuple[dict[str, Any], dict[str, str], Requisites]:
        empty = empty_page_fields()
        root = parse_document(self._html, self._encoding)
        if root is None:
            return empty, {}, Requisites()
        try:
            reader = FieldReader(self.url, root)
            fields = {**empty, **_without_controls(reader.read())}
            return fields, reader.provenance, reader.requisites
        except RecursionError:
            # Pathologically nested markup; lxml caps depth at 255 and the walkers at 300, this is the last
            # guard: the page reads as empty and the validator drops it with its reason.
            return empty, {}, Requisites()


def read_brief(url: str, body: bytes) -> PageRead:
    """The page read, as the spider (in its own process or in a worker) and ``reextract`` read it."""
    return BriefPage(url, body).read()


def _without_controls(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields without a character an XML 1.0 document may not hold (the Atom feed is one; a page's
    "&#1;" parses to one), white space tidied again where one was (seldom: no page of the site has one)."""

    def clean(name: str, value: Any) -> Any:
        if isinstance(value, list):
            return [kept for kept in (clean(name, item) for item in value) if kept]
        if not isinstance(value, str) or not NOT_IN_XML.search(value):
            return value
        text = NOT_IN_XML.sub(" ", value)
        if name == "body":
            return clean_body(text)
        return clean_text(text) or (None if name in _OPTIONAL else "")

    return {name: clean(name, value) for name, value in fields.items()}
