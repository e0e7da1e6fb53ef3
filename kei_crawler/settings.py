"""Scrapy settings: polite defaults for the real keia.org, and the components that make up the crawler.

kei-crawler's own ``KEI_*`` settings, their defaults and checks are in ``config.py``. Tests and the demo
crawl the local replica and override the politeness settings with ``-s``; nothing here is specific to the
replica.
"""

from kei_crawler import __version__

BOT_NAME = "kei_crawler"
SPIDER_MODULES = ["kei_crawler.spiders"]
NEWSPIDER_MODULE = "kei_crawler.spiders"

# --- politeness, for the real site ------------------------------------------------------------
USER_AGENT = f"kei-crawler/{__version__} (+https://github.com/kei-crawler/kei-crawler; archival crawler)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0  # one request a second: a full crawl of The Peninsula in about two hours
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

# --- components --------------------------------------------------------------------------------
# Scrapy's robots, retry, decompression and redirect middlewares replaced, at their places, by ones that
# report every refusal with its reason (docs/operations.md, "When the site misbehaves"); the WARC recorder
# sits nearest the download handler: it sees raw bodies, redirects, 304s, errors and retries.
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
    "kei_crawler.middlewares.warc_recorder.WarcRecorder": 950,
}
ITEM_PIPELINES = {
    "kei_crawler.pipelines.validate.ValidatePipeline": 100,
    "kei_crawler.pipelines.normalize.NormalizePipeline": 200,
    "kei_crawler.pipelines.dedupe.DedupePipeline": 300,
}
# The run owner first: the others read the run from it. When the crawl closes it finishes the WARC, the
# snapshot and the manifest in that order itself, so the numbers below only order their creation.
EXTENSIONS = {
    "kei_crawler.extensions.run_owner.RunOwner": 100,
    "kei_crawler.extensions.fill_rates.FieldFillRates": 400,
    "kei_crawler.extensions.drop_list.DropList": 410,  # every dropped brief listed with its reason
    "kei_crawler.extensions.listing_shifts.ListingShifts": 420,  # listing pages that moved, read again
    "kei_crawler.extensions.crawl_progress.CrawlProgress": 430,  # pages done / due, for a terminal's progress bar
    "kei_crawler.extensions.warc_writer.WarcWriter": 450,
    "kei_crawler.extensions.snapshot_writer.SnapshotWriter": 500,
    "kei_crawler.extensions.manifest.RunManifest": 600,
}

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False  # a scheduled job has no one to talk to; no open port
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "kei_crawler.logformatter.BriefLogFormatter"  # one line per dropped brief, reason and URL
