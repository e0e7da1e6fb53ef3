"""A Frictionless plugin reading Parquet through pyarrow, so that ``frictionless validate`` checks the
values a data team's reader gets.

Frictionless's own parquet plugin converts the table to pandas first, where a list arrives as a NumPy
array, a map as a list of pairs and a null integer as NaN, and its ``array``, ``object`` and
``integer`` checks then refuse them. Frictionless loads every top-level module named ``frictionless_*``
as a plugin, ahead of its own: the tests put this folder on the ``PYTHONPATH`` of the ``frictionless``
command they run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pyarrow.parquet as pq
from frictionless import Parser, Plugin


class ArrowParquetParser(Parser):
    supported_types: ClassVar[list[str]] = ["array", "date", "datetime", "integer", "object", "string"]

    def read_cell_stream_create(self) -> Iterator[list[Any]]:
        table = pq.read_table(self.resource.normpath)
        yield table.column_names
        for batch in table.to_batches():
            for row in batch.to_pylist(maps_as_pydicts="strict"):
                yield list(row.values())


class ArrowPlugin(Plugin):
    def create_parser(self, resource: Any) -> ArrowParquetParser | None:
        return ArrowParquetParser(resource) if resource.format in ("parquet", "parq") else None
