"""Every Scrapy setting the crawl reads: its type and range, checked before anything starts.

Scrapy reads a setting when it builds the component that needs it, in the middle of starting a crawl: a
value of the wrong type was a traceback from inside Twisted (and, the run being open by then, an
"interrupted" exit that ``--resume`` then refused), and a value of the right type but out of range
(``CONCURRENT_REQUESTS_PER_DOMAIN=-3``) made a crawl that sent no request and never ended. So
:data:`SCRAPY_SETTINGS` names every setting the crawl's components read, each read here with Scrapy's own
getter (what passes is what Scrapy will read) and held to its range. Any other setting Scrapy declares is
held to its default's type. The ``KEI_*`` settings have their own table, :class:`config.KeiConfig`;
:func:`checked_config` checks both, and :func:`unknown_setting` answers a name no one reads.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.settings import default_settings as scrapy_defaults
from scrapy.utils.misc import load_object

from kei_crawler import settings as project_settings_module
from kei_crawler.config import SETTINGS as KEI_SETTINGS
from kei_crawler.config import ConfigError, KeiConfig

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def _number(settings: BaseSettings, name: str) -> float:
    value = settings.getfloat(name)
    if not math.isfinite(value):  # an infinite delay or timeout is a crawl that never ends
        raise ValueError(value)
    return value


def _whole_numbers(settings: BaseSettings, name: str) -> list[int]:
    return [int(part) for part in settings.getlist(name)]


def _log_level(settings: BaseSettings, name: str) -> str:
    # logging takes a level's name exactly as it spells it ("info" is refused deep inside Scrapy's start)
    value = settings.get(name)
    if value not in LOG_LEVELS:
        raise ValueError(value)
    return str(value)


def _class(settings: BaseSettings, name: str) -> type:
    found = load_object(settings.get(name))
    if not isinstance(found, type):  # "os.path" imports, and then fails where Scrapy builds it
        raise TypeError(found)
    return found


READERS: Mapping[str, tuple[Callable[[BaseSettings, str], Any], str]] = {
    "bool": (BaseSettings.getbool, "True or False (or 1 or 0)"),
    "int": (BaseSettings.getint, "a whole number"),
    "number": (_number, "a number"),
    "ints": (_whole_numbers, "whole numbers separated by commas"),
    "dict": (BaseSettings.getdict, "a JSON object"),
    "level": (_log_level, f"one of {', '.join(LOG_LEVELS)}"),
    "class": (_class, "the import path of a class (package.module.Name)"),
}
"""kind → (how Scrapy reads it, what it must be)."""


@dataclass(frozen=True)
class Expect:
    """What one setting must be: a kind of :data:`READERS` and, for numbers, a range (each number of
    a list, for ``ints``)."""

    kind: str
    low: float | None = None
    high: float | None = None
    above: bool = False
    """``low`` itself is out of range."""

    def describe(self) -> str:
        what = READERS[self.kind][1]
        if self.low is not None and self.high is not None:
            return f"{what} from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{what} {'above' if self.above else 'of at least'} {self.low:g}"
        return what

    def check(self, settings: BaseSettings, name: str) -> None:
        raw = settings.get(name)
        if raw is None:
            return  # Scrapy's own "not set"
        try:
            value = READERS[self.kind][0](settings, name)
        except Exception:  # a getter, JSON or an import the user named may raise anything
            value = None
        numbers = value if isinstance(value, list) else [value]
        if value is None or not all(self._in_range(n) for n in numbers):
            raise ConfigError(f"{name} must be {self.describe()}, got {raw!r}")

    def _in_range(self, number: Any) -> bool:
        if self.low is None or isinstance(number, str | dict) or number is True or number is False:
            return True
        # written so that NaN is out of every range
        low_ok = number > self.low if self.above else number >= self.low
        return bool(low_ok and (self.high is None or number <= self.high))


def _at_least(low: float, kind: str = "int") -> Expect:
    return Expect(kind, low)


def _above(low: float, kind: str = "number") -> Expect:
    return Expect(kind, low, above=True)


_FLAG = Expect("bool")
_WHOLE = Expect("int")
_COUNT = _at_least(0)
_SECONDS = _at_least(0, "number")
_HTTP_CODES = Expect("ints", 100, 599)
_CLASS = Expect("class")
_COMPONENTS = Expect("dict")

SCRAPY_SETTINGS: Mapping[str, Expect] = {
    # how many requests at once: below 1, a crawl sends nothing and never ends
    "CONCURRENT_REQUESTS": _at_least(1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": _at_least(1),
    "CONCURRENT_REQUESTS_PER_IP": _COUNT,  # 0: per domain instead
    "CONCURRENT_ITEMS": _at_least(1),
    "REACTOR_THREADPOOL_MAXSIZE": _at_least(1),
    "SCRAPER_SLOT_MAX_ACTIVE_SIZE": _at_least(1),
    # politeness and patience
    "DOWNLOAD_DELAY": _SECONDS,
    "DOWNLOAD_DELAY_JITTER": Expect("number", 0, 1),  # a share of the delay, either way
    "RANDOMIZE_DOWNLOAD_DELAY": _FLAG,
    "DOWNLOAD_TIMEOUT": _above(0),
    "DOWNLOAD_MAXSIZE": _COUNT,  # 0: no limit
    "DOWNLOAD_WARNSIZE": _COUNT,
    "DOWNLOAD_FAIL_ON_DATALOSS": _FLAG,
    "DOWNLOAD_SLOTS": Expect("dict"),
    "DNS_TIMEOUT": _above(0),
    "DNSCACHE_ENABLED": _FLAG,
    "DNSCACHE_SIZE": _at_least(1),
    "AUTOTHROTTLE_ENABLED": _FLAG,
    "AUTOTHROTTLE_DEBUG": _FLAG,
    "AUTOTHROTTLE_START_DELAY": _SECONDS,
    "AUTOTHROTTLE_MAX_DELAY": _SECONDS,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": _above(0),
    "ROBOTSTXT_OBEY": _FLAG,
    "ROBOTSTXT_PARSER": _CLASS,
    "COOKIES_ENABLED": _FLAG,
    "COOKIES_DEBUG": _FLAG,
    "COMPRESSION_ENABLED": _FLAG,
    "HTTPPROXY_ENABLED": _FLAG,
    "REFERER_ENABLED": _FLAG,
    "URLLENGTH_LIMIT": _COUNT,  # 0: no limit
    # failures: retries, redirects, error statuses
    "RETRY_ENABLED": _FLAG,
    "RETRY_TIMES": _COUNT,
    "RETRY_HTTP_CODES": _HTTP_CODES,
    "RETRY_PRIORITY_ADJUST": _WHOLE,
    "REDIRECT_ENABLED": _FLAG,
    "REDIRECT_MAX_TIMES": _COUNT,
    "REDIRECT_PRIORITY_ADJUST": _WHOLE,
    "METAREFRESH_ENABLED": _FLAG,
    "METAREFRESH_MAXDELAY": _COUNT,
    "HTTPERROR_ALLOW_ALL": _FLAG,
    "HTTPERROR_ALLOWED_CODES": _HTTP_CODES,
    # how far and how long
    "DEPTH_LIMIT": _COUNT,  # 0: no limit
    "DEPTH_PRIORITY": _WHOLE,
    "DEPTH_STATS_VERBOSE": _FLAG,
    "CLOSESPIDER_TIMEOUT": _SECONDS,  # 0 (each of these): never
    "CLOSESPIDER_TIMEOUT_NO_ITEM": _COUNT,
    "CLOSESPIDER_ITEMCOUNT": _COUNT,
    "CLOSESPIDER_PAGECOUNT": _COUNT,
    "CLOSESPIDER_PAGECOUNT_NO_ITEM": _COUNT,
    "CLOSESPIDER_ERRORCOUNT": _COUNT,
    "MEMUSAGE_ENABLED": _FLAG,
    "MEMUSAGE_LIMIT_MB": _COUNT,
    "MEMUSAGE_WARNING_MB": _COUNT,
    "MEMUSAGE_CHECK_INTERVAL_SECONDS": _above(0),
    # the HTTP cache (off unless asked for)
    "HTTPCACHE_ENABLED": _FLAG,
    "HTTPCACHE_EXPIRATION_SECS": _COUNT,  # 0: never expires
    "HTTPCACHE_IGNORE_HTTP_CODES": _HTTP_CODES,
    "HTTPCACHE_IGNORE_MISSING": _FLAG,
    "HTTPCACHE_ALWAYS_STORE": _FLAG,
    "HTTPCACHE_GZIP": _FLAG,
    "HTTPCACHE_STORAGE": _CLASS,
    "HTTPCACHE_POLICY": _CLASS,
    # logs, stats, the console
    "LOG_ENABLED": _FLAG,
    "LOG_LEVEL": Expect("level"),
    "LOG_FILE_APPEND": _FLAG,
    "LOG_STDOUT": _FLAG,
    "LOG_SHORT_NAMES": _FLAG,
    "LOGSTATS_INTERVAL": _SECONDS,  # 0: no periodic line
    "STATS_DUMP": _FLAG,
    "DOWNLOADER_STATS": _FLAG,
    "DUPEFILTER_DEBUG": _FLAG,
    "SCHEDULER_DEBUG": _FLAG,
    "TELNETCONSOLE_ENABLED": _FLAG,
    "TELNETCONSOLE_PORT": Expect("ints", 0, 65535),
    # the components, by import path
    "SCHEDULER": _CLASS,
    "SCHEDULER_DISK_QUEUE": _CLASS,
    "SCHEDULER_MEMORY_QUEUE": _CLASS,
    "SCHEDULER_PRIORITY_QUEUE": _CLASS,
    "SCHEDULER_START_DISK_QUEUE": _CLASS,
    "SCHEDULER_START_MEMORY_QUEUE": _CLASS,
    "DUPEFILTER_CLASS": _CLASS,
    "STATS_CLASS": _CLASS,
    "LOG_FORMATTER": _CLASS,
    "DOWNLOADER": _CLASS,
    "REQUEST_FINGERPRINTER_CLASS": _CLASS,
    "ITEM_PROCESSOR": _CLASS,
    "DOWNLOADER_MIDDLEWARES": _COMPONENTS,
    "SPIDER_MIDDLEWARES": _COMPONENTS,
    "EXTENSIONS": _COMPONENTS,
    "ITEM_PIPELINES": _COMPONENTS,
    "DOWNLOAD_HANDLERS": _COMPONENTS,
    "DEFAULT_REQUEST_HEADERS": Expect("dict"),
}
"""Every Scrapy setting the crawl's components read, and what it must be (the table behind
docs/operations.md#settings). Text settings (``USER_AGENT``, ``JOBDIR``, ``LOG_FILE``…) take any text."""


def _by_default_type(value: Any) -> Expect | None:
    """A Scrapy setting the crawl does not read, held to its default's type so that no value of it can
    stop a crawl either (numbers as numbers: some integer defaults are read as floats)."""
    if isinstance(value, bool):
        return _FLAG
    if isinstance(value, int | float):
        return Expect("number")
    if isinstance(value, dict):
        return Expect("dict")
    return None


_OTHER_SCRAPY: Mapping[str, Expect] = {
    name: expect
    for name, value in vars(scrapy_defaults).items()
    if name.isupper() and name not in SCRAPY_SETTINGS and (expect := _by_default_type(value)) is not None
}

KNOWN_NAMES = frozenset(
    {name for name in vars(scrapy_defaults) if name.isupper()}
    | {name for name in vars(project_settings_module) if name.isupper()}
    | set(SCRAPY_SETTINGS)
    | set(KEI_SETTINGS)
)
"""Every setting something reads: Scrapy's, the project's settings.py, ours."""


def set_from_command_line(settings: BaseSettings, name: str, value: Any) -> None:
    """``settings.set`` at command-line priority, as ``scrapy crawl -s`` does. ConfigError when Scrapy
    cannot take the value: a mapping setting (the components, DOWNLOAD_SLOTS…) parses its JSON as it is set.
    """
    try:
        settings.set(name, value, priority="cmdline")
    except (ValueError, TypeError, AttributeError):
        expect = SCRAPY_SETTINGS.get(name) or _OTHER_SCRAPY.get(name) or Expect("dict")
        raise ConfigError(f"{name} must be {expect.describe()}, got {value!r}") from None


def check_scrapy_settings(settings: BaseSettings) -> None:
    """ConfigError (one line) naming the first Scrapy setting that is not what the crawl can use."""
    for table in (SCRAPY_SETTINGS, _OTHER_SCRAPY):
        for name, expect in table.items():
            expect.check(settings, name)


def checked_config(settings: BaseSettings) -> KeiConfig:
    """Every setting checked, Scrapy's then ours; the ``KEI_*`` ones typed. ConfigError names a bad one."""
    check_scrapy_settings(settings)
    return KeiConfig.from_settings(settings)


def unknown_setting(name: str) -> str | None:
    """None for a name something reads; else what to tell the user, naming the closest known setting.

    A ``KEI_*`` name is ours alone, so an unknown one is a mistake: ConfigError. Any other unknown name is
    only a warning: it may be read by a component or add-on the user brought in.
    """
    if name in KNOWN_NAMES:
        return None
    close = difflib.get_close_matches(name.upper(), KNOWN_NAMES, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    if name.upper().startswith("KEI_"):
        raise ConfigError(f"unknown setting {name} (no kei-crawler setting has that name){hint}")
    return f"unknown setting {name} is passed on to Scrapy unchecked{hint}"
