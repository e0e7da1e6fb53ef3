"""The progress bar a terminal shows while a crawl or a re-extraction works (rich), on stderr.

Shown only when a person is watching (``Terminal.shows_progress``: standard output a terminal, no
``-q``) and stderr is a terminal too; it goes away when the work ends, leaving the summary. Log lines
written meanwhile go above it (rich redirects stderr while it shows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from kei_crawler.commands.terminal import Terminal
from kei_crawler.run.progress import PageProgress, ReadProgress

Watched = TypeVar("Watched")


class RateColumn(ProgressColumn):
    """How many ``unit`` a second since the start: steadier than rich's recent samples, which a burst of
    answers (a crawl's first listing page fans out) turns into thousands a second."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed
        rate = task.completed / elapsed if elapsed and task.completed else None
        shown = f"{rate:.1f} {self.unit}/s" if rate else f"? {self.unit}/s"
        return Text(shown, style="progress.data.speed")


def _bar(console: Console, *counts: ProgressColumn) -> Progress:
    """What is done, as ``counts`` show it, between the description and the bar and the times."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        *counts,
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
    )


def crawl_bar(console: Console) -> Progress:
    return _bar(console, MofNCompleteColumn(), TextColumn("pages"), RateColumn("pages"))


def read_bar(console: Console) -> Progress:
    return _bar(console, TaskProgressColumn(), DownloadColumn(), TextColumn("{task.fields[records]} records"))


def watching_crawl(progress: Progress, description: str) -> Callable[[PageProgress], None]:
    """What updates ``progress`` from a crawl's page counts (``extensions.crawl_progress``)."""
    task = progress.add_task(description, total=None)

    def watch(pages: PageProgress) -> None:
        progress.update(task, completed=pages.fetched, total=pages.total or None)

    return watch


def watching_read(progress: Progress, description: str) -> Callable[[ReadProgress], None]:
    """What updates ``progress`` from a re-extraction's reading of its WARCs."""
    task = progress.add_task(description, total=None, records=0)

    def watch(read: ReadProgress) -> None:
        progress.update(task, completed=read.position, total=read.total, records=read.records)

    return watch


def stderr_console(terminal: Terminal) -> Console | None:
    """Where a progress bar goes, or None when none is to be shown."""
    if not terminal.shows_progress:
        return None
    console = Console(stderr=True)
    return console if console.is_terminal else None


@contextmanager
def _shown(
    terminal: Terminal,
    description: str,
    bar: Callable[[Console], Progress],
    watching: Callable[[Progress, str], Callable[[Watched], None]],
) -> Iterator[Callable[[Watched], None] | None]:
    """``bar`` on stderr while the block runs, and what updates it; None when no bar is to be shown."""
    console = stderr_console(terminal)
    if console is None:
        yield None
        return
    with bar(console) as progress:
        yield watching(progress, description)


def crawl_progress(
    terminal: Terminal, description: str
) -> AbstractContextManager[Callable[[PageProgress], None] | None]:
    return _shown(terminal, description, crawl_bar, watching_crawl)


def read_progress(
    terminal: Terminal, description: str
) -> AbstractContextManager[Callable[[ReadProgress], None] | None]:
    return _shown(terminal, description, read_bar, watching_read)
