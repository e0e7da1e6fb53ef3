"""Standard output and error whose reader may go away (``kei-crawler diff | head -1``, ``crawl | true``).

A closed pipe is not a failure of the command: a crawl that published its snapshot still exits 0, 5 or
6, and a diff 0 or 1. Python raises ``BrokenPipeError`` at the first write after the reader left (rich
then exits 1 on its own); here it is caught once, for every command, around ``main``: the stream's file
descriptor is pointed at ``os.devnull`` — the recipe of the Python docs (library/signal.html, "Note on
SIGPIPE") — so that what the command still writes, and the interpreter's flush at exit, go nowhere, and
the command carries on to its own exit code.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO, TypeVar, cast

_Result = TypeVar("_Result")


_LEFT: set[int] = set()
"""Descriptors whose reader went away: what was written to them after that went nowhere."""


def reader_left(stream: Any) -> bool:
    """True when ``stream``'s reader went away, so not all that was written to it was read (``diff
    --since-last`` then leaves its cursor where it was)."""
    try:
        return int(stream.fileno()) in _LEFT
    except (OSError, ValueError, AttributeError):
        return False


def _to_devnull(stream: Any) -> None:
    """The reader is gone: everything written to ``stream``'s descriptor from now on is dropped."""
    with contextlib.suppress(
        OSError, ValueError
    ):  # a stream with no descriptor (a test's capture): none to move
        _LEFT.add(stream.fileno())
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        finally:
            os.close(devnull)


class PipeSafe:
    """``stream`` (text, or its binary ``buffer``) with ``BrokenPipeError`` turned into :func:`_to_devnull`;
    everything else is the stream's own (``isatty``, ``encoding``, ``fileno``: rich reads them)."""

    def __init__(self, stream: Any, descriptor_of: Any = None) -> None:
        self._stream = stream
        self._descriptor_of = stream if descriptor_of is None else descriptor_of

    def write(self, data: Any) -> int:
        try:
            return int(self._stream.write(data))
        except BrokenPipeError:
            _to_devnull(self._descriptor_of)
            return len(data)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _to_devnull(self._descriptor_of)
            with contextlib.suppress(BrokenPipeError):  # a stream whose descriptor could not be moved
                self._stream.flush()  # what was still buffered goes to os.devnull now

    @property
    def buffer(self) -> PipeSafe:
        return PipeSafe(self._stream.buffer, self._descriptor_of)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def pipe_safe_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` as :class:`PipeSafe` streams, flushed before they are restored."""
    saved = sys.stdout, sys.stderr
    _LEFT.clear()  # a descriptor number is reused: what a reader did to the last command's is no news
    sys.stdout = cast(TextIO, PipeSafe(saved[0]))
    sys.stderr = cast(TextIO, PipeSafe(saved[1]))
    try:
        yield
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        sys.stdout, sys.stderr = saved


def closed_reader_is_no_failure(main: Callable[..., _Result]) -> Callable[..., _Result]:
    """``main`` run with :func:`pipe_safe_streams`."""

    @functools.wraps(main)
    def guarded(*args: Any, **kwargs: Any) -> _Result:
        with pipe_safe_streams():
            return main(*args, **kwargs)

    return guarded
