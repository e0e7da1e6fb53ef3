"""What Ctrl-C and SIGTERM do to a crawl in this process: stop it promptly, and always so ``--resume`` can
continue it.

Scrapy's own handlers are not used. Its graceful stop waits for every request the downloader holds,
those still waiting out their download delay included: with the polite defaults (a delay of a second,
AutoThrottle) that is one delay per queued request, 8–12 s. And its second signal stops the reactor
outright, so the run never finishes: no resume state, and ``--resume`` refuses a crawl that "did not
stop cleanly". Here the first signal pauses the engine, takes back the requests not sent yet (they go
into the job's queue again, so ``--resume`` sends them) and closes the spider: the stop then waits only
for the few requests already on the wire. Later signals say what the stop is waiting for and change
nothing: cutting the requests on the wire short would lose them for ``--resume``; kill -9 remains for
that, and says so.

Before the reactor runs (the settings, the lock, the archive being loaded), a signal raises
KeyboardInterrupt where the process is, so that what holds the output directory lets go of it as it
unwinds and the command exits ABORTED rather than dying of the signal. While Scrapy builds the crawl
(``CrawlerProcess.crawl``) it is held, and raised once that returns: inside Twisted's inlineCallbacks it
would become an "Unhandled error in Deferred" rather than reach the command.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import deferred_from_coro

from kei_crawler.middlewares import slots
from kei_crawler.middlewares.reasons import PutBack

logger = logging.getLogger(__name__)

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def interrupt_on_sigterm() -> None:
    """SIGTERM interrupts this process as Ctrl-C does (KeyboardInterrupt), instead of ending it at once."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


class Stopper:
    """Handles SIGINT and SIGTERM for ``crawler``'s run in this process (see the module's doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.running = False
        self.received = 0
        self._holding = False
        self._held = False

    def install(self) -> None:
        """Take over SIGINT and SIGTERM; ``started`` must be called once the reactor runs."""
        for number in SIGNALS:
            signal.signal(number, self.on_signal)
        self.crawler.signals.connect(self._reached_downloader, signal=signals.request_reached_downloader)

    def started(self) -> None:
        self.running = True

    @contextmanager
    def held(self) -> Iterator[None]:
        """A signal received inside raises KeyboardInterrupt when the block ends (see the module's doc)."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._held:
            raise KeyboardInterrupt

    def on_signal(self, number: int, frame: FrameType | None) -> None:
        if self._holding:
            self._held = True
            return
        if not self.running:
            raise KeyboardInterrupt  # start-up: nothing is running that could stop gracefully
        from twisted.internet import reactor

        self.received += 1
        # Logging or stopping from inside a signal handler could interrupt the same code: the reactor does it.
        action = self._stop if self.received == 1 else self._waiting
        reactor.callFromThread(action, signal.Signals(number).name)

    def _stop(self, name: str) -> None:
        engine = self.crawler.engine
        if not self.crawler.crawling:
            return  # the crawl has ended, or is ending
        if engine is None or not engine.running:
            call_later(0.1, self._stop, name)  # the engine is starting: a stop now would be a no-op
            return
        logger.warning("Received %s: stopping; requests not sent yet go back to the queue for --resume", name)
        engine.pause()  # nothing more is taken from the queue while the stop begins
        self._put_back()
        deferred_from_coro(self.crawler.stop_async())

    def _waiting(self, name: str) -> None:
        engine = self.crawler.engine
        in_flight = len(engine.downloader.active) if engine is not None else 0
        timeout = self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        logger.warning(
            "Received %s again: already stopping, waiting for %d request(s) in flight (DOWNLOAD_TIMEOUT "
            "%gs at most) so that --resume can continue; kill -9 stops at once, but cannot be resumed",
            name, in_flight, timeout,
        )  # fmt: skip

    def _reached_downloader(self, request: Request, spider: Any = None) -> None:
        # A request held back by a Retry-After or a backoff reaches its download slot after the stop began.
        if self.received and self.crawler.engine is not None:
            call_later(0, self._put_back)  # it joins the slot's queue right after this signal

    def _put_back(self) -> None:
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        spider = engine.spider
        for request, waiting in slots.take_all_queued(engine.downloader, lambda r: resumable(r, spider)):
            engine.crawl(request.replace(dont_filter=True))  # seen already: the filter would drop it
            waiting.errback(PutBack(f"{request.url}: put back into the queue for --resume"))


def resumable(request: Request, spider: Any) -> bool:
    """A request the job's queue can hold: one the spider made, answered by one of its methods (robots.txt
    is fetched by a middleware, outside the queue, and is left to go)."""
    return getattr(request.callback, "__self__", None) is spider
