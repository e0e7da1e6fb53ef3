"""The monitor's commands as the CLI runs them: arguments in, output printed, an exit code back.

SnapshotError (one line) for bad input; the CLI prints it and exits 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from kei_crawler.monitor import formats
from kei_crawler.monitor.sources import pair
from kei_crawler.storage.snapshot.diff import diff_files
from kei_crawler.storage.snapshot.store import SnapshotError

# As diff(1): a monitor's script branches on these.
SAME = 0
DIFFERENT = 1


def run_diff(
    console: Console, tokens: list[str], output_dir: str, fmt: str = "text", output: str | None = None
) -> int:
    old, new = pair(tokens, output_dir)
    changes = diff_files(old.path, new.path)
    if output:
        try:
            formats.write_change_table(changes, old, new, output)
        except OSError as exc:
            raise SnapshotError(f"--output {output}: cannot write it ({exc.strerror or exc})") from exc
    if fmt == "text":
        formats.print_text(console, changes, old, new)
    elif fmt == "json":
        sys.stdout.write(formats.to_json(changes, old, new) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(formats.to_markdown(changes, old, new) + "\n")
    else:
        sys.stdout.write(formats.to_csv(changes))
    return SAME if changes.empty else DIFFERENT


def run_feed(console: Console, output_dir: str, output: str, limit: int = 20) -> int:
    from kei_crawler.monitor.feed import write_feed
    from kei_crawler.storage.snapshot import store

    if not Path(output_dir).is_dir():
        raise SnapshotError(f"{output_dir}: no such directory")
    ref = store.latest(output_dir)
    if ref is None:
        raise SnapshotError(f"{output_dir} holds no snapshot to make a feed from")
    path, entries = write_feed(ref.path, output, limit=limit)
    console.print(f"Atom feed of the {entries} newest briefs of snapshot {ref.crawl_id}:", highlight=False)
    console.print(str(path), highlight=False, soft_wrap=True)
    return 0


def run_snapshots(console: Console, output_dir: str) -> int:
    from kei_crawler.monitor.survey import list_table, survey

    if not Path(output_dir).is_dir():
        raise SnapshotError(f"{output_dir}: no such directory")
    rows = survey(output_dir)
    if not rows:
        console.print(f"No snapshots in {output_dir}.", highlight=False)
        return 0
    console.print(list_table(rows, output_dir))
    bad = [row for row in rows if row.error]
    for row in bad:
        print(f"kei-crawler: snapshot {row.crawl_id} does not load: {row.error}", file=sys.stderr)
    return 1 if bad else 0


def monitor_view(console: Console, output_dir: Path) -> None:
    """What the demo ends with: the diff of the two newest snapshots and an Atom feed beside them."""
    console.print("\n[bold]$ kei-crawler diff[/]  (the two newest snapshots)")
    run_diff(console, [], str(output_dir))
    feed = output_dir / "feed.xml"
    console.print(f"\n[bold]$ kei-crawler feed --output {feed}[/]", highlight=False, soft_wrap=True)
    run_feed(console, str(output_dir), str(feed))
