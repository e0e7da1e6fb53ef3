"""Drop what is not a usable brief, each for a named reason.

One DropItem subclass per reason, so Scrapy's core stats count them as
``item_dropped_reasons_count/<Reason>`` and the run summary can show why a page is missing. The fields
arrive clean from the page object: they are checked here, not cleaned again.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from kei_crawler.pages import missing_reason
from kei_crawler.pipelines.drops import BriefDropped
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
        adapter = ItemAdapter(item)
        if "published_raw" not in adapter or "fetched_url" not in adapter:
            return item  # not a brief as the spider yields it
        where = adapter["fetched_url"]
        section = adapter.get("section")
        if section and section.casefold() != SECTION_LABEL.casefold():
            raise NotABrief(where, f"section is {section!r}, not {SECTION_LABEL!r}")
        # Each reason names the field and the strategies tried, so a redesign shows where it bit.
        if not adapter.get("title", "").strip():
            raise MissingTitle(where, f"no title ({missing_reason('title')})")
        published_raw = adapter.get("published_raw", "")
        if not published_raw.strip():
            raise MissingDate(where, f"no publication date ({missing_reason('published_raw')})")
        if parse_published(published_raw) is None:
            raise UnparseableDate(where, f"published_raw {published_raw!r} is not a date")
        if not adapter.get("body", "").strip():
            raise EmptyBody(where, f"empty body ({missing_reason('body')})")
        return item
