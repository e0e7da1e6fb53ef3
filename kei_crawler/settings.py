"""Scrapy settings: polite defaults for the real keia.org, and every KEI_* setting.

Tests and the demo crawl the local replica and override the politeness settings with ``-s`` (or
``settings_overrides``); nothing here is specific to the replica.
"""

from kei_crawler import __version__

BOT_NAME = "kei_crawler"
SPIDER_MODULES = ["kei_crawler.spiders"]
NEWSPIDER_MODULE = "kei_crawler.spiders"

# --- kei-crawler's own settings ---------------------------------------------------------------
KEI_BASE_URL = "https://keia.org"  # where requests go: the site, or a mirror / the replica
KEI_CANONICAL_ORIGIN = "https://keia.org"  # the origin of canonical URLs and brief_ids, whatever served them
KEI_OUTPUT_DIR = "output"  # snapshots/, runs/, warc/ and .tmp/ live below it
KEI_CRAWL_ID = ""  # empty: derived from the start time, e.g. 2026-11-29T043512Z
KEI_SNAPSHOT_ENABLED = True  # publish output/snapshots/snapshot=<crawl_id>/briefs.parquet
KEI_SNAPSHOT_BATCH_ROWS = 1000  # rows buffered before a Parquet row group is written
KEI_WARC_ENABLED = True  # keep every request and response in output/warc/<crawl_id>.warc.gz (+ .cdxj)
KEI_WARC_DEDUPE_PREVIOUS = True  # a payload an earlier crawl's WARC in warc/ holds is written as a revisit
KEI_MODE = "auto"  # auto (incremental once a snapshot exists) | incremental | revalidate | full
KEI_OVERLAP_PAGES = 1  # incremental: stop after this many listing pages holding only known briefs
KEI_MAX_LISTING_PAGES = 2000  # a hard stop for a listing that never ends (the real one has ~700)
KEI_QUALITY_MIN_BRIEFS = (
    5  # quality alert: compare fill rates only when at least this many briefs were fetched
)
KEI_QUALITY_RATE_DROP = 0.5  # quality alert: a field filled on less than this share of its archive rate
KEI_QUALITY_BODY_RATIO = 2.0  # quality alert: mean body length this many times longer (or shorter)
# Retries (kei_crawler/retry.py): retry n waits between half and all of BASE·2^(n-1) seconds, at most MAX;
# a Retry-After holds every request to the host for as long as it says, up to MAX_WAIT; longer, and the
# host's requests fail as retry_after_too_long instead of waiting (README "When the site misbehaves").
KEI_RETRY_BACKOFF_BASE = 2.0
KEI_RETRY_BACKOFF_MAX = 60.0
KEI_RETRY_MAX_WAIT = 300.0
KEI_EXTRACT_WORKERS = 0  # read brief pages in this many worker processes (0: the crawl itself)

# --- politeness, for the real site ------------------------------------------------------------
USER_AGENT = f"kei-crawler/{__version__} (+https://github.com/kei-crawler/kei-crawler; archival crawler)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0  # one request a second, as the site's size and SITE-FACTS.md's estimate assume
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3  # RETRY_HTTP_CODES (5xx, 408, 429), timeouts, resets, truncated bodies
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # a brief is ~50 KB; anything this large is not a brief
REDIRECT_MAX_TIMES = 5  # the site moves a brief once; RFC 9309 follows robots.txt this far
COOKIES_ENABLED = False  # the site needs none; cookies would only make runs differ
# A callback's output (one brief, or a listing page's ~12 requests) is processed by CONCURRENT_ITEMS
# asyncio tasks, all created for every response however little it yields: at Scrapy's 100 that was a
# quarter of a crawl's CPU (BENCHMARKS.md). Our pipelines never wait on anything, so one is as fast.
CONCURRENT_ITEMS = 1
# The JOBDIR queues (--resume): requests held in memory, written in Scrapy's own format when the crawl stops.
# Scrapy's disk queues wrote a file per request and remade emptied queues: twice its CPU per request.
SCHEDULER_DISK_QUEUE = "kei_crawler.squeues.HeldLifoQueue"
SCHEDULER_START_DISK_QUEUE = "kei_crawler.squeues.HeldFifoQueue"

# --- items ----------------------------------------------------------------------------------
# Scrapy's robots, retry, decompression and redirect middlewares replaced, at their places, by ones that report every
# refusal with its reason (README "When the site misbehaves"); the WARC recorder sits nearest the download
# handler: it sees raw bodies, redirects, 304s, errors and retries (archive/warc.py).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "kei_crawler.middlewares.robots.Rfc9309RobotsMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "kei_crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "kei_crawler.middlewares.compression.RetryingHttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "kei_crawler.middlewares.redirects.SiteMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "kei_crawler.middlewares.redirects.SiteRedirectMiddleware": 600,
    "kei_crawler.middlewares.warc.WarcRecorder": 950,
}
ITEM_PIPELINES = {
    "kei_crawler.pipelines.validate.ValidatePipeline": 100,
    "kei_crawler.pipelines.normalize.NormalizePipeline": 200,
    "kei_crawler.pipelines.dedupe.DedupePipeline": 300,
}
EXTENSIONS = {
    "kei_crawler.extensions.fill_rates.FieldFillRates": 400,
    "kei_crawler.pipelines.drops.DropList": 410,  # every dropped brief listed with its reason
    "kei_crawler.extensions.warc.WarcWriter": 450,  # publishes the WARC before SnapshotWriter its rows
    "kei_crawler.extensions.snapshot.SnapshotWriter": 500,
    "kei_crawler.extensions.manifest.RunManifest": 600,
}

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False  # a scheduled job has no one to talk to; no open port
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "kei_crawler.logformatter.BriefLogFormatter"  # one line per dropped brief, reason and URL
