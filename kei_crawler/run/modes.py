"""Crawl modes: how much of the site a crawl fetches, given what the archive already holds."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    FULL = "full"
    """Fetch every brief; lineage (first_seen) still carried over from the archive."""
    INCREMENTAL = "incremental"
    """Walk the listing from page 1 until it holds only known briefs; fetch the unknown ones."""
    REVALIDATE = "revalidate"
    """Incremental, and also re-request every known brief with its validators (304 costs nothing)."""


AUTO = "auto"  # incremental once a snapshot exists, full before


def resolve_mode(setting: str, has_snapshot: bool) -> Mode:
    """The mode a ``KEI_MODE`` value means for an archive with or without a snapshot."""
    value = (setting or AUTO).strip().lower()
    if value == AUTO:
        return Mode.INCREMENTAL if has_snapshot else Mode.FULL
    try:
        mode = Mode(value)
    except ValueError:
        choices = ", ".join([AUTO, *(m.value for m in Mode)])
        raise ValueError(f"KEI_MODE must be one of {choices}; got {setting!r}") from None
    # Nothing is known yet: incremental and revalidate would both have to fetch everything anyway.
    return mode if has_snapshot else Mode.FULL
