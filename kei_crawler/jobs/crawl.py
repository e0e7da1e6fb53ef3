"""One crawl in this process, of a run opened beforehand, and what it did: the core under ``kei-crawler crawl``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from kei_crawler.extensions.run_owner import RunCrawler, Watch
from kei_crawler.jobs.stopping import Stopper
from kei_crawler.run.context import RunContext
from kei_crawler.run.counts import run_counts
from kei_crawler.run.outcome import ExitCode, RunOutcome, exit_code
from kei_crawler.spiders.peninsula import PeninsulaSpider
from kei_crawler.storage import failpoints


@dataclass
class CrawlResult:
    crawl_id: str
    mode: str
    outcome: RunOutcome
    counts: dict[str, Any]
    previous: bool
    """The run had a previous snapshot to compare with (it is not the first)."""

    @property
    def exit_code(self) -> ExitCode:
        return exit_code(self.outcome, self.counts, previous=self.previous)


def run_crawl(
    settings: Settings,
    run: RunContext,
    *,
    watch: Watch | None = None,
    log_handlers: Sequence[logging.Handler] = (),
) -> CrawlResult:
    """Crawl once; blocks until the crawl ends. One call per process (Twisted's reactor starts once).

    The job directory is cleared when the run left nothing to resume; the run's lock stays with the caller.
    Ctrl-C and SIGTERM stop the crawl as ``jobs.stopping`` says; before the reactor runs they raise
    KeyboardInterrupt, and the crawl never started. ``watch`` is told of the crawl's progress
    (``extensions.crawl_progress``); ``log_handlers`` join the root logger beside the one Scrapy's ``LOG_*``
    settings make, for the crawl's length.
    """
    if run.job is not None:
        settings.set("JOBDIR", str(run.job.root), priority="cmdline")
    process = CrawlerProcess(settings)
    # After Scrapy's logging set-up, which closes every handler it finds (logging.config.dictConfig).
    for handler in log_handlers:
        logging.root.addHandler(handler)
    try:
        return _crawl(process, settings, run, watch)
    finally:
        for handler in log_handlers:
            logging.root.removeHandler(handler)
            handler.close()


def _crawl(process: CrawlerProcess, settings: Settings, run: RunContext, watch: Watch | None) -> CrawlResult:
    crawler = RunCrawler(PeninsulaSpider, settings, run, init_reactor=True, watch=watch)  # the only one
    stopper = Stopper(crawler)
    stopper.install()
    with stopper.held():
        failpoints.hit("crawl.starting")
        process.crawl(crawler)  # installs the reactor Scrapy's settings ask for: import it only after
    from twisted.internet import reactor

    reactor.callWhenRunning(stopper.started)
    process.start(install_signal_handlers=False)  # Scrapy's would lose --resume at a second Ctrl-C
    if run.outcome.finished:
        run.clear_job()
    assert crawler.stats is not None
    counts = run_counts(crawler.stats.get_stats(), run.failures)
    return CrawlResult(
        crawl_id=run.crawl_id,
        mode=run.mode.value,
        outcome=run.outcome,
        counts=counts,
        previous=run.archive.snapshot is not None,
    )
