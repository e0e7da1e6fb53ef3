"""What the commands print: the run summary and the table of newest briefs (rich; plain when piped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console
from rich.table import Table

from kei_crawler.jobs.crawl import CrawlResult
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import lost_briefs
from kei_crawler.storage.snapshot import store


def summary_table(result: CrawlResult) -> Table:
    counts: dict[str, Any] = result.counts
    table = Table(show_header=False, title_justify="left")
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_row("crawl", f"{result.crawl_id} ({result.mode}, {result.outcome.finish_reason or '?'})")
    table.add_row("briefs fetched", str(counts["briefs_written"]))
    for label, key in (
        ("  new", "briefs_new"),
        ("  changed", "briefs_changed"),
        ("  unchanged", "briefs_unchanged"),
    ):
        table.add_row(label, str(counts[key]))
    for label, key in (
        ("briefs not modified (304)", "briefs_not_modified"),
        ("briefs carried forward", "briefs_carried"),
        ("briefs removed (404/410)", "briefs_removed"),
    ):
        if counts[key]:
            table.add_row(label, str(counts[key]))
    table.add_row("briefs in snapshot", str(counts["snapshot_rows"]))
    for reason, n in counts["briefs_dropped"].items():
        table.add_row(f"dropped: {reason}", str(n))
    table.add_row("listing pages", str(counts["listing_pages"]))
    if counts["requisites"] or counts["requisites_archived"] or counts["requisites_offsite"]:
        # The briefs' photos and content images (docs/warc.md#page-requisites): not briefs, so apart.
        held, offsite = counts["requisites_archived"], counts["requisites_offsite"]
        table.add_row("images fetched", f"{counts['requisites']} ({held} held already, {offsite} off-site)")
    table.add_row("requests", str(counts["requests"]))
    for status, n in counts["responses_by_status"].items():
        table.add_row(f"responses {status}", str(n))
    table.add_row("bytes downloaded", f"{counts['bytes_downloaded']:,}")
    if counts["warc_bytes"]:
        records = ", ".join(f"{n} {kind}" for kind, n in counts["warc_records"].items())
        table.add_row("WARC bytes", f"{counts['warc_bytes']:,} ({records})")
    for kind in ("brief_errors", "listing_errors", "requisite_errors", "spider_exceptions"):
        for reason, n in counts[kind].items():
            table.add_row(f"{kind.replace('_', ' ')}: {reason}", str(n))
    return table


def fill_rate_table(counts: dict[str, Any]) -> Table:
    """One column per extracted field: the share of written briefs that have it."""
    table = Table(title="fields filled", title_justify="left")
    rates: dict[str, float] = counts["fill_rates"]
    for name in rates:
        table.add_column(name.replace("_", " "), justify="right")
    table.add_row(*(f"{rate:.0%}" for rate in rates.values()))
    return table


SHOWN = 20
"""Failed briefs listed by URL in the summary, per list; the run manifest holds them all."""


def lost_line(counts: dict[str, Any]) -> str | None:
    """The "published with errors: …" line when the run could not capture some briefs (WITH_ERRORS)."""
    lost = len(lost_briefs(counts))
    if not lost:
        return None
    return (
        f"published with errors: {lost} brief{'s' if lost > 1 else ''} could not be captured "
        "(listed below and in the run manifest's errors and drops)"
    )


def print_summary(console: Console, result: CrawlResult) -> None:
    counts = result.counts
    console.print(summary_table(result))
    for alert in result.outcome.alerts:
        console.print(f"[bold red]QUALITY ALERT[/]: {alert}")
    lost = lost_line(counts)
    if lost and result.outcome.published:
        console.print(f"[bold yellow]{lost}[/]", highlight=False)
    if counts["briefs_not_refreshed"]:
        console.print(
            f"[bold yellow]not refreshed[/]: {counts['briefs_not_refreshed']} (kept from the previous snapshot)"
        )
    if counts.get("briefs_outstanding"):
        console.print(
            f"[bold yellow]outstanding[/]: {counts['briefs_outstanding']} listed but never captured "
            "(asked for again by every crawl)"
        )
    if counts["briefs_written"]:
        console.print(fill_rate_table(counts))
    for error in counts["errors"][:SHOWN]:
        console.print(f"  error: {error['kind']} {error['url']} — {error['reason']}", highlight=False)
    for drop in counts["drops"][:SHOWN]:
        console.print(f"  dropped: {drop['reason']} {drop['url']} — {drop['detail']}", highlight=False)
    for name, listed in (("errors", counts["errors"]), ("drops", counts["drops"])):
        if len(listed) > SHOWN:
            console.print(f"  … and {len(listed) - SHOWN} more {name} (see the run manifest)")


def newest_briefs_table(table: pa.Table, limit: int = 10, *, width: int = 120) -> Table:
    order = pc.sort_indices(table, sort_keys=[("published", "descending"), ("url", "ascending")])
    newest = table.take(order[:limit]).to_pylist()
    out = Table(
        title=f"The {min(limit, table.num_rows)} newest of {table.num_rows} briefs", title_justify="left"
    )
    out.add_column("published", min_width=10)
    out.add_column("title", min_width=24)
    out.add_column("authors", max_width=18, overflow="ellipsis", no_wrap=True)
    out.add_column("series", min_width=10)
    with_caption = width >= 110  # on a narrow terminal the title matters more
    if with_caption:
        out.add_column("photo caption", max_width=28, overflow="ellipsis", no_wrap=True)
    for row in newest:
        cells = [str(row["published"]), row["title"], ", ".join(row["authors"]), row["series"] or ""]
        out.add_row(*cells, *([row["photo_caption"] or ""] if with_caption else []))
    return out


def duckdb_query(output_dir: Path) -> str:
    glob = (OutputLayout.of(output_dir).snapshots / "*" / store.FILENAME).as_posix()
    return (
        "SELECT snapshot, count(*) AS briefs, max(published) AS newest\n"
        f"FROM read_parquet('{glob}', hive_partitioning=true)\n"
        "GROUP BY snapshot ORDER BY snapshot;"
    )
