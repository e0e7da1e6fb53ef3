"""Log lines a person can scan: a dropped brief is one line with its reason and URL, not the whole item."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class BriefLogFormatter(LogFormatter):
    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        # The reason's message already names the page's URL; the item would repeat its whole body.
        result["msg"] = "Dropped (%(reason)s): %(exception)s"
        result["args"] = {"reason": type(exception).__name__, "exception": exception}
        return result
