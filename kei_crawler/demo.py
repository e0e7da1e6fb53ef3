"""``kei-crawler demo``: the bundled replica of keia.org, served on 127.0.0.1 and crawled end to end."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.report import duckdb_query, newest_briefs_table
from kei_crawler.runner import project_settings, run_crawl
from kei_crawler.snapshot import store

# Politeness is for the real site; the replica is a local process that answers as fast as it can.
LOCAL_SPEED = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
}


def run_demo(console: Console, output_dir: Path, *, briefs: int, theme: str, pagination: str) -> int:
    from kei_crawler.cli import finish

    site = build_site(briefs, theme=theme, pagination=pagination)
    server = ReplicaServer(site)
    base_url = server.start()
    try:
        console.print(
            f"Serving a replica of keia.org ({briefs} briefs, theme {theme!r}) at {base_url}", soft_wrap=True
        )
        settings = project_settings(
            {**LOCAL_SPEED, "KEI_BASE_URL": base_url, "KEI_OUTPUT_DIR": str(output_dir)}
        )
        result = run_crawl(settings)
    finally:
        server.stop()
    if result.snapshot_path is not None:
        console.print(newest_briefs_table(store.load(result.snapshot_path), width=console.width))
        console.print("\nLoad every snapshot in DuckDB:")
        console.print(duckdb_query(output_dir), highlight=False, soft_wrap=True)
        console.print()
    return finish(console, result)
