"""WarcWriter: the extension that owns a crawl's WARC file and publishes it with the crawl.

Responses reach it from the ``WarcRecorder`` downloader middleware (``middlewares/warc_recorder.py``). The file
is opened at the first response and written in the job directory (``<JOBDIR>/kei-warc/``, kept when a
crawl is interrupted, so ``--resume`` adds a second part ``<crawl_id>-1.warc.gz`` and both are published)
or, without one, in ``<output>/.tmp/<crawl_id>.warc/``. When the crawl finishes, the run owner has it
move the WARC and its CDXJ into ``<output>/warc/`` before the snapshot whose rows point at them is
published. An interrupted crawl therefore leaves nothing in ``warc/``; one killed while it moved the
files leaves whole parts whose CDXJ index (moved last) is missing, and the next crawl writes that index.
A crawl whose snapshot is then not published takes its WARC back out of ``warc/`` (:meth:`withdraw`):
the two are published together or not at all.
A record that cannot be written (a full disk) stops the crawl (close reason ``write_failed``): nothing
fetched after it could be archived.
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from kei_crawler import __version__
from kei_crawler.extensions.run_owner import owner_of, run_of, stop_crawl
from kei_crawler.run.context import RunContext
from kei_crawler.run.counts import Stat
from kei_crawler.run.outcome import FINISHED
from kei_crawler.storage.atomic import os_error_line
from kei_crawler.storage.warc.catalog import complete_interrupted_publish, earlier_captures
from kei_crawler.storage.warc.cdx import FirstCapture
from kei_crawler.storage.warc.link import WarcLink
from kei_crawler.storage.warc.parts import Exchange, WarcParts, withdraw

logger = logging.getLogger(__name__)


class WarcWriter:
    def __init__(self, crawler: Crawler, run: RunContext) -> None:
        self.crawler = crawler
        self.run = run
        self.parts: WarcParts | None = None
        self.failed: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriter:
        run = run_of(crawler)
        if not run.config.warc_enabled:
            raise NotConfigured("KEI_WARC_ENABLED is off")
        ext = cls(crawler, run)
        owner_of(crawler).finishes("warc", ext)
        return ext

    def capture(self, exchange: Exchange) -> WarcLink | None:
        if self.failed:
            return None
        try:
            if self.parts is None:
                self.parts = self._open()
            return self.parts.capture(exchange)
        except OSError as exc:
            # Disk full, permissions: this WARC is incomplete and is not published, and neither is a
            # snapshot whose rows would name its captures, so the crawl stops rather than fetch on.
            where = self.parts.path if self.parts is not None else self.run.layout.warc
            self.failed = f"could not write the WARC: {os_error_line(exc, where)}"
            self.run.outcome.warc_failed = self.failed
            logger.error("%s; stopping the crawl, no WARC or snapshot will be published", self.failed)
            if self.parts is not None:
                self.parts.discard()  # it will never be published: its space goes back to the disk now
                self.parts = None
            stop_crawl(self.crawler)
            return None

    def _open(self) -> WarcParts:
        run = self.run
        if run.job is not None:
            directory = run.job.warc_spool
            for stale in directory.glob("*"):
                if not stale.name.startswith(run.crawl_id):  # left by a crawl that will never be resumed
                    stale.unlink()
        else:
            directory = run.layout.tmp_warc_dir(run.crawl_id)
        self._finish_interrupted_publish()
        parts = WarcParts(
            directory, run.crawl_id, self._warcinfo(), self._earlier_captures(), published=run.layout.warc
        )
        logger.info("Writing WARC %s", parts.path)
        return parts

    def _kept_by_the_interrupted_run(self) -> WarcParts | None:
        """The parts a resumed run that captured nothing must still publish: the rows its interrupted run
        fetched point into them (its own part then holds only its warcinfo)."""
        resumed = self.run.resumed
        if resumed is None or not resumed.warc_parts or self.failed:
            return None
        try:
            return self._open()
        except OSError as exc:
            self.failed = f"could not write the WARC: {os_error_line(exc, self.run.layout.warc)}"
            self.run.outcome.warc_failed = self.failed
            logger.error("%s", self.failed[0].upper() + self.failed[1:])
            return None

    def _earlier_captures(self) -> dict[str, FirstCapture]:
        warc_dir = self.run.layout.warc
        if not self.run.config.warc_dedupe_previous or not warc_dir.is_dir():
            return {}
        try:
            return earlier_captures(warc_dir)
        except (
            OSError,
            ValueError,
            KeyError,
            TypeError,
        ) as exc:  # a damaged index costs revisits, not the crawl
            logger.error(
                "Could not read the WARC indexes in %s (%s): payloads written in full", warc_dir, exc
            )
            return {}

    def _finish_interrupted_publish(self) -> None:
        warc_dir = self.run.layout.warc
        if not warc_dir.is_dir():
            return
        try:
            for index in complete_interrupted_publish(warc_dir):
                logger.warning("Indexed %s, whose publishing a killed crawl left unfinished", index.name)
        except Exception as exc:  # a damaged file left in warc/ must not stop every crawl from now on
            logger.error("Could not index the WARC parts left without an index in %s: %s", warc_dir, exc)

    def _warcinfo(self) -> dict[str, str]:
        settings, run = self.crawler.settings, self.run
        return {
            "software": f"kei-crawler/{__version__} (Scrapy {scrapy.__version__}, warcio {version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": run.crawl_id,
            "description": "The Peninsula (keia.org): every request and response of one kei-crawler crawl",
            "http-header-user-agent": settings.get("USER_AGENT") or "",
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "kei-base-url": run.config.base_url,
            "kei-canonical-origin": run.config.canonical_origin,
            "kei-mode": run.mode.value,
            "kei-download-delay": str(settings.getfloat("DOWNLOAD_DELAY")),
        }

    def finish(self, reason: str) -> None:
        parts, self.parts = self.parts, None
        if parts is None and reason == FINISHED:
            parts = self._kept_by_the_interrupted_run()
        if parts is None:
            return
        stats = self._stats()
        stats.set_value(Stat.warc_records("response"), parts.counts.responses)
        stats.set_value(Stat.warc_records("revisit"), parts.counts.revisits)
        stats.set_value(Stat.warc_records("request"), parts.counts.requests)
        if parts.counts.earlier_gone:
            logger.warning(
                "%d payloads written in full: the earlier captures the WARC indexes name are gone or damaged",
                parts.counts.earlier_gone,
            )
        if self.failed:
            parts.discard()
            return
        try:
            if reason != FINISHED:
                if self.run.job is not None:
                    parts.close()  # whole records only: the resumed run writes the next part beside it
                    logger.info("WARC kept in %s for --resume", parts.directory)
                else:
                    parts.discard()
                return
            parts.close()
            stats.set_value(Stat.WARC_BYTES, parts.size())
            moved = parts.publish(self.run.layout.warc)
        except OSError as exc:
            doing = "publish" if reason == FINISHED else "keep"
            failed = f"could not {doing} the WARC: {os_error_line(exc, parts.path)}"
            self.run.outcome.warc_failed = failed
            logger.error("%s", failed[0].upper() + failed[1:])
            parts.discard()
            return
        self.run.outcome.warc_files = moved
        logger.info("Published WARC %s", ", ".join(path.name for path in moved))

    def withdraw(self) -> None:
        """Take the WARC this run published back out of ``warc/``: its snapshot was not published, and a
        WARC no snapshot names would only be a target for later crawls' revisits. When that fails, the
        run manifest names the files (``warc_files``) of a run that published no snapshot."""
        published = self.run.outcome.warc_files
        if not published:
            return
        names = ", ".join(path.name for path in published)
        try:
            withdraw(published)
        except OSError as exc:
            logger.error("Could not withdraw WARC %s, whose snapshot was not published: %s", names, exc)
            return
        self.run.outcome.warc_files = []
        logger.warning("Withdrew WARC %s: its snapshot was not published", names)

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats
