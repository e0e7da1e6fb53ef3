import logging

from scrapy.utils.test import get_crawler

from kei_crawler.logformatter import BriefLogFormatter
from kei_crawler.pipelines.validate import MissingDate
from kei_crawler.spiders.peninsula import PeninsulaSpider


def test_a_dropped_brief_is_one_line_with_reason_and_url() -> None:
    crawler = get_crawler(PeninsulaSpider)
    spider = PeninsulaSpider.from_crawler(crawler)
    exc = MissingDate("http://127.0.0.1:1/the-peninsula/x/", "no publication date")
    result = BriefLogFormatter().dropped({"body": "a very long body " * 100}, exc, None, spider)
    line = result["msg"] % result["args"]
    assert line == "Dropped (MissingDate): http://127.0.0.1:1/the-peninsula/x/: no publication date"
    assert result["level"] == logging.WARNING
