"""Real crawls of the replica with a bad or random ``-s NAME=VALUE``: exit 2 in one line before a single
request (or a lock, or a job directory), or a crawl that completes — never a traceback, never a hang.

Most random pairs are checked without a crawl in tests/unit/test_settings_property.py; here a few run
end to end, with values bounded so that any accepted one makes a short crawl.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from tests.support import ROOT
from tests.support.crawling import run_crawl, speed_args


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_site(12)) as served:
        yield served


@pytest.mark.parametrize(
    "setting",
    [
        "CONCURRENT_REQUESTS=abc",
        "CONCURRENT_REQUESTS=0",
        "CONCURRENT_REQUESTS_PER_DOMAIN=-3",  # on main: a crawl that sent nothing and never ended
        "LOG_LEVEL=BOGUS",
        "DOWNLOAD_TIMEOUT=0",
        "KEI_WARC_ENABLED=maybe",
    ],
)
def test_a_bad_setting_stops_the_crawl_before_anything(
    server: ReplicaServer, tmp_path: Path, setting: str
) -> None:
    server.clear_log()
    done = run_crawl(server.base_url, tmp_path / "out", "-s", setting, timeout=60)
    assert done.returncode == ExitCode.USAGE, done.stderr[-2000:]
    assert done.stderr.startswith(f"kei-crawler: {setting.partition('=')[0]} must be ")
    assert done.stderr.count("\n") == 1
    assert server.requests == []
    assert not (tmp_path / "out").exists()  # no lock, no job directory to refuse a later --resume


def test_plain_scrapy_crawl_logs_a_bad_setting_and_does_nothing(
    server: ReplicaServer, tmp_path: Path
) -> None:
    """Under ``scrapy crawl`` (or Scrapyd) the run owner checks the same table: one error line in the log,
    no request, nothing written — where the crawl used to hang for good."""
    server.clear_log()
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "peninsula", "-s", f"KEI_BASE_URL={server.base_url}",
         "-s", f"KEI_OUTPUT_DIR={out}", *speed_args(), "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=-3"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert (
        "ERROR: CONCURRENT_REQUESTS_PER_DOMAIN must be a whole number of at least 1, got '-3'" in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert server.requests == []
    assert not out.exists()


def test_a_misspelled_setting_warns_and_the_crawl_goes_on(server: ReplicaServer, tmp_path: Path) -> None:
    done = run_crawl(server.base_url, tmp_path / "out", "-s", "DOWNLAOD_DELAY=0", timeout=120)
    assert done.returncode == ExitCode.OK, done.stderr[-2000:]
    assert "kei-crawler: warning: unknown setting DOWNLAOD_DELAY" in done.stderr
    assert "did you mean DOWNLOAD_DELAY?" in done.stderr


def _whole(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(str)


def _seconds(low: float, high: float) -> st.SearchStrategy[str]:
    return st.floats(low, high).map(lambda f: f"{f:.3f}")


_WORDS = st.sampled_from(["True", "False", "true", "0", "1", "yes", "off"])
# Each name with values around its range; bounded above so that an accepted value is a short crawl.
AROUND: dict[str, st.SearchStrategy[str]] = {
    "CONCURRENT_REQUESTS": _whole(-2, 16),
    "CONCURRENT_REQUESTS_PER_DOMAIN": _whole(-3, 16),
    "CONCURRENT_ITEMS": _whole(-1, 4),
    "DOWNLOAD_DELAY": _seconds(-1, 0.02),
    "DOWNLOAD_TIMEOUT": _seconds(-1, 30),
    "RETRY_TIMES": _whole(-1, 2),
    "RETRY_ENABLED": _WORDS,
    "ROBOTSTXT_OBEY": _WORDS,
    "AUTOTHROTTLE_ENABLED": _WORDS,
    "LOG_LEVEL": st.sampled_from(["DEBUG", "INFO", "WARNING", "ERROR", "info", "LOUD"]),
    "DEPTH_LIMIT": _whole(-1, 3),
    "CLOSESPIDER_ITEMCOUNT": _whole(-1, 5),
    "REDIRECT_MAX_TIMES": _whole(-1, 5),
    "DOWNLOAD_MAXSIZE": _whole(-1, 100_000),
    "KEI_OVERLAP_PAGES": _whole(-1, 3),
    "KEI_MAX_LISTING_PAGES": _whole(-1, 3),
    "KEI_SNAPSHOT_BATCH_ROWS": _whole(-1, 5),
    "KEI_WARC_ENABLED": _WORDS,
    "KEI_MODE": st.sampled_from(["auto", "full", "incremental", "revalidate", "FULL", "sometimes"]),
    "KEI_CANONICAL_ORIGIN": st.sampled_from(
        [
            "https://keia.org",
            "http://example.org:8080/",
            "notaurl",
            "https://keia.org/blog/",
            "https://a@b.org",
        ]
    ),
}
JUNK = st.sampled_from(["", "abc", "nan", "inf", "-1", "1.5", "{}", "maybe"])
PAIRS = st.sampled_from(sorted(AROUND)).flatmap(
    lambda name: st.tuples(st.just(name), st.one_of(JUNK, AROUND[name]))
)
_RUNS = itertools.count()


@settings(max_examples=8, deadline=None)
@given(pair=PAIRS)
def test_a_random_setting_is_refused_in_one_line_or_the_crawl_completes(
    server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory, pair: tuple[str, str]
) -> None:
    name, value = pair
    out = tmp_path_factory.getbasetemp() / f"settings-crawl-{next(_RUNS)}"
    done = run_crawl(server.base_url, out, "-s", f"{name}={value}", timeout=180)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    if done.returncode == ExitCode.USAGE:
        assert done.stderr.startswith(f"kei-crawler: {name} must be ") and done.stderr.count("\n") == 1
    else:
        assert done.returncode in {code.value for code in ExitCode}, done.stderr[-3000:]
