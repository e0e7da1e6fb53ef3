"""WarcWriter: the extension that owns a crawl's WARC file and publishes it with the crawl.

Responses reach it from the ``WarcRecorder`` downloader middleware (``middlewares/warc.py``).

**Publishing.** ``WarcWriter`` is an extension at 450, before SnapshotWriter (500), so on
``spider_closed`` with reason ``finished`` it moves the WARC and its CDXJ into ``<output>/warc/`` before
the snapshot whose rows point at them is published. Until then the file is written in the job
directory (``<JOBDIR>/kei-warc/``, kept when a crawl is interrupted, so ``--resume`` adds a second part
``<crawl_id>-1.warc.gz`` and both are published) or, without one, in ``<output>/.tmp/<crawl_id>.warc/``.
An interrupted crawl therefore leaves nothing in ``warc/``; one killed while it moved the files leaves
whole parts whose CDXJ index (moved last) is missing, and the next crawl writes that index. The file is
opened at the first response, once SnapshotWriter has fixed the crawl id, so a run that finds the
output directory locked writes nothing. A record that cannot be written (a full disk) stops the crawl
(close reason ``write_failed``): nothing fetched after it could be archived.
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from kei_crawler import __version__
from kei_crawler.run.outcome import os_error_line, stop_crawl
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.warc.index import complete_interrupted_publish, earlier_captures
from kei_crawler.storage.warc.link import WarcLink
from kei_crawler.storage.warc.parts import Exchange, WarcParts

logger = logging.getLogger(__name__)

WARC_DIR = "warc"  # under the output directory: published WARCs and their CDXJ indexes
SPOOL_DIR = "kei-warc"  # under JOBDIR: the WARC being written, kept for --resume
NO_BODY_STATUSES = (204, 304)


class WarcWriter:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.output_dir = Path(settings.get("KEI_OUTPUT_DIR") or "output")
        self.jobdir = settings.get("JOBDIR") or ""
        self.parts: WarcParts | None = None
        self.failed: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriter:
        if not crawler.settings.getbool("KEI_WARC_ENABLED", True):
            raise NotConfigured("KEI_WARC_ENABLED is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
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
            where = self.parts.path if self.parts is not None else self.output_dir
            self.failed = f"could not write the WARC: {os_error_line(exc, where)}"
            self._stats().set_value("kei/warc_skipped", self.failed)
            logger.error("%s; stopping the crawl, no WARC or snapshot will be published", self.failed)
            if self.parts is not None:
                self.parts.discard()  # it will never be published: its space goes back to the disk now
                self.parts = None
            stop_crawl(self.crawler)
            return None

    def _open(self) -> WarcParts:
        stats = self._stats()
        crawl_id = stats.get_value("kei/crawl_id") or store.new_crawl_id()
        stats.set_value("kei/crawl_id", crawl_id)
        if self.jobdir:
            directory = Path(self.jobdir) / SPOOL_DIR
            for stale in directory.glob("*"):
                if not stale.name.startswith(crawl_id):  # left by a crawl that will never be resumed
                    stale.unlink()
        else:
            directory = store.tmp_dir(self.output_dir, f"{crawl_id}.warc")
        settings = self.crawler.settings
        self._finish_interrupted_publish()
        earlier = (
            earlier_captures(self.output_dir / WARC_DIR)
            if settings.getbool("KEI_WARC_DEDUPE_PREVIOUS", True)
            else {}
        )
        parts = WarcParts(directory, crawl_id, self._warcinfo(crawl_id), earlier)
        logger.info("Writing WARC %s", parts.path)
        return parts

    def _finish_interrupted_publish(self) -> None:
        warc_dir = self.output_dir / WARC_DIR
        if not warc_dir.is_dir():
            return
        try:
            for index in complete_interrupted_publish(warc_dir):
                logger.warning("Indexed %s, whose publishing a killed crawl left unfinished", index.name)
        except Exception as exc:  # a damaged file left in warc/ must not stop every crawl from now on
            logger.error("Could not index the WARC parts left without an index in %s: %s", warc_dir, exc)

    def _warcinfo(self, crawl_id: str) -> dict[str, str]:
        settings = self.crawler.settings
        return {
            "software": f"kei-crawler/{__version__} (Scrapy {scrapy.__version__}, warcio {version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": crawl_id,
            "description": "The Peninsula (keia.org): every request and response of one kei-crawler crawl",
            "http-header-user-agent": settings.get("USER_AGENT") or "",
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "kei-base-url": settings.get("KEI_BASE_URL") or "",
            "kei-canonical-origin": settings.get("KEI_CANONICAL_ORIGIN") or "",
            "kei-mode": str(self._stats().get_value("kei/mode") or settings.get("KEI_MODE") or ""),
            "kei-download-delay": str(settings.getfloat("DOWNLOAD_DELAY")),
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        parts, self.parts = self.parts, None
        if parts is None:
            return
        stats = self._stats()
        stats.set_value("kei/warc_records/response", parts.counts.responses)
        stats.set_value("kei/warc_records/revisit", parts.counts.revisits)
        stats.set_value("kei/warc_records/request", parts.counts.requests)
        if self.failed:
            parts.discard()
            return
        try:
            if reason != "finished":
                if self.jobdir:
                    parts.close()  # whole records only: the resumed run writes the next part beside it
                    logger.info("WARC kept in %s for --resume", parts.directory)
                else:
                    parts.discard()
                return
            parts.close()
            stats.set_value("kei/warc_bytes", parts.size())
            moved = parts.publish(self.output_dir / WARC_DIR)
        except OSError as exc:
            doing = "publish" if reason == "finished" else "keep"
            failed = f"could not {doing} the WARC: {os_error_line(exc, parts.path)}"
            stats.set_value("kei/warc_skipped", failed)
            logger.error("%s", failed[0].upper() + failed[1:])
            parts.discard()
            return
        stats.set_value("kei/warc_path", str(moved[0]))
        stats.set_value("kei/warc_files", [str(path) for path in moved])
        logger.info("Published WARC %s", ", ".join(path.name for path in moved))

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats
