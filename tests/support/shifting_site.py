"""The replica whose listing changes while a crawl walks it: at a chosen listing request, not at a time.

A wall-clock delay made the shift land somewhere different in every run; counting listing pages served
makes it land between the same two pages each time (with one request at a time).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kei_crawler import urls

Rendered = tuple[int, dict[str, str], bytes]


class ShiftingListing:
    """``site``, except that ``change(site)`` runs once, right after the ``after``-th listing page was served."""

    def __init__(self, site: Any, *, after: int, change: Callable[[Any], None]) -> None:
        self.site = site
        self.after = after
        self.change = change
        self.served: list[int] = []
        """The listing page numbers served, in order."""
        self._lock = threading.Lock()

    def render(self, path_and_query: str, base_url: str) -> Rendered:
        rendered = self.site.render(path_and_query, base_url)
        number = urls.listing_page_number(base_url + path_and_query)
        if number is None or "podcasts" in urlsplit(path_and_query).query:
            return rendered
        with self._lock:
            self.served.append(number)
            if len(self.served) == self.after:
                self.change(self.site)
        return rendered

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)
