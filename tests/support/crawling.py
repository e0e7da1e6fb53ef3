"""Crawls of the replica in a subprocess, as the e2e tests (and the benchmarks) run them.

Crawls run in a subprocess because Twisted's reactor starts once per process; the replica's server
runs in the test's process so tests can read its request log and change the site between crawls.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kei_crawler.commands.demo import LOCAL_SPEED

TEST_LOG = {"LOG_LEVEL": "WARNING"}
"""Scrapy's own log at WARNING, in its own format on stderr, which the tests read for what went wrong (the
default, one line per warning, is tested apart: tests/e2e/test_terminal_output.py)."""
NO_DISCOVERY = {"KEI_SITEMAPS": "off"}
"""The sitemaps and the feed unread: the request counts the tests hold are those of the listing-only crawl,
which a crawl with ``KEI_SITEMAPS=off`` must keep exactly; tests/e2e/test_discovery.py turns them on
(``KEI_SITEMAPS=None`` leaves the default, on)."""


def speed_args(**settings: object) -> list[str]:
    """LOCAL_SPEED, with ``settings`` over it, as ``-s NAME=VALUE`` arguments (``crawl`` and ``scrapy crawl``);
    a setting given as None is left out."""
    chosen = {**LOCAL_SPEED, **TEST_LOG, **NO_DISCOVERY, **settings}
    return [arg for name, value in chosen.items() if value is not None for arg in ("-s", f"{name}={value}")]


def crawl_argv(base_url: str, output_dir: Path, *flags: str, **settings: object) -> list[str]:
    """``kei-crawler crawl`` of a local replica as a child process of this interpreter, at LOCAL_SPEED.

    ``settings`` override LOCAL_SPEED; ``flags`` come last, so a ``-s`` among them wins over both.
    """
    return [sys.executable, "-m", "kei_crawler", "crawl", "--base-url", base_url,
            "--output-dir", str(output_dir), *speed_args(**settings), *flags]  # fmt: skip


def crawl_command(base_url: str, output_dir: Path, *extra: str) -> list[str]:
    return crawl_argv(base_url, output_dir, *extra, LOG_LEVEL="INFO")


def run_crawl(
    base_url: str, output_dir: Path, *extra: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    return subprocess.run(
        crawl_command(base_url, output_dir, *extra), capture_output=True, text=True, timeout=timeout, env=env
    )
