"""Every dropped brief, listed with its reason and the field at fault, not only counted.

Scrapy counts drops by reason (``item_dropped_reasons_count/<Reason>``); :class:`DropList` also keeps
each one in the ``kei/drop_list`` stat — ``{kind, url, fetched_url, reason, detail}`` — for the run
manifest, and so that the snapshot writer can mark an archived brief whose page failed this time as not
refreshed. ``url`` is the brief's canonical URL, the key of its snapshot row, as in ``kei/error_list``.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from kei_crawler.run.counts import DROP_LIST


class BriefDropped(DropItem):
    """A brief dropped for a reason (the subclass); ``detail`` names the field(s) at fault and what was
    tried. The message is ``"<url>: <detail>"``, so a log line says which page."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.detail = detail


def drop_entry(item: Any, exception: BaseException) -> dict[str, str]:
    """The ``kei/drop_list`` entry for ``item`` dropped with ``exception``."""
    url = getattr(item, "url", None) or "?"
    entry = {"kind": "brief", "url": url}
    fetched = getattr(item, "fetched_url", None)
    if fetched and fetched != url:
        entry["fetched_url"] = fetched
    entry["reason"] = type(exception).__name__
    entry["detail"] = getattr(exception, "detail", None) or str(exception)
    return entry


def record_drop(stats: Any, item: Any, exception: BaseException) -> None:
    drops: list[dict[str, str]] = stats.get_value(DROP_LIST, []) or []
    drops.append(drop_entry(item, exception))
    stats.set_value(DROP_LIST, drops)


class DropList:
    """Extension: records every item a pipeline drops, whichever pipeline it was."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DropList:
        ext = cls(crawler.stats)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        return ext

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, DropItem):
            record_drop(self.stats, item, exception)
