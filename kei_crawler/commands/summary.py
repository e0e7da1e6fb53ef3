"""What the commands print: the run summary and the table of newest briefs (rich; plain when piped)."""

from __future__ import annotations

from datetime import timedelta
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

INDEX_LABELS = {
    "sitemap_not_in_listing": "listed in sitemap, not in listing",
    "listing_not_in_sitemap": "in listing, not in sitemap",
    "feed_not_in_listing": "in feed, not in listing",
    "briefs_from_indexes": "briefs found only by sitemap or feed",
}
"""``run.indexes.SiteIndexes.disagreements``' counts, as the summary names them."""


def duration(seconds: float) -> str:
    """``8.3 s`` for a short run, ``1:02:07`` for a long one."""
    return f"{seconds:.1f} s" if seconds < 60 else str(timedelta(seconds=round(seconds)))


def summary_table(result: CrawlResult, elapsed: float | None = None) -> Table:
    """The run in figures; ``elapsed``: the command's wall-clock seconds, with the request rate."""
    counts: dict[str, Any] = result.counts
    table = Table(show_header=False, title_justify="left")
    # Long rows (an error's reason, the WARC's records) wrap rather than lose their end at 80 columns.
    table.add_column("what", style="bold")
    table.add_column("count", justify="right")
    table.add_row("crawl", f"{result.crawl_id} ({result.mode}, {result.outcome.finish_reason or '?'})")
    if elapsed is not None:
        table.add_row("elapsed", duration(elapsed))
    table.add_row("briefs fetched", str(counts["briefs_written"]))
    for label, key in (
        ("  new", "briefs_new"),
        ("  changed", "briefs_changed"),
        ("  unchanged", "briefs_unchanged"),
    ):
        table.add_row(label, str(counts[key]))
    for label, key in (
        ("briefs not modified (304)", "briefs_not_modified"),
        ("briefs unchanged by sitemap lastmod", "briefs_dated_unchanged"),
        ("briefs carried forward", "briefs_carried"),
        ("briefs removed (404/410)", "briefs_removed"),
    ):
        if counts.get(key):
            table.add_row(label, str(counts[key]))
    table.add_row("briefs in snapshot", str(counts["snapshot_rows"]))
    for reason, n in counts["briefs_dropped"].items():
        table.add_row(f"dropped: {reason}", str(n))
    table.add_row("listing pages", str(counts["listing_pages"]))
    if counts.get("sitemap_files") or counts.get("feed_briefs"):
        # The site's own indexes beside its listing (docs/operations.md#sitemaps-and-the-feed).
        listed = f"{counts['sitemap_briefs']} briefs; the feed {counts['feed_briefs']}"
        table.add_row("sitemaps read", f"{counts['sitemap_files']} ({listed})")
        for name, n in counts["index_disagreements"].items():
            table.add_row(INDEX_LABELS.get(name, name), str(n))
    if counts["requisites"] or counts["requisites_archived"] or counts["requisites_offsite"]:
        # The briefs' photos and content images (docs/warc.md#page-requisites): not briefs, so apart.
        held, offsite = counts["requisites_archived"], counts["requisites_offsite"]
        table.add_row("images fetched", f"{counts['requisites']} ({held} held already, {offsite} off-site)")
    rate = f" ({counts['requests'] / elapsed:.1f}/s)" if elapsed else ""
    table.add_row("requests", f"{counts['requests']}{rate}")
    for status, n in counts["responses_by_status"].items():
        table.add_row(f"responses {status}", str(n))
    table.add_row("bytes downloaded", f"{counts['bytes_downloaded']:,}")
    if counts["warc_bytes"]:
        records = ", ".join(f"{n} {kind}" for kind, n in counts["warc_records"].items())
        table.add_row("WARC bytes", f"{counts['warc_bytes']:,} ({records})")
    errors = ("brief_errors", "listing_errors", "requisite_errors", "sitemap_errors", "feed_errors")
    for kind in (*errors, "spider_exceptions"):
        for reason, n in counts.get(kind, {}).items():
            table.add_row(f"{kind.replace('_', ' ')}: {reason}", str(n))
    return table


def fill_rate_table(counts: dict[str, Any], width: int = 80) -> Table:
    """Each extracted field beside the share of written briefs that have it: as many field–share pairs
    a row as fit ``width`` columns, so no field's name is cut."""
    rates = [(name.replace("_", " "), f"{rate:.0%}") for name, rate in counts["fill_rates"].items()]
    name_width = max([len("field"), *(len(name) for name, _ in rates)])
    pair_width = name_width + len("filled") + 6  # two cells: a space either side of each, a rule after each
    across = max(1, min(len(rates), (width - 1) // pair_width))
    table = Table(title="fields filled", title_justify="left")
    for _ in range(across):
        table.add_column("field", no_wrap=True)
        table.add_column("filled", justify="right", no_wrap=True)
    for start in range(0, len(rates), across):
        row = [cell for pair in rates[start : start + across] for cell in pair]
        table.add_row(*row, *[""] * (2 * across - len(row)))
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


def print_summary(console: Console, result: CrawlResult, *, elapsed: float | None = None) -> None:
    counts = result.counts
    console.print(summary_table(result, elapsed))
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
        console.print(fill_rate_table(counts, console.width))
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
    out.add_column("authors", max_width=18)  # wrapped, never cut: a name cut short is another name
    out.add_column("series", min_width=10)
    with_caption = width >= 110  # on a narrow terminal the title matters more
    if with_caption:
        out.add_column("photo caption", max_width=28, overflow="ellipsis", no_wrap=True)
    for row in newest:
        cells = [str(row["published"]), row["title"], ", ".join(row["authors"]), row["series"] or ""]
        out.add_row(*cells, *([row["photo_caption"] or ""] if with_caption else []))
    return out


def duckdb_query(output_dir: Path) -> str:
    """Every snapshot's size and newest brief in DuckDB: through the views database when a publish built
    one (``run.current``), else straight from the Parquet files."""
    layout = OutputLayout.of(output_dir)
    if layout.views_database.is_file():
        return (
            f'duckdb.connect(\'{layout.views_database.as_posix()}\', read_only=True).sql("""\n'
            "    SELECT snapshot, count(*) AS briefs, max(published) AS newest\n"
            '    FROM history GROUP BY snapshot ORDER BY snapshot""")'
        )
    glob = (layout.snapshots / "*" / store.FILENAME).as_posix()
    return (
        "SELECT snapshot, count(*) AS briefs, max(published) AS newest\n"
        f"FROM read_parquet('{glob}', hive_partitioning=true)\n"
        "GROUP BY snapshot ORDER BY snapshot;"
    )
