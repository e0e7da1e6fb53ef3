"""Page objects: HTML in, fields out, no Scrapy — they run on saved pages as well as on responses."""

from kei_crawler.pages.brief import FIELD_NAMES, BriefPage
from kei_crawler.pages.index import IndexPage
from kei_crawler.pages.strategies import STRATEGIES, missing_reason

__all__ = ["FIELD_NAMES", "STRATEGIES", "BriefPage", "IndexPage", "missing_reason"]
