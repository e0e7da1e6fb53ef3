"""Headless Chromium for the report's tests: Debian's ``chromium`` package, driven by Playwright.

Playwright never downloads a browser here: it launches the executable ``KEI_CHROMIUM`` names, else
``/usr/bin/chromium`` (``make browser`` installs it). Without one the browser tests skip, unless
``KEI_REQUIRE_BROWSER`` is set (``.ci/run`` sets it), where they fail: a green CI means they ran.
tests/e2e/conftest.py turns these helpers into the ``browser``, ``page_watch`` and ``page`` fixtures.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Route, sync_playwright

from tests.support import ROOT

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in CI and containers: Chromium's sandbox refuses to start as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium's own calls home (updates, sync, field trials): this machine's closed network refuses them,
    # and the refusals would read as the page's failed requests.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT_HEIGHT = 900
TIMEOUT_MS = 5_000
"""Playwright's wait for an element or a load, down from 30 s: the pages are local files, and a missing
element should fail its test quickly."""
AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"], "preload": False}
"""axe-core's WCAG 2.1 A/AA rules and its best practices. No preload: axe would fetch the stylesheets again
with XHR, which Chromium refuses on file:// pages (the console error would fail the page's check)."""
OFF_MACHINE = re.compile(r"^(https?|wss?)://(?!(127\.0\.0\.1|localhost|\[::1\])[:/])")
"""A request leaving the machine: aborted, so a page that needs the internet (a CDN's script) fails its
check the same way on a connected laptop as on the closed CI machine."""


def artifacts_dir() -> Path:
    """Where screenshots go: ``$KEI_TEST_ARTIFACTS``, else ``build/test-artifacts`` (git-ignored)."""
    chosen = os.environ.get("KEI_TEST_ARTIFACTS")
    return Path(chosen) if chosen else ROOT / "build" / "test-artifacts"


def browser_required() -> bool:
    return os.environ.get("KEI_REQUIRE_BROWSER", "") not in ("", "0")


def chromium_path() -> Path:
    """The Chromium to launch; skips the test (fails it under ``KEI_REQUIRE_BROWSER``) when there is none."""
    named = os.environ.get("KEI_CHROMIUM")
    path = Path(named) if named else DEBIAN_CHROMIUM
    if path.is_file() and os.access(path, os.X_OK):
        return path
    where = f"KEI_CHROMIUM={named} is no executable" if named else f"no Chromium at {DEBIAN_CHROMIUM}"
    if browser_required():
        pytest.fail(f"{where}, and KEI_REQUIRE_BROWSER is set: run `make browser` (Debian's chromium)")
    pytest.skip(f"{where}: `make browser` installs Debian's chromium for the browser tests")


@contextmanager
def chromium() -> Iterator[Browser]:
    """One headless Chromium, closed at the end."""
    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class PageWatch:
    """A page in a context of its own, and what went wrong in it: console errors, uncaught exceptions,
    failed requests. :meth:`check` fails the test naming each, unless :meth:`allow` expected it."""

    def __init__(self, browser: Browser) -> None:
        self.context: BrowserContext = browser.new_context(
            viewport={"width": 1280, "height": VIEWPORT_HEIGHT}
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route(OFF_MACHINE, _abort)
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self._allowed: list[re.Pattern[str]] = []
        self.page.on("console", self._console)
        self.page.on(
            "pageerror", lambda error: self.problems.append(f"uncaught {error.name}: {error.message}")
        )
        self.page.on("requestfailed", self._request_failed)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            self.problems.append(f"console.error at {where['url']}:{where['lineNumber']}: {message.text}")

    def _request_failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def allow(self, pattern: str) -> None:
        """A problem the test expects (a regular expression searched in its line) does not fail it."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(allowed.search(p) for allowed in self._allowed)]

    def check(self) -> None:
        unexpected = self.unexpected()
        if unexpected:
            pytest.fail("the page had problems:\n" + "\n".join(f"  {line}" for line in unexpected))

    def close(self) -> None:
        self.context.close()


def _abort(route: Route) -> None:
    route.abort("internetdisconnected")


def screenshot(page: Page, name: str, width: int) -> Path:
    """The whole page at ``width`` CSS pixels wide, as ``<artifacts>/<name>-<width>px.png``; its path."""
    page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
    path = artifacts_dir() / f"{name}-{width}px.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    return path


def overflows_horizontally(page: Page) -> bool:
    """Whether the page is wider than the viewport (a sideways scroll bar): what 375 px must not have."""
    return bool(page.evaluate("document.documentElement.scrollWidth > innerWidth"))


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG A/AA fault (contrast, names, labels, landmarks, ARIA) in the page as it is."""
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()
