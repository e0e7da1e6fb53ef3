"""The framework's floor: a bare Scrapy spider fetching a given list of URLs and doing nothing with them.

``python -m benchmarks.bare URLS_FILE SETTINGS_JSON [--items]`` requests every URL in the file (one a
line) with the given Scrapy settings and nothing else: no parsing, no items, no pipelines, no WARC, no
snapshot, no job directory. With ``--items`` it also does the least a spider that archives briefs must
do in Scrapy: one item per brief page (a dict of its URL), through one item pipeline that returns it —
Scrapy's own cost of carrying items, which no crawler built on it can avoid. It imports Scrapy and nothing of kei-crawler, so its start-up and memory are Scrapy's
own; the settings (``benchmarks.crawl.bare_settings``) are the ones our crawl runs with, and the list
is the replica's request log of one of our crawls, so both fetch exactly the same URLs the same way.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

_BRIEF = re.compile(r"/the-peninsula/(?!page/)[^/?]+/?$")


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response) -> None:
        """Nothing: the response has been downloaded, which is all the floor is about."""


class ItemSpider(BareSpider):
    name = "bare_items"

    def parse(self, response: Response) -> Iterator[dict[str, str]]:  # type: ignore[override]
        if _BRIEF.search(response.url):
            yield {"url": response.url}


class PassPipeline:
    def process_item(self, item: Any) -> Any:
        return item


def main(argv: list[str]) -> int:
    urls = [line for line in Path(argv[0]).read_text().splitlines() if line]
    settings = json.loads(argv[1])
    spider: type[BareSpider] = BareSpider
    if "--items" in argv[2:]:
        spider = ItemSpider
        settings["ITEM_PIPELINES"] = {"benchmarks.bare.PassPipeline": 100}
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, urls=urls)
    process.start()
    assert crawler.stats is not None
    return 0 if crawler.stats.get_value("finish_reason") == "finished" else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
