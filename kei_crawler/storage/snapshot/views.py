"""``<output>/kei.duckdb``: DuckDB views over the snapshots, so that a reader queries ``briefs`` instead of
repeating the newest-snapshot and live-brief filters (and the ``snapshot`` column's conversion) in every
query.

The database holds views and one small table, never data: the views read the Parquet files where they
lie. DuckDB resolves a relative path in a view against the working directory of whoever queries it, so
the views name the output directory by its absolute path, and the database can be opened from anywhere;
an output directory moved elsewhere leaves views that find no files until the next publish rebuilds them
(``kei_crawler`` says which folder and which snapshot they were built for). The ``duckdb`` package is
optional (``pip install 'kei-crawler[duckdb]'``): without it no database is written.
"""

from __future__ import annotations

import importlib.util
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kei_crawler.storage.snapshot import store

MARKER_TABLE = "kei_crawler"
"""The table that marks a database as kei-crawler's own, and says what its views were built from."""
VIEWS = ("briefs", "briefs_all", "history", "changes")
SNAPSHOT_AS_UTC = "timezone('UTC', strptime(snapshot, '%Y-%m-%dT%H%M%SZ'))"
"""The Hive partition value (a crawl id) as the instant it names: TIMESTAMP WITH TIME ZONE."""
_HIVE = "hive_partitioning = true, hive_types = {'snapshot': VARCHAR}"
"""The folder name read as a string (never a type DuckDB guesses), converted by SNAPSHOT_AS_UTC."""


def available() -> bool:
    """True when the ``duckdb`` package can be imported."""
    return importlib.util.find_spec("duckdb") is not None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def statements(output_dir: Path, crawl_id: str) -> list[str]:
    """The SQL that makes the views for the archive in ``output_dir`` (absolute) whose newest snapshot is
    ``crawl_id``."""
    every = output_dir / store.SNAPSHOTS / f"{store.PREFIX}*" / store.FILENAME
    newest = store.snapshot_path(output_dir, crawl_id)
    return [
        # union_by_name: snapshots written under an older schema version lack later columns (read as null).
        f"""CREATE VIEW history AS
            SELECT * REPLACE ({SNAPSHOT_AS_UTC} AS snapshot)
            FROM read_parquet({_literal(str(every))}, {_HIVE}, union_by_name = true)""",
        f"""CREATE VIEW briefs_all AS
            SELECT * REPLACE ({SNAPSHOT_AS_UTC} AS snapshot)
            FROM read_parquet({_literal(str(newest))}, {_HIVE})""",
        "CREATE VIEW briefs AS SELECT * FROM briefs_all WHERE removed_at IS NULL",
        # Each brief's row beside its row in the snapshot before (the last one that held it): a first row or
        # a return after removal is an addition, a removal is counted once, a new content_hash while live is
        # a change.
        """CREATE VIEW changes AS
            WITH steps AS (
                SELECT snapshot, brief_id, url, title, published, content_hash, removed_at,
                       lag(snapshot) OVER by_brief AS previous_snapshot,
                       lag(content_hash) OVER by_brief AS previous_content_hash,
                       lag(removed_at) OVER by_brief AS previous_removed_at
                FROM history
                WINDOW by_brief AS (PARTITION BY brief_id ORDER BY snapshot)
            )
            SELECT snapshot, brief_id, url, title, published,
                   CASE WHEN removed_at IS NOT NULL THEN 'removed'
                        WHEN previous_snapshot IS NULL OR previous_removed_at IS NOT NULL THEN 'added'
                        ELSE 'changed' END AS change,
                   previous_snapshot, previous_content_hash, content_hash
            FROM steps
            WHERE (removed_at IS NULL AND (previous_snapshot IS NULL OR previous_removed_at IS NOT NULL))
               OR (removed_at IS NOT NULL AND (previous_snapshot IS NULL OR previous_removed_at IS NULL))
               OR (removed_at IS NULL AND content_hash <> previous_content_hash)""",
        f"""CREATE TABLE {MARKER_TABLE} (
                snapshot TIMESTAMPTZ, crawl_id VARCHAR, output_dir VARCHAR, built_at TIMESTAMPTZ)""",
    ]


def build(database: Path, output_dir: Path, crawl_id: str) -> None:
    """Write a new database at ``database`` (which must not exist) with the views over ``output_dir``'s
    snapshots, ``crawl_id`` the newest."""
    import duckdb

    output_dir = Path(os.path.abspath(output_dir))  # the path as given: a link the user chose stays one
    con = duckdb.connect(str(database))
    try:
        for sql in statements(output_dir, crawl_id):
            con.execute(sql)
        con.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (?, ?, ?, ?)",
            [store.crawl_time(crawl_id), crawl_id, str(output_dir), datetime.now(UTC)],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def made_here(database: Path) -> bool:
    """True when ``database`` is a DuckDB file holding the marker table; False for anything else (which
    includes a file DuckDB cannot open: another version's, or one open for writing elsewhere)."""
    import duckdb

    try:
        con = duckdb.connect(str(database), read_only=True)
    except (duckdb.Error, OSError):
        return False
    try:
        found: Any = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [MARKER_TABLE]
        ).fetchone()
        return bool(found and found[0])
    except duckdb.Error:
        return False
    finally:
        con.close()
