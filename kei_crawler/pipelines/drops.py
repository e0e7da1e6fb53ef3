"""BriefDropped: the base of every reason the pipelines drop a brief for, and how a drop is listed.

One DropItem subclass per reason, so Scrapy's core stats count them as
``item_dropped_reasons_count/<Reason>``; ``drop_entry`` is the line the run's failure list keeps for
each (``extensions.drop_list``), naming the field at fault and what was tried.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem


class BriefDropped(DropItem):
    """A brief dropped for a reason (the subclass); ``detail`` names the field(s) at fault and what was
    tried. The message is ``"<url>: <detail>"``, so a log line says which page. ``kept_as`` is the URL of
    the row that holds the dropped page's content (a duplicate's): nothing was lost."""

    def __init__(self, where: str, detail: str, *, kept_as: str | None = None) -> None:
        super().__init__(f"{where}: {detail}")
        self.detail = detail
        self.kept_as = kept_as


def drop_entry(item: Any, exception: BaseException) -> dict[str, str]:
    """The failure-list entry for ``item`` dropped with ``exception``: ``url`` is the brief's canonical
    URL, the key of its snapshot row; ``fetched_url`` the URL requested, when it differs."""
    adapter = ItemAdapter(item) if ItemAdapter.is_item(item) else None
    url = (adapter.get("url") if adapter else None) or "?"
    entry = {"kind": "brief", "url": url}
    fetched = adapter.get("fetched_url") if adapter else None
    if fetched and fetched != url:
        entry["fetched_url"] = fetched
    entry["reason"] = type(exception).__name__
    entry["detail"] = getattr(exception, "detail", None) or str(exception)
    kept_as = getattr(exception, "kept_as", None)
    if kept_as:
        entry["kept_as"] = kept_as
    return entry
