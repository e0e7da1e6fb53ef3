"""Shared fixtures: the replica served on 127.0.0.1 and crawls of it in a subprocess.

Crawls run in a subprocess because Twisted's reactor starts once per process; the replica's server
runs in this process so tests can read its request log and change the site between crawls.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kei_crawler.commands.demo import crawl_argv
from kei_crawler.replica import ReplicaServer, build_site

FIXTURES = Path(__file__).parent / "fixtures"


def crawl_command(base_url: str, output_dir: Path, *extra: str) -> list[str]:
    return crawl_argv(base_url, output_dir, *extra, LOG_LEVEL="INFO")


def run_crawl(
    base_url: str, output_dir: Path, *extra: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    return subprocess.run(
        crawl_command(base_url, output_dir, *extra), capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    """A default replica (60 briefs, flat theme, query pagination), served until the test ends."""
    server = ReplicaServer(build_site(60, theme="flat", pagination="query"))
    server.start()
    yield server
    server.stop()
