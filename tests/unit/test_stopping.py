"""The pieces of a prompt, resumable stop (jobs/stopping.py, middlewares/slots.py), without a crawl."""

from __future__ import annotations

import signal
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.core.downloader import Slot
from twisted.internet.defer import Deferred

from kei_crawler.jobs.stopping import Stopper, resumable
from kei_crawler.middlewares import slots


class Downloader:
    def __init__(self, **queues: list[Request]) -> None:
        self.slots: dict[str, Slot] = {}
        for key, requests in queues.items():
            slot = self.slots[key] = Slot(concurrency=2, delay=1.0)
            slot.queue.extend((request, Deferred()) for request in requests)


def test_take_all_queued_takes_what_is_asked_for_and_keeps_the_rest_in_order() -> None:
    a, b, c, robots = (Request(f"https://keia.org/{name}") for name in ("a", "b", "c", "robots.txt"))
    downloader = Downloader(site=[a, robots, b], other=[c])
    taken = slots.take_all_queued(downloader, lambda r: not r.url.endswith("robots.txt"))  # type: ignore[arg-type]
    assert [request for request, _ in taken] == [a, b, c]
    assert [request for request, _ in downloader.slots["site"].queue] == [robots]
    assert not downloader.slots["other"].queue


def test_only_the_spiders_own_requests_go_back_into_the_queue() -> None:
    class Peninsula(Spider):
        name = "p"

        def parse_brief(self, response: Any) -> None: ...

    spider = Peninsula()
    assert resumable(Request("https://keia.org/x/", callback=spider.parse_brief), spider)
    assert not resumable(Request("https://keia.org/robots.txt"), spider)
    assert not resumable(Request("https://keia.org/x/", callback=Peninsula().parse_brief), spider)


def test_a_signal_while_scrapy_builds_the_crawl_is_raised_once_it_has() -> None:
    stopper = Stopper(crawler=None)  # type: ignore[arg-type]
    built = []
    with pytest.raises(KeyboardInterrupt), stopper.held():
        stopper.on_signal(signal.SIGTERM, None)
        built.append("crawl")  # not cut short: Twisted would swallow the interrupt
    assert built == ["crawl"]


def test_a_signal_before_the_reactor_runs_interrupts_at_once() -> None:
    stopper = Stopper(crawler=None)  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        stopper.on_signal(signal.SIGTERM, None)
