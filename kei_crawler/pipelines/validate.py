"""Drop what is not a usable brief, each for a named reason.

One DropItem subclass per reason, so Scrapy's core stats count them as
``item_dropped_reasons_count/<Reason>`` and the run summary can show why a page is missing.
"""

from __future__ import annotations

from typing import Any

from kei_crawler.items import RawBrief
from kei_crawler.pages import missing_reason
from kei_crawler.pipelines.drops import BriefDropped
from kei_crawler.text.clean import clean_body, clean_text
from kei_crawler.text.dates import parse_published

SECTION_LABEL = "The Peninsula"


class NotABrief(BriefDropped):
    """The page shows another section's label (news, podcasts…), though its URL looked like a brief."""


class MissingTitle(BriefDropped):
    """No title could be read from the page."""


class MissingDate(BriefDropped):
    """No publication date line, <time> or structured date was found."""


class UnparseableDate(BriefDropped):
    """A date text was found but is not a date."""


class EmptyBody(BriefDropped):
    """The page has no text of its own once chrome, blurb, credits and caption are removed."""


class ValidatePipeline:
    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawBrief):
            return item
        where = item.fetched_url
        if item.section and clean_text(item.section).casefold() != SECTION_LABEL.casefold():
            raise NotABrief(where, f"section is {item.section!r}, not {SECTION_LABEL!r}")
        # Each reason names the field and the strategies tried, so a redesign shows where it bit.
        if not clean_text(item.title):
            raise MissingTitle(where, f"no title ({missing_reason('title')})")
        if not clean_text(item.published_raw):
            raise MissingDate(where, f"no publication date ({missing_reason('published_raw')})")
        if parse_published(item.published_raw) is None:
            raise UnparseableDate(where, f"published_raw {item.published_raw!r} is not a date")
        if not clean_body(item.body):
            raise EmptyBody(where, f"empty body ({missing_reason('body')})")
        return item
