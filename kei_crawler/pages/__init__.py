"""Page objects: HTML in, clean fields out, no Scrapy — they run on saved pages as well as on responses."""

from kei_crawler.pages.brief import BriefPage, PageRead, read_brief
from kei_crawler.pages.index import IndexPage
from kei_crawler.pages.strategies import STRATEGIES, missing_reason

__all__ = ["STRATEGIES", "BriefPage", "IndexPage", "PageRead", "missing_reason", "read_brief"]
