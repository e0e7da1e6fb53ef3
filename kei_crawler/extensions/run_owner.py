"""RunOwner: the extension that holds the crawl's run context and ends the run in a fixed order.

``kei-crawler crawl`` opens the run (``run.context.open_run``: lock, job directory, archive, crawl id)
before Scrapy starts and hands it over with the crawler (:class:`RunCrawler`); under a plain ``scrapy
crawl peninsula`` (or Scrapyd) the owner opens it itself, from the settings, and closes it at the end.
Every other component reads the run through :func:`run_of` (which also makes the owner when a component
asks before the owner's own turn). When the crawl closes, the owner finishes
the writers in :data:`RunOwner.FINISH_ORDER` — the WARC before the snapshot whose rows point into it, the
manifest last, since it reports what both did — rather than in whatever order their signal handlers
happen to be connected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from weakref import WeakKeyDictionary

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro

from kei_crawler.config import ConfigError, KeiConfig
from kei_crawler.run.context import CannotStart, OutputLocked, RunContext, open_run
from kei_crawler.run.outcome import WRITE_FAILED
from kei_crawler.run.progress import PageProgress
from kei_crawler.setting_checks import checked_config

logger = logging.getLogger(__name__)

Watch = Callable[[PageProgress], None]
"""Told of the crawl's progress at each change (``extensions.crawl_progress``)."""


class RunCrawler(Crawler):
    """A crawler that brings its run, opened before the crawl by the command that started it, and what
    watches its progress (None: nothing does)."""

    def __init__(
        self,
        spidercls: type[Spider],
        settings: Settings,
        run: RunContext,
        *,
        init_reactor: bool = False,
        watch: Watch | None = None,
    ) -> None:
        super().__init__(spidercls, settings, init_reactor=init_reactor)
        self.run = run
        self.watch = watch


class Finishing(Protocol):
    def finish(self, reason: str) -> None:
        """Publish, keep for --resume or discard what this writer holds, as ``reason`` calls for."""


@runtime_checkable
class Withdrawing(Protocol):
    def withdraw(self) -> None:
        """Take back what ``finish`` published: the step after it did not publish."""


class RunOwner:
    FINISH_ORDER = ("warc", "snapshot", "manifest")
    """The raw archive first (the snapshot is not published without it), the manifest last."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run: RunContext | None = crawler.run if isinstance(crawler, RunCrawler) else None
        self.opened_here = False
        self._refused: str | None = None
        self._finishing: dict[str, Finishing] = {}
        try:
            self.config = self.run.config if self.run else checked_config(crawler.settings)
            """The run's KEI_* settings, read and checked once with Scrapy's (the defaults when one is wrong)."""
        except ConfigError as exc:
            self.config, self._refused = KeiConfig(), str(exc)
            logger.error("%s; this run does nothing", self._refused)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunOwner:
        # The other components ask for the owner while Scrapy is still building them, before
        # Crawler.get_extension() answers: they all get the one owner_of() made for this crawler.
        owner = owner_of(crawler)
        owner.open()  # the extensions' turn: the run starts, before anything is fetched
        return owner

    def open(self) -> RunContext | None:
        """The run, opened from the settings at the first call of a crawl Scrapy started itself; None
        when it cannot start (a bad setting, another run holding the output directory)."""
        if self.run is not None or self._refused is not None:
            return self.run
        jobdir = self.crawler.settings.get("JOBDIR")
        try:
            self.run = open_run(self.config, jobdir=Path(jobdir) if jobdir else None)
            self.opened_here = True
        except OutputLocked as exc:
            self._refused = f"Another run holds {exc.lock_file} ({exc.holder})"
        except CannotStart as exc:
            self._refused = str(exc)
        if self._refused is not None:
            # The spider sees no run and requests nothing; every writer is switched off (run_of).
            logger.error("%s; this run does nothing", self._refused[:1].upper() + self._refused[1:])
        return self.run

    def finishes(self, step: str, writer: Finishing) -> None:
        """``writer`` is finished at ``step`` of :data:`FINISH_ORDER` when the crawl closes."""
        if step not in self.FINISH_ORDER:
            raise ValueError(f"no finishing step {step!r}; the steps are {', '.join(self.FINISH_ORDER)}")
        self._finishing[step] = writer

    def spider_opened(self, spider: Spider) -> None:
        if self.run is not None and self.run.resumed is not None:
            assert self.crawler.stats is not None
            for key, value in self.run.resumed.stats.items():
                self.crawler.stats.set_value(key, value)  # the counters add up over both parts of the crawl

    def spider_closed(self, spider: Spider, reason: str) -> None:
        run = self.run
        if run is None:
            return
        run.outcome.finish_reason = reason
        if "snapshot" not in self._finishing:
            run.outcome.not_published_because = "snapshot writing is off (KEI_SNAPSHOT_ENABLED)"
        try:
            for step in self.FINISH_ORDER:
                writer = self._finishing.get(step)
                if writer is not None:
                    writer.finish(reason)
                if step == "snapshot" and writer is not None and not run.outcome.published:
                    self._withdraw_warc()
        finally:
            if self.opened_here:
                run.close()

    def _withdraw_warc(self) -> None:
        """The WARC and the snapshot whose rows point into it are published both or neither: the WARC
        goes first (the snapshot is not published without it), and back when the snapshot did not follow."""
        warc = self._finishing.get("warc")
        if isinstance(warc, Withdrawing):
            warc.withdraw()


_OWNERS: WeakKeyDictionary[Crawler, RunOwner] = WeakKeyDictionary()


def owner_of(crawler: Crawler) -> RunOwner:
    """The crawl's run owner, made at the first call for a crawler."""
    owner = _OWNERS.get(crawler)
    if owner is None:
        owner = _OWNERS[crawler] = RunOwner(crawler)
    return owner


def config_of(crawler: Crawler) -> KeiConfig:
    """The crawl's KEI_* settings, read and checked once for every component."""
    return owner_of(crawler).config


def run_of(crawler: Crawler) -> RunContext:
    """The crawl's run; NotConfigured (which switches the asking component off) when there is none: a
    setting is wrong, or another run holds the output directory."""
    run = owner_of(crawler).open()
    if run is None:
        raise NotConfigured("this run did not start (see the error above)")
    return run


def stop_crawl(crawler: Any, reason: str = WRITE_FAILED) -> None:
    """Close ``crawler``'s spider with ``reason`` from wherever the failure was met (an extension, a
    middleware); closing twice is harmless, the engine keeps the first reason."""
    if crawler.engine is not None and crawler.engine.spider is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=reason))
