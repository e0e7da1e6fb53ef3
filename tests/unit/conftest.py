"""Unit tests open no socket and start no process: any attempt fails the test, loudly.

A test that serves the replica on 127.0.0.1, runs a crawl or a command in a child process, or talks to
anything over a socket belongs in tests/e2e. The guard is installed by an autouse fixture for the whole
``tests/unit`` package (module-scoped fixtures included) and fails the test with ``pytest.fail``, whose
exception is a BaseException: code under test that catches ``OSError`` or ``Exception`` cannot hide it.
An attempt from another thread fails the test at teardown.
"""

from __future__ import annotations

import _posixsubprocess
import contextlib
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import pytest

ADVICE = "a unit test opens no socket and starts no process: move it to tests/e2e"

# Opened at import, not by any test: urllib3 probes for IPv6 support with a socket the first time it is
# imported (urllib3.util.connection.HAS_IPV6), and product code imports it lazily (surt -> tldextract ->
# requests -> urllib3, when the WARC modules are first needed). Imported here, before the guard is up.
with contextlib.suppress(ImportError):
    import urllib3.util.connection  # noqa: F401


class Refusals:
    """What the guard refused from threads other than the main one, for the test's teardown to report."""

    def __init__(self) -> None:
        self.from_threads: list[str] = []

    def refuse(self, what: str) -> NoReturn:
        message = f"{what} refused: {ADVICE}"
        thread = threading.current_thread()
        if thread is not threading.main_thread():
            self.from_threads.append(f"{message} (in thread {thread.name!r})")
        pytest.fail(message)


REFUSALS = Refusals()
_SOCKET_INIT = socket.socket.__init__
_SOCKETPAIR = socket.socketpair
_PAIRING = threading.local()


def _socket_init(
    self: socket.socket, family: int = -1, type: int = -1, proto: int = -1, fileno: Any = None
) -> None:
    if getattr(_PAIRING, "active", False):
        _SOCKET_INIT(self, family, type, proto, fileno)
        return
    REFUSALS.refuse(f"socket.socket(family={family}, type={type}, proto={proto}, fileno={fileno})")


def _socketpair(*args: Any, **kwargs: Any) -> tuple[socket.socket, socket.socket]:
    """Allowed: two connected ends in this process, reaching nothing else (an asyncio loop's self-pipe)."""
    _PAIRING.active = True
    try:
        return _SOCKETPAIR(*args, **kwargs)
    finally:
        _PAIRING.active = False


def _create_connection(address: Any, *args: Any, **kwargs: Any) -> NoReturn:
    REFUSALS.refuse(f"socket.create_connection({address!r})")


def _popen_init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
    REFUSALS.refuse(f"subprocess.Popen({args!r})")


def _refused(name: str) -> Callable[..., NoReturn]:
    def refused(*args: Any, **kwargs: Any) -> NoReturn:
        REFUSALS.refuse(f"{name}({', '.join(map(repr, args))})" if args else f"{name}()")

    return refused


@pytest.fixture(scope="package", autouse=True)
def no_sockets_or_processes() -> Iterator[None]:
    """Every way this interpreter opens a socket or starts a process, refused while tests/unit runs.

    socket.socket covers create_connection, urllib, http.client and servers of any kind; only
    socketpair() is let through (an event loop's self-pipe: asyncio works, its subprocesses do not).
    Popen covers subprocess.run, os.popen and asyncio's subprocesses; fork_exec is what multiprocessing's
    spawn and forkserver start methods use, os.fork its fork method.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "__init__", _socket_init)
        patch.setattr(socket, "create_connection", _create_connection)
        patch.setattr(socket, "socketpair", _socketpair)
        patch.setattr(subprocess.Popen, "__init__", _popen_init)
        patch.setattr(_posixsubprocess, "fork_exec", _refused("_posixsubprocess.fork_exec"))
        for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system"):
            if hasattr(os, name):
                patch.setattr(os, name, _refused(f"os.{name}"))
        yield


@pytest.fixture(autouse=True)
def no_sockets_or_processes_from_threads() -> Iterator[None]:
    """A refusal in another thread only ends that thread: fail the test it happened in."""
    REFUSALS.from_threads.clear()
    yield
    refused = list(REFUSALS.from_threads)
    REFUSALS.from_threads.clear()
    if refused:
        pytest.fail("\n".join(refused))
