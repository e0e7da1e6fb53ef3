"""BriefPage: one brief's fields read from its HTML, and which strategy found each (its provenance).

The reading itself is ``pages.reader``'s; the strategies and their order are ``pages.strategies``'.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from kei_crawler.pages.document import NOT_IN_XML, parse_document
from kei_crawler.pages.fields import FieldReader
from kei_crawler.text.clean import clean_body, clean_text

_OPTIONAL = {"section", "series", "credits", "photo_caption", "photo_url"}

# Exactly RawBrief's page fields: the spider passes ``**page.fields()`` into it.
FIELD_NAMES = ("section", "title", "published_raw", "updated_raw", "authors", "categories", "series", "body",
               "credits", "photo_caption", "photo_url")  # fmt: skip


class BriefPage:
    """The fields of one brief page; bytes are decoded with ``encoding`` or the page's declared charset."""

    def __init__(self, url: str, html: str | bytes, encoding: str | None = None) -> None:
        self.url = url
        self._html = html
        self._encoding = encoding

    def fields(self) -> dict[str, Any]:
        """Exactly the keys of :data:`FIELD_NAMES`, values already clean."""
        return dict(self._read[0])

    def provenance(self) -> dict[str, str]:
        """Field name → the strategy that found it (``pages.STRATEGIES``); a field nothing found is absent."""
        return dict(self._read[1])

    @property
    def _fields(self) -> dict[str, Any]:
        return self._read[0]

    @property
    def section(self) -> str | None:
        """The section label shown above the title ("The Peninsula"), else None."""
        value: str | None = self._fields["section"]
        return value

    @property
    def title(self) -> str:
        """The displayed title, no site-name suffix."""
        value: str = self._fields["title"]
        return value

    @property
    def published_raw(self) -> str:
        """The text the date was read from ("Published July 24, 2022"); "" when none."""
        value: str = self._fields["published_raw"]
        return value

    @property
    def updated_raw(self) -> str:
        """The text of an "Updated …" / "Last updated …" / "Modified …" line the page shows; "" when none."""
        value: str = self._fields["updated_raw"]
        return value

    @property
    def authors(self) -> list[str]:
        """Names from "Author(s):" / "By" lines or JSON-LD; [] when none."""
        value: list[str] = self._fields["authors"]
        return value

    @property
    def categories(self) -> list[str]:
        """Names from "Category:" lines; [] when none."""
        value: list[str] = self._fields["categories"]
        return value

    @property
    def series(self) -> str | None:
        """ "Korea View" for that series' briefs, else None."""
        value: str | None = self._fields["series"]
        return value

    @property
    def body(self) -> str:
        """The brief's own text in the body format (see ``normalize.clean_body``)."""
        value: str = self._fields["body"]
        return value

    @property
    def credits(self) -> str | None:
        """The editors' credit line, else None."""
        value: str | None = self._fields["credits"]
        return value

    @property
    def photo_caption(self) -> str | None:
        """The caption of the brief's photo, else None."""
        value: str | None = self._fields["photo_caption"]
        return value

    @property
    def photo_url(self) -> str | None:
        """Absolute URL of the brief's photo, else None."""
        value: str | None = self._fields["photo_url"]
        return value

    @cached_property
    def _read(self) -> tuple[dict[str, Any], dict[str, str]]:
        empty: dict[str, Any] = {
            "section": None, "title": "", "published_raw": "", "updated_raw": "", "authors": [],
            "categories": [], "series": None, "body": "", "credits": None, "photo_caption": None,
            "photo_url": None,
        }  # fmt: skip
        root = parse_document(self._html, self._encoding)
        if root is None:
            return empty, {}
        try:
            reader = FieldReader(self.url, root)
            return {**empty, **_without_controls(reader.read())}, reader.provenance
        except RecursionError:
            # Pathologically nested markup; lxml caps depth at 255 and the walkers at 300, this is the last
            # guard: the page reads as empty and the validator drops it with its reason.
            return empty, {}


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
