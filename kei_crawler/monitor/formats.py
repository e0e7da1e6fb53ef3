"""``kei-crawler diff`` output: a rich table, JSON, markdown, CSV, and a Parquet change table.

Every renderer works from :func:`entries`, one small dict per change, so the formats always agree. The
loops here run over the changes, never over a snapshot's rows. A file written with ``--output`` takes the
format its name's suffix says (:data:`FILE_FORMATS`), never Parquet under a ``.csv`` name.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from kei_crawler.monitor.sources import Source
from kei_crawler.storage.atomic import atomic_path, write_atomic
from kei_crawler.storage.snapshot.diff import Changes
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, encode_metadata

KINDS = ("added", "changed", "moved", "removed")
FILE_FORMATS = {".parquet": "parquet", ".csv": "csv", ".json": "json", ".md": "markdown"}
"""``--output`` file suffix (any case) → the format written."""
CDF_CHANGE = {"added": "insert", "changed": "update", "moved": "move", "removed": "delete"}
"""The ``change`` column of the Parquet change table, named as change data feeds name them."""

CHANGE_FEED_SCHEMA = pa.schema(
    [
        pa.field("change", pa.string(), nullable=False),
        *BRIEF_SCHEMA,
        pa.field("changed_fields", pa.list_(pa.string())),
        pa.field("chars_added", pa.int64()),
        pa.field("chars_removed", pa.int64()),
        pa.field("similarity", pa.float64()),
        pa.field("text_diff", pa.string()),
        pa.field("old_brief_id", pa.string()),
        pa.field("old_url", pa.string()),
    ]
)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def entries(changes: Changes) -> dict[str, list[dict[str, Any]]]:
    """Per kind, one dict per change: brief_id, url, title, published and what the kind adds."""
    common = ["brief_id", "url", "title", "published"]
    out: dict[str, list[dict[str, Any]]] = {}
    out["added"] = [
        {**row, "published": _iso(row["published"])}
        for row in changes.added.select([*common, "authors", "series"]).to_pylist()
    ]
    out["changed"] = []
    for row in changes.changed.select(
        [*common, "changed_fields", "chars_added", "chars_removed", "similarity", "text_diff"]
    ).to_pylist():
        numbers = {key: row.pop(key) for key in ("chars_added", "chars_removed", "similarity")}
        fields = row.pop("changed_fields")
        body = numbers if numbers["chars_added"] is not None else None  # None: the body is the same
        out["changed"].append({
            **row, "published": _iso(row["published"]), "fields": fields, "body": body,
            "text_diff": row.pop("text_diff"),
        })  # fmt: skip
    out["moved"] = [
        {**row, "published": _iso(row["published"]), "new_url": row["url"]}
        for row in changes.moved.select([*common, "old_brief_id", "old_url"]).to_pylist()
    ]
    out["removed"] = [
        {**row, "published": _iso(row["published"]), "removed_at": _iso(row["removed_at"])}
        for row in changes.removed.select([*common, "removed_at"]).to_pylist()
    ]
    return out


def headline(changes: Changes, old: Source, new: Source) -> str:
    counts = changes.counts
    if changes.empty:
        return f"No changes from {old.label} to {new.label}."
    told = ", ".join(f"{counts[kind]} {kind}" for kind in KINDS)
    return f"From {old.label} to {new.label}: {told}."


def detail(kind: str, entry: dict[str, Any]) -> str:
    """What happened, in a few words: the fields that changed, the old URL, how a brief went."""
    if kind == "changed":
        body = entry["body"]
        said = [
            f"body +{body['chars_added']:,}/−{body['chars_removed']:,} chars ({body['similarity']:.0%} similar)"
            if name == "body" and body
            else name
            for name in entry["fields"]
        ]
        return ", ".join(said) or "content hash only"
    if kind == "moved":
        return f"moved from {entry['old_url']}"
    if kind == "removed":
        return (
            f"404/410 since {entry['removed_at'][:10]}"
            if entry["removed_at"]
            else "no longer in the snapshot"
        )
    return "new"


def print_text(console: Console, changes: Changes, old: Source, new: Source) -> None:
    """A rich table (plain text, no colour, when piped)."""
    console.print(headline(changes, old, new), highlight=False, soft_wrap=True)
    if changes.empty:
        return
    table = Table(show_lines=False)
    table.add_column("change", no_wrap=True)
    table.add_column("published", no_wrap=True)
    table.add_column("brief", ratio=3, min_width=24, overflow="fold")
    table.add_column("what", ratio=2, min_width=16)
    with_urls = console.width >= 120
    styles = {"added": "green", "changed": "yellow", "moved": "cyan", "removed": "red"}
    for kind, items in entries(changes).items():
        for entry in items:
            brief = escape(entry["title"])
            if with_urls:  # on a narrow terminal a folded URL is only noise; json/csv/markdown carry it
                brief += f"\n[dim]{escape(entry['url'])}[/]"
            table.add_row(
                f"[{styles[kind]}]{kind}[/]", entry["published"], brief, escape(detail(kind, entry))
            )
    console.print(table)
    for entry in entries(changes)["changed"]:
        if entry["text_diff"]:
            console.print()
            console.print(f"{escape(entry['title'])}  [dim]{escape(entry['url'])}[/]", soft_wrap=True)
            if console.is_terminal:
                console.print(Syntax(entry["text_diff"], "diff", theme="ansi_dark", word_wrap=True))
            else:  # piped or saved: one diff line per line, never broken at the console's width
                console.print(entry["text_diff"], soft_wrap=True, markup=False, highlight=False)


def fence(text: str) -> str:
    """A markdown fence longer than any run of backticks in ``text``, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def to_json(changes: Changes, old: Source, new: Source) -> str:
    document = {
        "old": {"snapshot": old.label, "path": str(old.path)},
        "new": {"snapshot": new.label, "path": str(new.path)},
        "counts": changes.counts,
        **entries(changes),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def to_markdown(changes: Changes, old: Source, new: Source) -> str:
    """For a chat message or an e-mail: a heading, then one bullet per change under its kind."""
    lines = [f"**The Peninsula** — {headline(changes, old, new)}"]
    names = {"added": "New", "changed": "Changed", "moved": "Moved", "removed": "Removed"}
    for kind, items in entries(changes).items():
        if not items:
            continue
        lines += ["", f"### {names[kind]} ({len(items)})", ""]
        for entry in items:
            title = entry["title"].replace("[", "\\[").replace("]", "\\]")
            line = f"- {entry['published']} [{title}]({entry['url']})"
            if kind != "added":
                line += f" — {detail(kind, entry)}"
            lines.append(line)
            if entry.get("text_diff"):  # indented under the bullet, so it belongs to that brief
                marks = fence(entry["text_diff"])
                lines += ["", f"  {marks}diff", *(f"  {t}" for t in entry["text_diff"].split("\n")),
                          f"  {marks}", ""]  # fmt: skip
    return "\n".join(lines)


def to_csv(changes: Changes) -> str:
    columns = ["change", "brief_id", "url", "old_url", "title", "published", "changed_fields",
               "chars_added", "chars_removed", "similarity", "removed_at", "text_diff"]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for kind, items in entries(changes).items():
        for entry in items:
            body = entry.get("body") or {}
            writer.writerow({
                **entry, **body, "change": kind,
                "changed_fields": ";".join(entry.get("fields", [])),
            })  # fmt: skip
    return buffer.getvalue()


def change_table(changes: Changes) -> pa.Table:
    """Every change as one row: ``change`` (insert/update/move/delete), the brief's row as the new snapshot
    has it (the old one's for a delete), and what the kind adds."""
    pieces = []
    for kind in KINDS:
        table: pa.Table = getattr(changes, kind)
        columns = []
        for field in CHANGE_FEED_SCHEMA:
            if field.name == "change":
                columns.append(pa.array([CDF_CHANGE[kind]] * table.num_rows, pa.string()))
            elif field.name in table.column_names:
                columns.append(table[field.name].combine_chunks().cast(field.type))
            else:
                columns.append(pa.nulls(table.num_rows, field.type))
        pieces.append(pa.Table.from_arrays(columns, schema=CHANGE_FEED_SCHEMA))
    return pa.concat_tables(pieces)


def file_format(path: str | os.PathLike[str]) -> str | None:
    """The format an ``--output`` file of this name holds; None when its suffix names none."""
    return FILE_FORMATS.get(Path(path).suffix.lower())


def render(fmt: str, changes: Changes, old: Source, new: Source) -> str:
    """The changes as a ``json``, ``markdown`` or ``csv`` document."""
    if fmt == "json":
        return to_json(changes, old, new) + "\n"
    if fmt == "markdown":
        return to_markdown(changes, old, new) + "\n"
    return to_csv(changes)


def write_changes(changes: Changes, old: Source, new: Source, path: str | os.PathLike[str]) -> Path:
    """The changes written atomically to ``path``, in the format of its suffix (:func:`file_format`)."""
    fmt = file_format(path)
    if fmt is None:
        raise ValueError(f"{path}: no format for its suffix; name it {', '.join(FILE_FORMATS)}")
    if fmt == "parquet":
        return write_change_table(changes, old, new, path)
    return write_atomic(Path(path), render(fmt, changes, old, new))


def write_change_table(changes: Changes, old: Source, new: Source, path: str | os.PathLike[str]) -> Path:
    """The change table written atomically (``storage.atomic``), with both snapshots named."""
    target = Path(path)
    table = change_table(changes).replace_schema_metadata(
        encode_metadata({"old_snapshot": old.label, "new_snapshot": new.label, "counts": changes.counts})
    )
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return target
