"""Crawl processes to kill: ``kei-crawler crawl`` as a new interpreter, or forked from one that has already
imported the crawler.

Starting Python and importing Scrapy, Twisted and pyarrow costs a crawl of the small replica more CPU
than the crawl itself. The kill tests run dozens of crawls, so by default each one is forked from a
multiprocessing *forkserver* that imported everything a crawl imports (``benchmarks.crawler_imports``)
and runs ``kei_crawler.commands.main`` with the command's arguments: a process of its own, with its own pid,
signal handlers, file descriptors and exit code, that SIGKILL stops exactly as it stops a
``kei-crawler crawl``; only the interpreter's start is skipped. ``Launcher(fork=False)`` (``--exec`` in
``benchmarks.kill_trials``) runs the real command instead.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


def _run_cli(argv: list[str], env: dict[str, str], stdout: str, stderr: str) -> None:
    """The forked process: the command's output to its files, its environment, then the CLI."""
    for fd, path in ((1, stdout), (2, stderr)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    os.environ.pop("KEI_FAILPOINT", None)  # whatever the forkserver inherited: only ``env`` arms a point
    os.environ.update(env)
    from kei_crawler.commands import main

    code = main(argv)
    sys.stdout.flush()
    sys.exit(code)


def _nothing() -> None:
    pass


@dataclass
class Running:
    """A started crawl: a subprocess.Popen or a multiprocessing.Process behind one interface."""

    pid: int
    _proc: Any
    _files: tuple[IO[bytes], ...] = ()

    def poll(self) -> int | None:
        if isinstance(self._proc, subprocess.Popen):
            return self._proc.poll()
        return None if self._proc.is_alive() else self._proc.exitcode

    def signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code (negative: the signal that ended it); None when it outlived ``timeout`` (then
        it is killed)."""
        if isinstance(self._proc, subprocess.Popen):
            try:
                code: int | None = self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
                code = None
        else:
            self._proc.join(timeout)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
                code = None
            else:
                code = self._proc.exitcode
        for file in self._files:
            file.close()
        return code


_STARTING = threading.Lock()  # one process at a time through the (one, shared) forkserver's socket


class Launcher:
    def __init__(self, *, fork: bool = True) -> None:
        self.fork = fork
        self._context: Any = None
        if fork:
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(["benchmarks.crawler_imports"])
            # Started (and its imports done) now, not in the first crawl: that one is timed too.
            warm = self._context.Process(target=_nothing)
            with _STARTING:
                warm.start()
            warm.join()

    def start(
        self, command: list[str], stdout: Path, stderr: Path, env: dict[str, str] | None = None
    ) -> Running:
        """Start ``command`` (``python -m kei_crawler crawl …``, as ``demo.crawl_argv`` builds it)."""
        env = {"COLUMNS": "200", "PYTHONUNBUFFERED": "1", **(env or {})}
        if not self.fork:
            out, err = open(stdout, "wb"), open(stderr, "wb")  # noqa: SIM115 — closed by Running.wait
            proc = subprocess.Popen(command, stdout=out, stderr=err, env={**os.environ, **env})
            return Running(proc.pid, proc, (out, err))
        assert command[1:4] == ["-m", "kei_crawler", "crawl"], command
        process = self._context.Process(target=_run_cli, args=(command[3:], env, str(stdout), str(stderr)))
        with _STARTING:
            process.start()
        return Running(process.pid, process)
