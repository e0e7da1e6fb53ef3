"""The JOBDIR queues: in memory while the crawl runs, Scrapy's own disk format when it stops, and back."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.squeues import PickleFifoDiskQueue, PickleLifoDiskQueue
from scrapy.utils.test import get_crawler

from kei_crawler.squeues import HeldFifoQueue, HeldLifoQueue


class QueueSpider(Spider):
    name = "queues"

    def parse_page(self, response: object) -> None:
        """A callback the queue must keep by name."""


def drain(queue: object) -> list[str]:
    urls = []
    while (request := queue.pop()) is not None:  # type: ignore[attr-defined]
        urls.append(request.url)
    return urls


CASES = [(HeldLifoQueue, PickleLifoDiskQueue), (HeldFifoQueue, PickleFifoDiskQueue)]


@pytest.mark.parametrize(("held", "scrapys"), CASES, ids=["lifo", "fifo"])
def test_a_closed_queue_is_scrapys_own_file_in_the_same_order(
    tmp_path: Path, held: Any, scrapys: Any
) -> None:
    crawler = get_crawler(QueueSpider)
    crawler.spider = QueueSpider()
    key = str(tmp_path / "requests.queue" / "p0")
    urls = [f"https://keia.org/the-peninsula/b-{n}/" for n in range(6)]
    queue = held.from_crawler(crawler, key)
    for url in urls:
        queue.push(Request(url, callback=crawler.spider.parse_page, meta={"n": url[-2]}))
    assert len(queue) == 6 and queue.peek().url == (urls[-1] if held is HeldLifoQueue else urls[0])
    assert queue.pop().url == (urls[-1] if held is HeldLifoQueue else urls[0])
    queue.close()  # what the scheduler does when a crawl stops
    assert Path(key).exists()
    order = urls[:-1][::-1] if held is HeldLifoQueue else urls[1:]
    # Scrapy's own queue reads what was written, in order, callbacks and meta intact …
    stored = scrapys.from_crawler(crawler, key)
    request = stored.peek()
    assert request.callback == crawler.spider.parse_page and request.meta["n"] == order[0][-2]
    assert drain(stored) == order
    stored.close()
    # … and a resumed crawl's queue reads back what Scrapy's own queue leaves.
    stored = scrapys.from_crawler(crawler, key)
    for url in order[::-1] if held is HeldLifoQueue else order:
        stored.push(Request(url, callback=crawler.spider.parse_page))
    stored.close()
    resumed = held.from_crawler(crawler, key)
    assert len(resumed) == len(order) and drain(resumed) == order


def test_an_empty_queue_writes_nothing_and_an_unserializable_request_is_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = get_crawler(QueueSpider)
    crawler.spider = QueueSpider()
    key = str(tmp_path / "q" / "p0")
    empty = HeldLifoQueue.from_crawler(crawler, key)
    empty.push(Request("https://keia.org/a/"))
    empty.pop()
    empty.close()
    assert not Path(key).exists()
    queue = HeldLifoQueue.from_crawler(crawler, key)
    queue.push(Request("https://keia.org/kept/"))
    queue.push(Request("https://keia.org/lambda/", callback=lambda response: None))  # type: ignore[misc]
    with caplog.at_level(logging.WARNING):
        queue.close()
    assert "https://keia.org/lambda/" in caplog.text and "could not be kept" in caplog.text
    assert drain(PickleLifoDiskQueue.from_crawler(crawler, key)) == ["https://keia.org/kept/"]  # type: ignore[attr-defined]
