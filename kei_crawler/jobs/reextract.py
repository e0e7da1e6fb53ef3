"""``kei-crawler reextract``: a snapshot rebuilt from archived responses, with no network.

The archived brief responses go through the crawl's own code — the page objects (in worker processes
with ``KEI_EXTRACT_WORKERS``), the spider's ``raw_brief``, the ITEM_PIPELINES the settings name (validate
→ normalize → dedupe) — and the rows are published through the crawl's own publishing path
(``run.assembly``), under the output directory's lock. With the extractor unchanged, the snapshot equals
the crawl's own row for row: ``fetched_at`` is the response's WARC-Date, the validators come from the
recorded headers, and the link columns name the same records. Lineage comes from the captures alone
(``first_seen`` = ``last_seen`` = ``fetched_at``, as in a first crawl); nothing is carried forward from
other snapshots. The snapshot's metadata says where it came from: ``source = reextract``, the WARCs and
their crawl ids.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object

from kei_crawler import urls
from kei_crawler.config import KeiConfig, Mode
from kei_crawler.items import Brief
from kei_crawler.pages.workers import WorkerPool
from kei_crawler.pipelines.drops import drop_entry
from kei_crawler.run.assembly import SnapshotAssembly
from kei_crawler.run.context import RunContext, open_run
from kei_crawler.run.counts import FailureLists, Stat, count_filled, run_counts
from kei_crawler.run.progress import ReadProgress
from kei_crawler.spiders.peninsula import raw_brief
from kei_crawler.storage.warc.link import WARC_META
from kei_crawler.storage.warc.reader import (
    ArchivedResponse,
    Damage,
    WarcReadError,
    WarcSource,
    describe,
    read_responses,
)

logger = logging.getLogger(__name__)


class ReextractError(Exception):
    """Nothing could be published; the message is one line for the user."""


@dataclass
class ReextractResult:
    snapshot_path: Path
    crawl_id: str
    rows: int
    counts: dict[str, Any]


class _OfflineCrawler:
    """What the pipelines read from a crawler: its settings and stats."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stats = MemoryStatsCollector(cast(Crawler, self))


def reextract(
    warcs: list[Path],
    settings: Settings,
    damage: Damage | None = None,
    watch: Callable[[ReadProgress], None] | None = None,
) -> ReextractResult:
    """Publish the snapshot the WARCs of one crawl hold: WarcReadError for what is not a WARC (or WARCs of
    several crawls), run.context.OutputLocked, ReextractError when no brief could be extracted. What is
    damaged or missing is recorded in ``damage``; each brief it cost is a counted error of the run.
    ``watch`` is told after each record how far the reading has come."""
    damage = damage if damage is not None else Damage()
    sources = [describe(path) for path in warcs]
    crawls = sorted({s.crawl_id for s in sources})
    if len(crawls) > 1:
        # One crawl's captures make one snapshot; which capture of a brief wins across crawls is the
        # carry-forward's business, not re-extraction's.
        raise WarcReadError(
            f"the WARCs belong to {len(crawls)} crawls ({', '.join(crawls)}); give one crawl's"
        )
    config = KeiConfig.from_settings(settings)
    crawler = _OfflineCrawler(settings)
    with open_run(config, mode=Mode.REEXTRACT, with_archive=False) as run:
        reader = WorkerPool(config.extract_workers)
        try:
            assembly = SnapshotAssembly(run, crawler.stats)
            responses = read_responses(warcs, damage)
            if watch is not None:
                responses = _watched(responses, ReadProgress.of(warcs), watch)
            for brief in _briefs(responses, run, reader, _pipelines(crawler), crawler.stats):
                assembly.add(brief)
            _count_lost(damage, run, crawler.stats)
            path = assembly.publish(listing_required=False, extra=_provenance(sources))
        finally:
            reader.close()
        if path is None:
            reason = run.outcome.not_published_because or "nothing was published"
            if reason == "the crawl captured no briefs":
                reason = "no brief could be extracted from the WARCs given"
            raise ReextractError(reason)
        counts = run_counts(crawler.stats.get_stats(), run.failures)
        return ReextractResult(path, run.crawl_id, assembly.rows, counts)


def _watched(
    responses: Iterable[ArchivedResponse], progress: ReadProgress, watch: Callable[[ReadProgress], None]
) -> Iterator[ArchivedResponse]:
    for archived in responses:
        progress.read(archived.link["file"], archived.link["offset"])
        watch(progress)
        yield archived
    progress.finish()
    watch(progress)


def _count_lost(damage: Damage, run: RunContext, stats: Any) -> None:
    """Each brief whose capture could not be read, as an error of the run (listed in the counts, as a
    crawl lists the briefs it failed to fetch)."""
    origin = urls.origin_of(run.config.canonical_origin)
    for url, why in damage.lost:
        if not urls.is_brief_url(url):
            continue
        canonical = urls.canonical_brief_url(url, origin)
        logger.info("Brief not recovered (%s): %s", why.reason, canonical)
        stats.inc_value(Stat.errors("brief"))
        stats.inc_value(Stat.errors_by_reason("brief", why.reason))
        run.failures.errors.append(
            {"kind": "brief", "url": canonical, "fetched_url": url, "reason": why.reason, "detail": str(why)}
        )


def _provenance(sources: list[WarcSource]) -> dict[str, Any]:
    """What the snapshot's metadata says about where its rows came from."""
    return {
        "source": "reextract",
        "warcs": [s.path.name for s in sources],
        "reextracted_from": sorted({s.crawl_id for s in sources if s.crawl_id}),
        "base_url": next((s.base_url for s in sources if s.base_url), ""),
    }


def _pipelines(crawler: _OfflineCrawler) -> list[Any]:
    """The crawl's ITEM_PIPELINES, in their order, built with Scrapy's own helpers. (Scrapy's pipeline
    manager runs its chain on the reactor; replay is synchronous, and so are the pipelines.)"""
    paths = build_component_list(crawler.settings.getwithbase("ITEM_PIPELINES"))
    return [build_from_crawler(load_object(path), cast(Crawler, crawler)) for path in paths]


def _briefs(
    responses: Iterable[ArchivedResponse],
    run: RunContext,
    reader: WorkerPool,
    pipelines: list[Any],
    stats: Any,
) -> Iterator[Brief]:
    origin = urls.origin_of(run.config.canonical_origin)
    steps = [_step(pipeline) for pipeline in pipelines]
    captures = _linking_requisites(responses, run, origin)
    pages = ((pair, pair[0].url, pair[0].body) for pair in _brief_responses(captures, origin, stats))
    # With KEI_EXTRACT_WORKERS, pages are read in worker processes while the ones before go through the
    # pipelines here; they come back in order either way.
    for (response, canonical), read in reader.imap(pages):
        brief = _through(raw_brief(response, canonical, read, origin), steps, stats, run.failures)
        if isinstance(brief, Brief):
            stats.inc_value("item_scraped_count")
            count_filled(stats, brief)  # as the crawl's FieldFillRates does
            yield brief


def _linking_requisites(
    responses: Iterable[ArchivedResponse], run: RunContext, origin: str
) -> Iterator[ArchivedResponse]:
    """``responses``, each capture of something other than a brief (a photo) recorded by URL as the crawl
    records it, so the rows link to their photos (``run.photo_links``: rows are written a batch behind)."""
    for archived in responses:
        if 200 <= archived.status < 300 and not urls.is_brief_url(archived.requested_url):
            url = archived.requested_url
            run.requisites.record(urls.rebase(url, url, origin), archived.link["record_id"])
        yield archived


def _brief_responses(
    responses: Iterable[ArchivedResponse], origin: str, stats: Any
) -> Iterator[tuple[Response, str]]:
    for archived in responses:
        stats.inc_value(Stat.REEXTRACT_RESPONSES)
        if not 200 <= archived.status < 300 or not urls.is_brief_url(archived.requested_url):
            continue
        yield _scrapy_response(archived), urls.canonical_brief_url(archived.requested_url, origin)


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


def _step(pipeline: Any) -> Any:
    """``process_item`` as a one-argument function (a pipeline of another project may still take the
    spider, which replay has none of)."""
    method = pipeline.process_item
    if len(inspect.signature(method).parameters) > 1:
        return lambda item: method(item, None)
    return method


def _through(item: Any, steps: list[Any], stats: Any, failures: FailureLists) -> Any:
    scraped = item
    try:
        for step in steps:
            item = step(item)
    except DropItem as exc:
        stats.inc_value("item_dropped_count")
        stats.inc_value(f"item_dropped_reasons_count/{type(exc).__name__}")
        failures.drops.append(drop_entry(scraped, exc))  # as the crawl's DropList does: the spider's item
        return None
    return item
