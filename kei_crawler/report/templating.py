"""The report's pages as HTML: one Jinja environment, its filters, and a render function per page.

Jinja escapes every value (``autoescape``): titles, bodies and URLs come from the site, which is not ours
to trust. Only the SVG charts, which we draw, are marked safe.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from kei_crawler.report.facts import Capture
from kei_crawler.run.outcome import EXIT_CODES, ExitCode
from kei_crawler.urls import fetch_url

_MARKUP = re.compile(r"[*`]")


def environment(warc_dir: Path, page_dir: Path, replay_url: str | None) -> jinja2.Environment:
    """The templates with the filters they use; links to WARC files are relative from ``page_dir``."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kei_crawler.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        day=day, when=when, iso=iso, num=num, seconds=seconds, paragraphs=paragraphs,
        diff_lines=diff_lines, exit_meaning=exit_meaning,
        warc_href=lambda name: warc_href(warc_dir, page_dir, name),
        replay_href=lambda capture, url: replay_href(replay_url or "", capture, url),
    )  # fmt: skip
    env.tests["web"] = is_web_url
    env.tests["troubled"] = lambda run: bool(run.failures or run.alerts or not run.published)
    return env


def is_web_url(value: object) -> bool:
    """Whether a URL from the site may be a link: http(s) only, never ``javascript:`` or ``data:``."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def day(value: date | datetime | None) -> str:
    """``16 Sep 2022``; empty for no date."""
    return "" if value is None else f"{value.day} {value:%b %Y}"


def when(value: datetime | None) -> str:
    """``2026-12-04 19:27 UTC``; empty for no time."""
    return "" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


def iso(value: date | datetime | None) -> str:
    """Sortable as text: ``2026-12-04T19:27:25``."""
    return (
        ""
        if value is None
        else value.isoformat(timespec="seconds")
        if isinstance(value, datetime)
        else value.isoformat()
    )


def num(value: int | float) -> str:
    return f"{value:,}"


def seconds(value: float | None) -> str:
    if value is None:
        return "unknown"
    minutes, secs = divmod(round(value), 60)
    return f"{minutes} min {secs} s" if minutes else f"{value:.1f} s"


def paragraphs(body: str | None) -> list[str]:
    """The body's paragraphs: the snapshot separates them by a blank line (list items are lines of one)."""
    return [part.strip() for part in (body or "").split("\n\n") if part.strip()]


def diff_lines(text: str) -> Iterator[tuple[str, str]]:
    """Each line of a unified diff with its class: ``add``, ``del``, ``hunk`` (headers too), or ``""``."""
    for line in text.splitlines():
        if line.startswith(("+++", "---", "@@")):
            yield "hunk", line
        elif line.startswith("+"):
            yield "add", line
        elif line.startswith("-"):
            yield "del", line
        else:
            yield "", line


def exit_meaning(code: int) -> str:
    """What an exit code means, as the README's table says it, without its markdown."""
    try:
        return _MARKUP.sub("", EXIT_CODES[ExitCode(code)])
    except ValueError:
        return "not a code kei-crawler uses"


def warc_href(warc_dir: Path, page_dir: Path, name: str) -> str:
    """A link from a page in ``page_dir`` to the WARC file ``name``, relative so that it works from
    ``file://`` and from a server that serves the output directory with the report in it."""
    relative = os.path.relpath(warc_dir / Path(name).name, page_dir)
    return quote(Path(relative).as_posix())


def replay_href(replay_url: str, capture: Capture, url: str) -> str:
    """The capture in a wayback replay (pywb, OpenWayback): ``<base>/<14-digit time>/<url>``, the URL as it
    was requested — on the mirror the crawl was pointed at, when it was (``--base-url``), since that is the
    URL its WARC record holds and the replay looks up."""
    fetched = url
    if capture.base_url:
        with contextlib.suppress(ValueError):  # not a brief's URL: asked for as it is
            fetched = fetch_url(url, capture.base_url)
    return f"{replay_url.rstrip('/')}/{capture.fetched_at:%Y%m%d%H%M%S}/{fetched}"


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)
