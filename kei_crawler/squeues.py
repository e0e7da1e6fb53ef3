"""The scheduler's JOBDIR queues: requests held in memory while the crawl runs, written to disk when it stops.

Every crawl runs with a JOBDIR so that Ctrl-C or SIGTERM can be followed by ``--resume``. Scrapy's own
disk queues (``PickleLifoDiskQueue``, ``PickleFifoDiskQueue``) write a pickle to a file for every
request and truncate it at every pop, and its priority queues close a queue the moment it is empty
(deleting its file and folder) and make a new one at the next request. Against a fast mirror the queue
is empty between almost every two requests, and that churn doubled Scrapy's CPU time per request
(BENCHMARKS.md: a bare spider, 22 s without JOBDIR, 50 s with it).

These queues keep the same contract at a fraction of the cost: a queue that is closed while it still
holds requests — what Scrapy's scheduler does to every queue when a crawl stops, before it writes the
queue's index (``active.json``) — writes them with Scrapy's own disk queue at the same path, in the same
order; a queue opened where such a file exists (a resumed crawl) reads it back first. So an interrupted
crawl leaves exactly what Scrapy's default queues leave, and either can resume the other's. A crawl
that is killed (kill -9) could not be resumed before either: Scrapy writes the index only on close.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.squeues import PickleFifoDiskQueue, PickleLifoDiskQueue

logger = logging.getLogger(__name__)


class _HeldUntilClose:
    disk_queue: Any = PickleLifoDiskQueue
    lifo = True

    def __init__(self, crawler: Crawler, key: str) -> None:
        self.crawler = crawler
        self.key = key
        self.requests: deque[Request] = deque()
        if Path(key).exists():  # what an interrupted run of this crawl left
            stored = self.disk_queue.from_crawler(crawler, key)
            while (request := stored.pop()) is not None:
                self.requests.append(request)
            stored.close()  # empty now: Scrapy's queue removes its file
            if self.lifo:
                self.requests.reverse()  # popped newest first; kept with the newest at the end

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str, *args: Any, **kwargs: Any) -> _HeldUntilClose:
        return cls(crawler, key)

    def push(self, request: Request) -> None:
        self.requests.append(request)

    def pop(self) -> Request | None:
        if not self.requests:
            return None
        return self.requests.pop() if self.lifo else self.requests.popleft()

    def peek(self) -> Request | None:
        if not self.requests:
            return None
        return self.requests[-1] if self.lifo else self.requests[0]

    def __len__(self) -> int:
        return len(self.requests)

    def close(self) -> None:
        if not self.requests:
            return
        stored = self.disk_queue.from_crawler(self.crawler, self.key)
        lost = 0
        for request in self.requests:  # oldest first: the disk queue pops them back in the same order
            try:
                stored.push(request)
            except ValueError as exc:  # not serializable: Scrapy's scheduler would have kept it in memory
                lost += 1
                logger.warning("Request not kept for --resume (%s): %s", exc, request)
        stored.close()
        if lost:
            logger.warning("%d request(s) could not be kept for --resume", lost)
        self.requests.clear()


class HeldLifoQueue(_HeldUntilClose):
    """SCHEDULER_DISK_QUEUE: last in, first out, written as ``PickleLifoDiskQueue`` on close."""


class HeldFifoQueue(_HeldUntilClose):
    """SCHEDULER_START_DISK_QUEUE: first in, first out, written as ``PickleFifoDiskQueue`` on close."""

    disk_queue = PickleFifoDiskQueue
    lifo = False
