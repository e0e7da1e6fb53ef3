"""Fixtures shared by the e2e tests: the replica served on 127.0.0.1, a crawl of it kept for a module, and
headless Chromium with a watched page for the report's tests.

The helpers these fixtures use live in tests/support, where the test modules import them from too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from tests.support.archived_crawl import ArchivedSite, Crawled
from tests.support.browser import PageWatch, chromium
from tests.support.crawling import run_crawl


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    """A default replica (60 briefs, flat theme, query pagination), served until the test ends."""
    server = ReplicaServer(build_site(60, theme="flat", pagination="query"))
    server.start()
    yield server
    server.stop()


# One crawl per module that asks for it (test_warc.py, test_reextract.py). test_diff_cli.py and
# test_loaders.py define their own ``crawled``, which wins within their module.
@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    site = ArchivedSite(build_site(60, theme="flat"))
    out = tmp_path_factory.mktemp("warc") / "out"
    with ReplicaServer(site) as server:  # type: ignore[arg-type]
        done = run_crawl(server.base_url, out)
        assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[
            -3000:
        ]  # the 500 and the 404 are lost briefs
        return Crawled(site, server.base_url, out, server.requests, done.stderr)


# Per module, not per session: between its calls Playwright's sync API leaves its event loop marked as
# running in this thread, so while it lives asyncio.run() raises ("cannot be called from a running event
# loop") in any other test, e.g. test_extraction_workers.py's. Closing it clears the mark; a launch costs ~1 s.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once per module (skips when missing: tests/support/browser.py)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def page_watch(browser: Browser) -> Iterator[PageWatch]:
    """A fresh context and page; at teardown, any console error, uncaught exception or failed request in
    it fails the test (``page_watch.allow(pattern)`` for one the test expects)."""
    watch = PageWatch(browser)
    yield watch
    try:
        watch.check()
    finally:
        watch.close()


@pytest.fixture
def page(page_watch: PageWatch) -> Page:
    return page_watch.page
