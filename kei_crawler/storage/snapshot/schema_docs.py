"""docs/schema.md's generated blocks: the columns table and the schema's version history, made from the
same source as the Arrow schema and ``datapackage.json`` (``items.FIELDS``, ``schema.SCHEMA_HISTORY``).

Each block lies between two marker comments, so the prose around it stays hand-written::

    python -m kei_crawler.storage.snapshot.schema_docs            # rewrite docs/schema.md's blocks
    python -m kei_crawler.storage.snapshot.schema_docs --check    # exit 1 when they are out of date

(``make schema-docs`` runs the first.)
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kei_crawler.items import FIELDS
from kei_crawler.storage.atomic import os_error_line, write_atomic
from kei_crawler.storage.snapshot.schema import SCHEMA_HISTORY

DOC = Path("docs/schema.md")
COMMAND = "make schema-docs"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def columns_table() -> str:
    rows = [f"| `{c.name}` | `{c.type}` | {'yes' if c.nullable else 'no'} | {_cell(c.doc)} |" for c in FIELDS]
    return "\n".join(["| column | type | nullable | meaning |", "| --- | --- | --- | --- |", *rows])


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in names) or "—"


def history_table() -> str:
    rows = [
        f"| {v.version} | {_names(v.added)} | {_names(v.changed)} | {_cell(v.why)} |" for v in SCHEMA_HISTORY
    ]
    return "\n".join(["| version | added | changed | why |", "| --- | --- | --- | --- |", *rows])


BLOCKS: dict[str, Callable[[], str]] = {"columns": columns_table, "versions": history_table}
"""Each generated block by name: ``<!-- generated: NAME … -->`` … ``<!-- end generated: NAME -->``."""


def _start(name: str) -> str:
    return f"<!-- generated: {name} — edit items.py or schema.py, then run `{COMMAND}` -->"


def _end(name: str) -> str:
    return f"<!-- end generated: {name} -->"


def updated(text: str) -> str:
    """``text`` with each generated block made anew; ValueError naming a block whose markers are missing."""
    for name, render in BLOCKS.items():
        pattern = re.compile(
            rf"^<!-- generated: {re.escape(name)}\b.*?-->\n.*?^{re.escape(_end(name))}$", re.S | re.M
        )
        found = pattern.search(text)
        if found is None:
            raise ValueError(
                f"no generated block {name!r}: add the lines {_start(name)!r} and {_end(name)!r}"
            )
        block = f"{_start(name)}\n\n{render()}\n\n{_end(name)}"
        text = text[: found.start()] + block + text[found.end() :]
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kei_crawler.storage.snapshot.schema_docs", description=__doc__.splitlines()[0]
    )
    parser.add_argument("path", nargs="?", type=Path, default=DOC, help=f"the page (default {DOC})")
    parser.add_argument("--check", action="store_true", help="exit 1, changing nothing, when out of date")
    args = parser.parse_args(argv)
    try:
        text = args.path.read_text("utf-8")
        new = updated(text)
    except OSError as exc:
        print(f"kei-crawler: {os_error_line(exc, args.path)}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"kei-crawler: {args.path}: {exc}", file=sys.stderr)
        return 2
    if new == text:
        return 0
    if args.check:
        print(f"kei-crawler: {args.path} is out of date: run `{COMMAND}`", file=sys.stderr)
        return 1
    write_atomic(args.path, new)
    print(f"updated {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
