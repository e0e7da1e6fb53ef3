"""What a crawl prints on a terminal: the progress's known total and ETA, the log options, the one-line
warnings, and summary tables that fit 80 columns without cutting a word."""

from __future__ import annotations

import argparse
import io
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.table import Table
from scrapy.settings import Settings

from kei_crawler.commands.arguments import UsageError
from kei_crawler.commands.progress_bar import crawl_bar, watching_crawl
from kei_crawler.commands.summary import fill_rate_table, newest_briefs_table, summary_table
from kei_crawler.commands.terminal import OneLineHandler, Terminal, add_terminal_options
from kei_crawler.config import Mode
from kei_crawler.items import EXTRACTED
from kei_crawler.jobs.crawl import CrawlResult
from kei_crawler.run.counts import FailureLists, Stat, run_counts
from kei_crawler.run.listing_walk import ListingWalk
from kei_crawler.run.outcome import RunOutcome
from kei_crawler.run.progress import PageProgress, ReadProgress, page_kind
from kei_crawler.storage.snapshot.schema import to_table
from tests.support.snapshots import brief

LISTING = "https://keia.org/the-peninsula/"


def walk_of(count: int, pages: int, per_page: int = 10) -> ListingWalk:
    walk = ListingWalk()
    for number in range(1, pages + 1):
        entries = [f"{LISTING}b{number}-{n}/" for n in range(per_page)]
        walk.record(number, f"{LISTING}?post_paged={number}", count, entries)
    return walk


def test_pages_are_listing_and_brief_pages_only() -> None:
    assert page_kind(LISTING) == "listing"
    assert page_kind("https://keia.org/the-peninsula/some-brief/") == "brief"
    assert page_kind("https://keia.org/robots.txt") is None
    assert page_kind("https://keia.org/wp-content/uploads/2020/01/photo.jpg") is None


def test_a_full_crawl_knows_its_total_from_the_listing_count() -> None:
    progress = PageProgress.of(Mode.FULL)
    progress.queue("listing")
    assert progress.total == 1  # nothing read yet: only the first listing page is known
    progress.read_listing(walk_of(count=95, pages=1))
    assert progress.total == 10 + 95  # ten listing pages of ten, and every brief
    for _ in range(12):
        progress.queue("brief")
    assert progress.total == 105  # queued briefs are among the 95 due


def test_an_incremental_crawl_knows_only_what_it_queued() -> None:
    progress = PageProgress.of(Mode.INCREMENTAL)
    progress.queue("listing")
    progress.read_listing(walk_of(count=2000, pages=1))
    for _ in range(3):
        progress.queue("brief")
    assert progress.total == 4  # the listing's size says nothing of what an incremental crawl fetches
    progress.dequeue("brief")  # a duplicate the scheduler turned down
    assert progress.total == 3


def test_a_sweep_reads_every_listing_page_but_only_new_briefs() -> None:
    progress = PageProgress.of(Mode.SWEEP)
    progress.queue("listing")
    progress.queue("brief")
    progress.read_listing(walk_of(count=41, pages=1))
    assert progress.total == 5 + 1


def test_the_total_never_falls_below_what_was_fetched() -> None:
    progress = PageProgress.of(Mode.INCREMENTAL)
    progress.fetched = 7  # a resumed crawl's queue came from disk, unannounced
    assert progress.total == 7


def test_the_bar_shows_done_of_total_and_the_eta() -> None:
    now = [0.0]
    progress = crawl_bar(Console(file=io.StringIO(), width=120))
    progress.get_time = lambda: now[0]
    watch = watching_crawl(progress, "crawl (full)")
    pages = PageProgress.of(Mode.FULL)
    pages.queue("listing")
    pages.read_listing(walk_of(count=90, pages=1))
    for second in range(11):
        now[0] = float(second)
        pages.fetched = 5 * second  # 5 pages a second
        watch(pages)
    out = io.StringIO()
    Console(file=out, width=120).print(progress.get_renderable())
    shown = out.getvalue()
    assert "50/99 pages" in shown  # nine listing pages of ten, ninety briefs: 49 to go, about 10 seconds
    assert "5.0 pages/s" in shown
    assert "ETA 0:00:10" in shown


def test_reading_warcs_counts_the_files_behind_and_the_offset_in_the_current(tmp_path: Path) -> None:
    first, second = tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"
    first.write_bytes(b"x" * 1000)
    second.write_bytes(b"y" * 500)
    read = ReadProgress.of([first, second])
    assert read.total == 1500
    read.read("a.warc.gz", 0)
    read.read("a.warc.gz", 700)
    assert (read.records, read.position) == (2, 700)
    read.read("b.warc.gz", 200)
    assert (read.records, read.position) == (3, 1200)
    read.finish()
    assert read.position == read.total


def terminal_of(*argv: str) -> Terminal:
    parser = argparse.ArgumentParser()
    add_terminal_options(parser)
    return Terminal.of(parser.parse_args(list(argv)))


def test_by_default_scrapys_log_is_off_and_warnings_come_one_line_each() -> None:
    terminal = terminal_of()
    assert terminal.log_settings({}) == {"LOG_ENABLED": False}
    settings = Settings({"LOG_ENABLED": False})
    [handler] = terminal.log_handlers(settings)
    assert isinstance(handler, OneLineHandler) and handler.level == logging.WARNING


def test_quiet_keeps_errors_only() -> None:
    [handler] = terminal_of("-q").log_handlers(Settings({"LOG_ENABLED": False}))
    assert handler.level == logging.ERROR


def test_verbose_and_a_log_level_given_leave_scrapys_log_as_scrapy_crawl_has_it() -> None:
    assert terminal_of("-v").log_settings({}) == {}
    assert terminal_of().log_settings({"LOG_LEVEL": "DEBUG"}) == {}
    assert terminal_of("-v").log_handlers(Settings()) == []  # Scrapy's own handler writes stderr


def test_logfile_takes_scrapys_log_at_info(tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    terminal = terminal_of("--logfile", str(log))
    assert terminal.log_settings({}) == {"LOG_FILE": str(log), "LOG_LEVEL": "INFO"}
    assert terminal.log_settings({"LOG_LEVEL": "DEBUG"}) == {"LOG_FILE": str(log)}
    with pytest.raises(UsageError, match="--logfile and -s LOG_FILE"):
        terminal.log_settings({"LOG_FILE": "other.log"})
    [handler] = terminal.log_handlers(Settings({"LOG_FILE": str(log)}))
    assert isinstance(handler, OneLineHandler)
    [beside] = terminal_of("-v", "--logfile", str(log)).log_handlers(Settings({"LOG_FILE": str(log)}))
    assert not isinstance(beside, OneLineHandler) and beside.level == logging.DEBUG  # Scrapy's LOG_LEVEL


def test_a_logfile_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--logfile .*: cannot write it"):
        terminal_of("--logfile", str(tmp_path / "missing" / "crawl.log"))
    with pytest.raises(UsageError, match="is a directory"):
        terminal_of("--logfile", str(tmp_path))


def test_a_warning_with_an_exception_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("kei_crawler.test_terminal")
    handler = OneLineHandler(logging.WARNING)
    logger.addHandler(handler)
    try:
        logger.info("not shown")
        try:
            raise ValueError("bad\nvalue")
        except ValueError:
            logger.error(
                "Spider error processing %s\n(referer: None)", "<GET https://keia.org/x/>", exc_info=True
            )
    finally:
        logger.removeHandler(handler)
    assert capsys.readouterr().err == (
        "kei-crawler: error: Spider error processing <GET https://keia.org/x/> (referer: None): "
        "ValueError: bad value\n"
    )


def counts_of_a_busy_run() -> dict[str, Any]:
    stats: dict[str, Any] = {
        "item_scraped_count": 12_345,
        Stat.SNAPSHOT_ROWS: 12_345,
        Stat.BRIEFS_NEW: 12_000,
        "downloader/request_count": 123_456,
        "downloader/response_bytes": 9_876_543_210,
        **{Stat.filled(name): 10_000 for name in EXTRACTED},
    }
    counts = run_counts(stats, FailureLists())
    counts["warc_bytes"] = 9_876_543_210
    counts["warc_records"] = {"request": 123_456, "response": 120_000, "revisit": 3_456, "metadata": 12_345}
    counts["responses_by_status"] = {"200": 120_000, "304": 3_456}
    counts["brief_errors"] = {"the connection was refused by the server after retries": 3}
    return counts


def rendered(table: Table, width: int = 80) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(table)
    return out.getvalue()


def assert_whole(table: Table, text: str) -> None:
    """No line wider than 80 columns, nothing cut short (…), every word of every header and cell shown."""
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    words = (
        [word for column in table.columns for word in str(column.header).split()] if table.show_header else []
    )
    words += [word for column in table.columns for cell in column.cells for word in str(cell).split()]
    missing = [word for word in words if word not in text]
    assert missing == [], text


def test_the_summary_tables_fit_80_columns_whole() -> None:
    counts = counts_of_a_busy_run()
    outcome = RunOutcome(finish_reason="finished")
    result = CrawlResult("2026-12-04T163037Z", "incremental", outcome, counts, previous=True)
    for table in (summary_table(result, elapsed=3725.0), fill_rate_table(counts, 80)):
        assert_whole(table, rendered(table))
    assert "1:02:05" in rendered(summary_table(result, elapsed=3725.0))


def test_the_newest_briefs_table_fits_80_columns_whole() -> None:
    rows = [
        brief(f"b{n}", title=f"A long title about the Korean peninsula's economy, number {n}",
              published=date(2025, 5, n + 1), authors=["Kim Min-ji", "Troy Stangarone", "Korea View"],
              series="Korea View")
        for n in range(3)
    ]  # fmt: skip
    table = newest_briefs_table(to_table(rows), width=80)
    assert_whole(table, rendered(table))


def test_progress_needs_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert not terminal_of().shows_progress
    assert terminal_of("-q").shows_summary is False
