"""The Scrapy internals ``middlewares/slots.py`` relies on are still there, with the shape it uses.

If this fails after a Scrapy upgrade, do not loosen it: adapt ``slots.py`` (or find a public API that
now does the job), then widen the Scrapy bound in pyproject.toml to the versions this test passed on.
"""

from __future__ import annotations

import inspect
from collections import deque
from importlib.metadata import version

import scrapy
from scrapy.core.downloader import Downloader, Slot

from kei_crawler.middlewares import slots


def test_every_internal_used_is_listed() -> None:
    source = inspect.getsource(slots)
    for name in ("._latercall(", ".latercall", ".queue", ".slots"):
        assert name in source
    assert set(slots.INTERNALS) == {
        "Downloader.slots",
        "Downloader._latercall",
        "Slot.latercall",
        "Slot.queue",
    }


def test_a_slot_has_a_queue_and_a_delay_timer() -> None:
    slot = Slot(concurrency=2, delay=0.0)
    assert isinstance(slot.queue, deque)
    assert slot.latercall is None
    slot.latercall = None  # settable: the hold sets and clears it


def test_the_downloader_ends_a_delay_with_latercall() -> None:
    method = Downloader._latercall
    assert list(inspect.signature(method).parameters) == ["self", "slot"]
    body = inspect.getsource(method)
    # It must clear the timer and process the queue, which is what a hold's end relies on.
    assert "slot.latercall = None" in body and "_process_queue(slot)" in body


def test_the_downloader_keeps_its_slots_in_a_dict_by_key() -> None:
    source = inspect.getsource(Downloader.__init__)
    assert "self.slots: dict[str, Slot] = {}" in source
    assert "get_slot_key" in dict(inspect.getmembers(Downloader))


def test_the_pinned_scrapy_is_the_one_installed() -> None:
    assert version("scrapy") == scrapy.__version__
    major, minor = (int(part) for part in scrapy.__version__.split(".")[:2])
    assert (major, minor) == (2, 19), "widen pyproject's Scrapy bound only for versions this file passed on"
