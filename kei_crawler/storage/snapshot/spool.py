"""RowSpool: a crawl's freshly fetched rows, in numbered Parquet part files that are complete on disk.

Each part is written atomically (``storage.atomic``), so whatever happens to the process, the parts on
disk are whole files. A resumed crawl (``--resume``) finds the parts its interrupted run left and
goes on numbering after them; the publishing step streams them, in order, into the snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kei_crawler.items import Brief
from kei_crawler.storage.atomic import atomic_path
from kei_crawler.storage.snapshot.schema import to_table


class RowSpool:
    def __init__(self, directory: Path, batch_rows: int = 1000) -> None:
        self.directory = directory
        self.batch_rows = max(1, batch_rows)
        self.buffer: list[Brief] = []
        directory.mkdir(parents=True, exist_ok=True)
        self.next_part = len(self.parts())

    def parts(self) -> list[Path]:
        return sorted(self.directory.glob("part-*.parquet"))

    def add(self, brief: Brief) -> None:
        self.buffer.append(brief)
        if len(self.buffer) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        final = self.directory / f"part-{self.next_part:06d}.parquet"
        with atomic_path(final, failpoint="spool.part") as tmp:
            pq.write_table(to_table(self.buffer), tmp, compression="zstd")
        self.next_part += 1
        self.buffer.clear()

    def tables(self) -> Iterator[pa.Table]:
        """The spooled rows, part by part (one part in memory at a time)."""
        for part in self.parts():
            yield pq.read_table(part, use_threads=False)

    def urls(self) -> set[str]:
        """URLs already spooled: what a resumed crawl has captured before."""
        found: set[str] = set()
        for part in self.parts():
            found.update(pq.read_table(part, columns=["url"]).column("url").to_pylist())
        return found
