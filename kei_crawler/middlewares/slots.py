"""The one place that reaches into Scrapy's downloader: holding and emptying download slots' queues.

A ``Retry-After`` is a word about the host, not the page: requests already waiting in the host's
download slot passed every downloader middleware before the site asked for its pause, so no public API
can hold them. Scrapy's own download delay holds a slot by setting its ``latercall`` timer and ends the
hold with ``Downloader._latercall``; this does the same. ``tests/unit/test_scrapy_internals.py`` checks
every attribute used here against the installed Scrapy and fails loudly when one changes, and
pyproject.toml bounds Scrapy to the versions that test has passed on. A crawl being stopped empties
every slot's queue the same way (``jobs.stopping``): what waits there was never sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later

INTERNALS = {
    "Downloader.slots": "the download slots by key (a dict)",
    "Downloader._latercall": "ends a slot's delay and sends what its queue holds",
    "Slot.latercall": "the slot's delay timer: while it is set, the slot sends nothing",
    "Slot.queue": "requests waiting in the slot, each with the Deferred its download answers",
}
"""What is used of Scrapy's downloader beyond its public API, and why (the contract test reads this)."""


def hold(downloader: Downloader, key: str, first_tick: float, tick: Callable[[], float | None]) -> bool:
    """Hold ``key``'s slot: nothing is sent from its queue until ``tick`` (called every ``first_tick``,
    then every interval it returns) returns None. False when the host has no slot yet (nothing queued)."""
    slot: Slot | None = downloader.slots.get(key)
    if slot is None:
        return False

    def ticked() -> None:
        assert slot is not None
        again = tick()
        if again is None:
            downloader._latercall(slot)  # clears the timer and sends what is queued, as a delay's end does
        else:
            slot.latercall = call_later(again, ticked)

    if slot.latercall:
        slot.latercall.cancel()
    slot.latercall = call_later(first_tick, ticked)
    return True


def take_queued(downloader: Downloader, key: str) -> list[tuple[Request, Any]]:
    """Empty ``key``'s slot queue: each waiting request with the Deferred its download answers, to be
    failed by the caller."""
    slot: Slot | None = downloader.slots.get(key)
    taken = []
    while slot is not None and slot.queue:
        taken.append(slot.queue.popleft())
    return taken


def take_all_queued(downloader: Downloader, which: Callable[[Request], bool]) -> list[tuple[Request, Any]]:
    """Take the requests ``which`` accepts out of every slot's queue (waiting out a delay, never sent): each
    with the Deferred its download answers, to be failed by the caller. The others stay, in order."""
    taken: list[tuple[Request, Any]] = []
    for slot in downloader.slots.values():
        kept = [entry for entry in slot.queue if not which(entry[0])]
        taken.extend(entry for entry in slot.queue if which(entry[0]))
        slot.queue.clear()
        slot.queue.extend(kept)
    return taken
