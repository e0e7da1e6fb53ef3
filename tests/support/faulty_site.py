"""The replica with chosen pages replaced: what the e2e tests serve to put bad pages among good ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Rendered = tuple[int, dict[str, str], bytes]


class FaultySite:
    """The replica, except that chosen brief paths answer with what a test tells them to."""

    def __init__(self, site: Any, faults: dict[str, Callable[[str, str], Rendered]]) -> None:
        self.site = site
        self.faults = faults

    def render(self, path_and_query: str, base_url: str) -> Rendered:
        fault = self.faults.get(path_and_query.split("?")[0])
        return fault(path_and_query, base_url) if fault else self.site.render(path_and_query, base_url)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)


def status(code: int) -> Callable[[str, str], Rendered]:
    return lambda _path, _base: (code, {"Content-Type": "text/html; charset=utf-8"}, b"<html>error</html>")
