"""``kei-crawler reextract``: a snapshot rebuilt from archived responses, with no network.

The archived brief responses go through the crawl's own code — the spider's ``parse_brief`` (so the same
page objects) and the ITEM_PIPELINES the settings name (validate → normalize → dedupe) — and the rows
are published as a snapshot like a crawl's: written under ``.tmp/`` and renamed into ``snapshots/``,
under the output directory's lock. With the extractor unchanged, the snapshot equals the crawl's own row
for row: ``fetched_at`` is the response's WARC-Date, the validators come from the recorded headers, and
the link columns name the same records. Lineage comes from the captures alone (``first_seen`` =
``last_seen`` = ``fetched_at``, as in a first crawl); nothing is carried forward from other snapshots.
The snapshot's metadata says where it came from: ``source = reextract``, the WARCs and their crawl ids.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import load_object

from kei_crawler import __version__, urls
from kei_crawler.extensions.fill_rates import filled_fields
from kei_crawler.extensions.snapshot import unused_crawl_id
from kei_crawler.items import Brief
from kei_crawler.pages.workers import WorkerPool
from kei_crawler.pipelines.drops import record_drop
from kei_crawler.run.archive import ArchiveState
from kei_crawler.run.counts import run_counts
from kei_crawler.run.lock import OutputLock
from kei_crawler.spiders.peninsula import PeninsulaSpider
from kei_crawler.storage.snapshot import store
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, SCHEMA_VERSION, encode_metadata, to_table
from kei_crawler.storage.warc.link import WARC_META
from kei_crawler.storage.warc.reader import (
    ArchivedResponse,
    WarcReadError,
    WarcSource,
    describe,
    read_responses,
)

BATCH_ROWS = 1000


class ReextractError(Exception):
    """Nothing could be published; the message is one line for the user."""


class OutputLocked(ReextractError):
    """Another run holds the output directory."""


@dataclass
class ReextractResult:
    snapshot_path: Path
    crawl_id: str
    rows: int
    counts: dict[str, Any]


class _OfflineCrawler:
    """What the spider and the pipelines read from a crawler: settings, stats, the spider."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stats = MemoryStatsCollector(self)  # type: ignore[arg-type]
        self.spider: PeninsulaSpider | None = None


def reextract(warcs: list[Path], settings: Settings, output_dir: Path) -> ReextractResult:
    sources = [describe(path) for path in warcs]
    crawls = sorted({s.crawl_id for s in sources})
    if len(crawls) > 1:
        # One crawl's captures make one snapshot; which capture of a brief wins across crawls is the
        # carry-forward's business, not re-extraction's.
        raise WarcReadError(
            f"the WARCs belong to {len(crawls)} crawls ({', '.join(crawls)}); give one crawl's"
        )
    crawler = _OfflineCrawler(settings)
    spider = _spider(crawler, sources)
    lock = OutputLock(output_dir)
    if not lock.acquire("reextract"):
        raise OutputLocked(f"another run is using {output_dir} ({lock.holder()})")
    try:
        briefs = _briefs(read_responses(warcs), spider, _pipelines(crawler), crawler.stats)
        return _publish(output_dir, briefs, sources, crawler.stats)
    finally:
        spider.reader.close()
        lock.release()


def _spider(crawler: _OfflineCrawler, sources: list[WarcSource]) -> PeninsulaSpider:
    spider = PeninsulaSpider()
    spider.crawler = crawler  # type: ignore[assignment]
    spider.origin = urls.origin_of(crawler.settings.get("KEI_CANONICAL_ORIGIN") or urls.DEFAULT_ORIGIN)
    spider.base_url = next((s.base_url for s in sources if s.base_url), "") or spider.origin
    spider.archive = ArchiveState.empty()
    spider.reader = WorkerPool(crawler.settings.getint("KEI_EXTRACT_WORKERS", 0))
    crawler.spider = spider
    return spider


def _pipelines(crawler: _OfflineCrawler) -> list[Any]:
    """The crawl's ITEM_PIPELINES, in their order, built as Scrapy builds them."""
    configured = crawler.settings.getwithbase("ITEM_PIPELINES")
    built = []
    for path, _order in sorted(((p, o) for p, o in configured.items() if o is not None), key=lambda x: x[1]):
        cls = load_object(path)
        built.append(cls.from_crawler(crawler) if hasattr(cls, "from_crawler") else cls())
    return built


def _briefs(
    responses: Iterable[ArchivedResponse], spider: PeninsulaSpider, pipelines: list[Any], stats: Any
) -> Iterator[Brief]:
    steps = [_step(pipeline, spider) for pipeline in pipelines]
    pages = ((pair, pair[0].url, pair[0].body) for pair in _brief_responses(responses, spider, stats))
    # With KEI_EXTRACT_WORKERS, pages are read in worker processes while the ones before go through the
    # pipelines here; they come back in order either way.
    for (response, canonical), read in spider.reader.imap(pages):
        for item in spider.parse_brief(response, canonical_url=canonical, read=read):
            brief = _through(item, steps, stats)
            if isinstance(brief, Brief):
                stats.inc_value("item_scraped_count")
                for name in filled_fields(brief):
                    stats.inc_value(f"kei/filled/{name}")
                yield brief


def _brief_responses(
    responses: Iterable[ArchivedResponse], spider: PeninsulaSpider, stats: Any
) -> Iterator[tuple[Response, str]]:
    for archived in responses:
        stats.inc_value("kei/reextract/responses")
        if not 200 <= archived.status < 300 or not urls.is_brief_url(archived.requested_url):
            continue
        yield _scrapy_response(archived), urls.canonical_brief_url(archived.requested_url, spider.origin)


def _scrapy_response(archived: ArchivedResponse) -> Response:
    meta: dict[str, Any] = {WARC_META: archived.link}
    if archived.redirect_urls:
        meta["redirect_urls"] = list(archived.redirect_urls)
    request = Request(archived.url, meta=meta)
    headers = Headers()
    for name, value in archived.headers:
        headers.appendlist(name, value)
    cls = responsetypes.from_args(headers=headers, url=archived.url, body=archived.body)
    return cls(url=archived.url, status=archived.status, headers=headers, body=archived.body, request=request)


def _step(pipeline: Any, spider: PeninsulaSpider) -> Any:
    """``process_item`` as a one-argument function (whether or not the pipeline also takes the spider)."""
    method = pipeline.process_item
    if len(inspect.signature(method).parameters) > 1:
        return lambda item: method(item, spider)
    return method


def _through(item: Any, steps: list[Any], stats: Any) -> Any:
    scraped = item
    try:
        for step in steps:
            item = step(item)
    except DropItem as exc:
        stats.inc_value("item_dropped_count")
        stats.inc_value(f"item_dropped_reasons_count/{type(exc).__name__}")
        record_drop(stats, scraped, exc)  # as the crawl's DropList does: the item the spider yielded
        return None
    return item


def _publish(
    output_dir: Path, briefs: Iterable[Brief], sources: list[WarcSource], stats: Any
) -> ReextractResult:
    started_at = datetime.now(UTC)
    crawl_id = unused_crawl_id(output_dir, store.new_crawl_id(started_at))
    tmp_dir = store.tmp_dir(output_dir, crawl_id)
    tmp_dir.mkdir(parents=True)
    tmp_path = tmp_dir / store.FILENAME
    rows = 0
    try:
        with pq.ParquetWriter(tmp_path, BRIEF_SCHEMA, compression="zstd") as writer:
            for batch in _batches(briefs):
                writer.write_table(to_table(batch))
                rows += len(batch)
            if rows == 0:
                raise ReextractError("no brief could be extracted from the WARCs given")
            stats.set_value("kei/snapshot_rows", rows)
            writer.add_key_value_metadata(encode_metadata({
                "crawl_id": crawl_id,
                "source": "reextract",
                "warcs": [s.path.name for s in sources],
                "reextracted_from": sorted({s.crawl_id for s in sources if s.crawl_id}),
                "base_url": next((s.base_url for s in sources if s.base_url), ""),
                "started_at": started_at.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(),
                "finish_reason": "finished",
                "mode": "reextract",
                "version": __version__,
                "schema_version": SCHEMA_VERSION,
                "previous_snapshot": None,
                "counts": run_counts(stats.get_stats()),
                "alerts": [],
            }))  # fmt: skip
        final = store.snapshot_dir(output_dir, crawl_id)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.rename(tmp_dir, final)  # atomic, as a crawl publishes: a reader sees the whole file or none
    except BaseException:
        for leftover in tmp_dir.glob("*"):
            leftover.unlink()
        tmp_dir.rmdir()
        raise
    return ReextractResult(final / store.FILENAME, crawl_id, rows, run_counts(stats.get_stats()))


def _batches(briefs: Iterable[Brief]) -> Iterator[list[Brief]]:
    batch: list[Brief] = []
    for brief in briefs:
        batch.append(brief)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch
