"""Every ``KEI_*`` setting: its type, its one default, its check, and what it does.

Scrapy settings (``settings.py``) say how to crawl; these say what kei-crawler does with a crawl. They are
set like any Scrapy setting (``-s KEI_MODE=full``, ``scrapy crawl peninsula -s KEI_BASE_URL=…``, a
Scrapyd ``setting=…``) and read once, typed and checked, by :meth:`KeiConfig.from_settings`: a value of
the wrong type or out of range is a :class:`ConfigError` (one line) before anything is fetched.
docs/operations.md lists them (a test holds that table equal to :data:`SETTINGS`).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from kei_crawler.storage.snapshot.store import EXAMPLE_CRAWL_ID, is_crawl_id
from kei_crawler.urls import DEFAULT_ORIGIN

# Labels of letters, digits and hyphens (any script: an IDN host), dot-separated, perhaps a final dot.
_HOST_NAME = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)*[^\W_](?:[\w-]*[^\W_])?\.?")


class Mode(StrEnum):
    """How much of the site a run fetches, given what the archive already holds (``KEI_MODE``)."""

    FULL = "full"
    """Fetch every brief; lineage (first_seen) still carried over from the archive."""
    INCREMENTAL = "incremental"
    """Walk the listing from page 1 until it holds only known briefs; fetch the unknown ones."""
    REVALIDATE = "revalidate"
    """Incremental, and also re-request every known brief with its validators (304 costs nothing)."""
    SWEEP = "sweep"
    """Walk every listing page, as a full crawl does, but fetch only the briefs the archive lacks."""
    REEXTRACT = "reextract"
    """No crawl: archived responses read again (``kei-crawler reextract``); nothing carried forward."""


AUTO = "auto"
"""``KEI_MODE=auto``: incremental once a snapshot exists (a sweep when one is due), full before."""
CRAWL_MODES = (Mode.FULL, Mode.INCREMENTAL, Mode.REVALIDATE, Mode.SWEEP)
WHOLE_LISTING = (Mode.FULL, Mode.SWEEP)
"""The modes that read every listing page rather than stop where the archived briefs begin."""
"""The modes ``KEI_MODE`` may name (a re-extraction is chosen by its command)."""


def resolve_mode(setting: str, has_snapshot: bool, *, sweep_due: bool = False) -> Mode:
    """The mode a ``KEI_MODE`` value means for an archive with or without a snapshot; ``sweep_due``
    when the listing was not read whole for ``KEI_SWEEP_DAYS`` (``run.listing_walk.sweep_due``)."""
    value = (setting or AUTO).strip().lower()
    if value == AUTO:
        if not has_snapshot:
            return Mode.FULL
        return Mode.SWEEP if sweep_due else Mode.INCREMENTAL
    mode = next((mode for mode in CRAWL_MODES if mode.value == value), None)
    if mode is None:
        choices = ", ".join([AUTO, *CRAWL_MODES])
        raise ConfigError(f"KEI_MODE must be one of {choices}; got {setting!r}")
    # Nothing is known yet: incremental and revalidate would both have to fetch everything anyway.
    return mode if has_snapshot else Mode.FULL


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line for the user."""


class SettingsLike(Protocol):
    """What is read from Scrapy's ``Settings`` (or a plain mapping, in tests)."""

    def get(self, name: str, default: Any = None) -> Any: ...


def check_web_url(name: str, value: str) -> str:
    """``value`` when it is a site's origin: http(s), a host, perhaps a port, nothing after but one "/".

    Requests and canonical URLs are built on the origin alone: a path, query or user in it would be
    silently dropped (or, in canonical URLs, give relative ones), so they are refused instead.
    """
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a port that is not a number, or out of range
        port_ok = False
    if not (
        port_ok
        and parts.scheme.lower() in ("http", "https")
        and _is_host(parts.hostname or "")
        and "@" not in parts.netloc
        and parts.path in ("", "/")
        and not (parts.query or parts.fragment or value.rstrip("/").endswith(("?", "#")))
    ):
        raise ConfigError(
            f"{name} must be an http(s) URL of a site's origin (scheme, host, optional port; no path, "
            f"query or user), got {value!r}"
        )
    return value


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return _HOST_NAME.fullmatch(host) is not None


def check_path(name: str, value: str) -> str:
    """A path the crawler may use: not empty (which would mean the current folder, unasked), and UTF-8,
    since Parquet metadata, run manifests and WARC headers record paths as UTF-8 (a name that is not
    arrives as lone surrogates, which fail only when the first such file is written)."""
    # The form of every setting's refusal, "NAME must be …, got VALUE"; repr() escapes what a terminal
    # cannot show (a lone surrogate, a NUL).
    if not value.strip():  # "$DIR" of an unset variable; " " is no folder anyone means either
        raise ConfigError(f"{name} must be a path, not empty (name a directory or file), got {value!r}")
    if "\x00" in value:  # only a settings module or Scrapyd can pass one; os.stat() raises ValueError
        raise ConfigError(f"{name} must be a path without NUL characters, got {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(
            f"{name} must be valid UTF-8 (the crawler records its paths as UTF-8), got {value!r}"
        ) from None
    return value


def _mode(name: str, value: str) -> str:
    resolve_mode(value, has_snapshot=True)  # ConfigError when it names no mode
    return value.strip().lower() or AUTO


def _crawl_id(name: str, value: str) -> str:
    if value and not is_crawl_id(value):
        raise ConfigError(
            f"{name} must be a crawl id like {EXAMPLE_CRAWL_ID} (a UTC time: date, T, hhmmss, Z), got {value!r}"
        )
    return value


def _at_least(low: float) -> Callable[[str, Any], Any]:
    def check(name: str, value: Any) -> Any:
        if value < low:
            raise ConfigError(f"{name} must be at least {low:g}, got {value!r}")
        return value

    return check


def _share(name: str, value: float) -> float:
    if not 0 < value <= 1:
        raise ConfigError(f"{name} must be a share between 0 and 1, got {value!r}")
    return value


def _setting(default: Any, doc: str, check: Callable[[str, Any], Any] | None = None) -> Any:
    return dataclasses.field(default=default, metadata={"doc": doc, "check": check})


@dataclass(frozen=True)
class KeiConfig:
    """The ``KEI_*`` settings of one run, typed; the attribute ``base_url`` is the setting ``KEI_BASE_URL``."""

    base_url: str = _setting(
        DEFAULT_ORIGIN, "where requests go: the site, or a mirror / the replica", check_web_url
    )
    canonical_origin: str = _setting(
        DEFAULT_ORIGIN, "the origin of canonical URLs and brief_ids, whatever served the pages", check_web_url
    )
    output_dir: str = _setting("output", "snapshots/, runs/, warc/ and .tmp/ live below it", check_path)
    crawl_id: str = _setting(
        "",
        "empty: the start time, e.g. 2026-11-29T043512Z; set: that form, after the newest snapshot",
        _crawl_id,
    )
    mode: str = _setting(
        "auto",
        "auto (incremental once a snapshot exists, a sweep when due) | incremental | revalidate | sweep | full",
        _mode,
    )
    snapshot_enabled: bool = _setting(True, "publish snapshots/snapshot=<crawl_id>/briefs.parquet")
    views_database: bool = _setting(
        True,
        "rebuild kei.duckdb (DuckDB views over the snapshots) after each publish, if duckdb is installed",
    )
    snapshot_batch_rows: int = _setting(
        1000, "rows buffered before a Parquet row group is written", _at_least(1)
    )
    warc_enabled: bool = _setting(
        True, "keep every request and response in warc/<crawl_id>.warc.gz (+ .cdxj)"
    )
    warc_dedupe_previous: bool = _setting(
        True, "a payload an earlier crawl's WARC in warc/ holds is written as a revisit record"
    )
    requisites_enabled: bool = _setting(
        True, "fetch each brief's photo and the other images in its content once, into the WARC"
    )
    requisite_stylesheets: bool = _setting(
        False, "also fetch the brief page's stylesheets (faithful layout in replay; a request each)"
    )
    requisite_max_bytes: int = _setting(
        10_485_760, "an image or stylesheet larger than this is not fetched (counted too_large)", _at_least(1)
    )
    overlap_pages: int = _setting(
        1, "incremental: stop after this many listing pages of known briefs only", _at_least(1)
    )
    listing_rereads: int = _setting(
        3, "rounds of reading listing pages again when the listing shifted during the walk", _at_least(0)
    )
    sweep_days: float = _setting(
        7.0,
        "auto: a sweep (every listing page, only missing briefs) when none ran for this many days",
        _at_least(0),
    )
    max_listing_pages: int = _setting(
        2000, "a hard stop for a listing that never ends (the real one has ~700)", _at_least(1)
    )
    sitemaps: bool = _setting(True, "read robots.txt's sitemaps (else the usual ones) and /feed/")
    revalidate_by_lastmod: bool = _setting(True, "--revalidate: only briefs a sitemap dates after capture")
    quality_min_briefs: int = _setting(
        5, "quality alert: compare fill rates only from this many fetched briefs", _at_least(0)
    )
    quality_rate_drop: float = _setting(
        0.5, "quality alert: a field filled on less than this share of its archive rate", _share
    )
    quality_body_ratio: float = _setting(
        2.0, "quality alert: mean body length this many times longer (or shorter)", _at_least(1)
    )
    retry_backoff_base: float = _setting(
        2.0, "retry n waits between half and all of BASE·2^(n-1) seconds", _at_least(0)
    )
    retry_backoff_max: float = _setting(60.0, "…at most this many seconds", _at_least(0))
    retry_max_wait: float = _setting(
        300.0,
        "the longest Retry-After honoured; longer fails the host's requests as retry_after_too_long",
        _at_least(0),
    )
    extract_workers: int = _setting(
        0, "read brief pages in this many worker processes (0: the crawl itself)", _at_least(0)
    )
    notify_urls: tuple[str, ...] = _setting(
        (), "Apprise URLs, space-separated: `notify` and each crawl that publishes send what changed there"
    )

    @classmethod
    def from_settings(cls, settings: SettingsLike) -> KeiConfig:
        """Each ``KEI_*`` setting read with its type and checked; ConfigError names the first bad one."""
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            name = setting_name(spec.name)
            raw = settings.get(name)
            value = spec.default if raw is None else _typed(name, raw, spec.default)
            check = spec.metadata["check"]
            values[spec.name] = check(name, value) if check else value
        return cls(**values)


def setting_name(attribute: str) -> str:
    return f"KEI_{attribute.upper()}"


def _typed(name: str, raw: Any, default: Any) -> Any:
    """``raw`` (a string from the command line, or a value from a settings module) as ``default``'s type."""
    kind = type(default)
    if kind is tuple:  # a list: from a settings module as a list, from the command line space-separated
        words = raw if isinstance(raw, list | tuple) else str(raw).split()
        return tuple(str(word).strip() for word in words if str(word).strip())
    if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)) and kind is not float:
        return raw
    text = str(raw).strip()
    try:
        if kind is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if kind is int:
            return int(text)
        if kind is float:
            number = float(text)
            if not math.isfinite(number):  # NaN passes every comparison; an infinite wait never ends
                raise ValueError(text)
            return number
    except ValueError:
        what = {bool: "True or False", int: "a whole number", float: "a number"}[kind]
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from None
    return text


SETTINGS: Mapping[str, tuple[Any, str]] = {
    setting_name(spec.name): (spec.default, spec.metadata["doc"]) for spec in dataclasses.fields(KeiConfig)
}
"""``KEI_*`` name → (default, what it does): the table docs/operations.md shows."""
