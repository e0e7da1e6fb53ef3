"""Imported by the forkserver of ``benchmarks.crawl_processes``: every module a crawl imports, so that the
crawls forked from it start at once. Scrapy loads its components by dotted path while the crawler is
built; they are found in its default settings and in ours, and imported here the same way.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from scrapy.settings import default_settings

import kei_crawler.commands
import kei_crawler.commands.crawl
import kei_crawler.commands.summary
import kei_crawler.jobs.crawl
from kei_crawler import settings as kei_settings


def dotted_paths() -> Iterator[str]:
    for module in (default_settings, kei_settings):
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, dict):
                yield from (key for key in value if isinstance(key, str))
                yield from (item for item in value.values() if isinstance(item, str))
            elif isinstance(value, str):
                yield value


def import_components() -> int:
    """Import the module of every dotted path that names one; how many were imported."""
    imported = 0
    for path in set(dotted_paths()):
        module = path.rpartition(".")[0]
        if module.startswith(("scrapy.", "twisted.", "kei_crawler.")):
            try:
                importlib.import_module(module)
            except ImportError:
                continue  # an optional component (e.g. brotli decoding) whose library is not installed
            imported += 1
    return imported


assert (
    kei_crawler.commands
    and kei_crawler.commands.crawl
    and kei_crawler.commands.summary
    and kei_crawler.jobs.crawl
)
import_components()
