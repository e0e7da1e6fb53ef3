"""Where brief pages are read: in the crawl's own process, or in a worker process (``KEI_EXTRACT_WORKERS``).

Reading a brief page (``BriefPage``: parse, strip chrome, find every field) is the crawl's largest cost
of its own, and it is pure Python holding the GIL, so in the crawl's process it runs on the same core
as Scrapy's event loop. At the real site's polite pace that does not matter; crawling a mirror or the
replica with politeness off, the crawl is CPU-bound, and worker processes read pages on other cores
while the event loop downloads, archives and writes. Only the (url, bytes) → (fields, provenance) step
moves: pipelines, stats and the snapshot stay in the crawl's process, so a crawl's rows are the same
with or without workers (tests/e2e/test_extraction_workers.py).

A worker is ``python -m kei_crawler.pages.workers`` talking over its stdin and stdout: length-prefixed
pickles, pages in, fields out. The crawl's side lives on the event loop (asyncio pipe transports), with
no thread of its own: a ``concurrent.futures`` process pool's feeder and manager threads cost the event
loop more GIL time than the pages they shipped saved. A worker ignores Ctrl-C (it reaches the whole
process group; the crawl decides what it means) and exits at the end of its input, which is also what
it sees when the crawl's process dies, even by kill -9. If a worker dies, the crawl reads the pages it
held, and every page after them, itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import logging
import pickle
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, TypeVar

from kei_crawler.pages.brief import PageRead, read_brief

logger = logging.getLogger(__name__)

T = TypeVar("T")
_LENGTH = 4  # bytes of the big-endian length before each pickled message


def _frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_LENGTH, "big") + data


def serve(source: BinaryIO, sink: BinaryIO) -> int:
    """The worker: (number, url, body) messages in, (number, read or None, error or None) out, until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        header = source.read(_LENGTH)
        if len(header) < _LENGTH:
            return 0  # the crawl closed our input: it is done, or gone
        number, url, body = pickle.loads(source.read(int.from_bytes(header, "big")))
        try:
            reply: tuple[int, PageRead | None, BaseException | None] = (number, read_brief(url, body), None)
        except Exception as exc:  # the crawl's process raises it where the page would have been read
            reply = (number, None, exc)
        try:
            data = _frame(reply)
        except Exception:  # an exception that does not pickle: its type and message still do
            data = _frame((number, None, RuntimeError(f"{type(reply[2]).__name__}: {reply[2]}")))
        sink.write(data)
        sink.flush()


class _Replies(asyncio.Protocol):
    def __init__(self, worker: _Worker) -> None:
        self.worker = worker
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= _LENGTH:
            size = int.from_bytes(self.buffer[:_LENGTH], "big")
            if len(self.buffer) < _LENGTH + size:
                return
            message = pickle.loads(self.buffer[_LENGTH : _LENGTH + size])
            del self.buffer[: _LENGTH + size]
            self.worker.replied(*message)

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker.lost()


class _Worker:
    """One worker process and the pages it holds, from the event loop's side."""

    def __init__(self, process: subprocess.Popen[bytes], on_lost: Any) -> None:
        self.process = process
        self.on_lost = on_lost
        self.pending: dict[int, tuple[asyncio.Future[PageRead], str, bytes]] = {}
        self.numbers = itertools.count()
        self.sink: asyncio.WriteTransport | None = None
        self.source: asyncio.ReadTransport | None = None
        self.alive = True

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        assert self.process.stdin is not None and self.process.stdout is not None
        self.sink, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, self.process.stdin)
        self.source, _ = await loop.connect_read_pipe(lambda: _Replies(self), self.process.stdout)

    def submit(self, url: str, body: bytes) -> asyncio.Future[PageRead]:
        assert self.sink is not None
        number = next(self.numbers)
        future: asyncio.Future[PageRead] = asyncio.get_running_loop().create_future()
        if not self.alive:
            future.set_result(read_brief(url, body))
            return future
        self.pending[number] = (future, url, body)
        self.sink.write(_frame((number, url, body)))
        return future

    def replied(self, number: int, read: PageRead | None, error: BaseException | None) -> None:
        future, _url, _body = self.pending.pop(number)
        if error is not None:
            future.set_exception(error)
        else:
            assert read is not None
            future.set_result(read)

    def lost(self) -> None:
        if not self.alive:
            return
        self.alive = False
        if self.pending:
            logger.error(
                "An extraction worker exited; the crawl reads its %d pages itself", len(self.pending)
            )
        for future, url, body in self.pending.values():
            if not future.done():
                try:
                    future.set_result(read_brief(url, body))
                except Exception as exc:
                    future.set_exception(exc)
        self.pending.clear()
        self.on_lost(self)

    def close(self) -> None:
        self.alive = False
        if self.pending:
            # An interrupted crawl: nobody waits for these pages any more.
            self.process.terminate()
            for future, _url, _body in self.pending.values():
                future.cancel()
            self.pending.clear()
        if self.sink is not None:
            self.sink.close()
        if self.process.stdin is not None:
            # The transport closes its pipe only on a later turn of the event loop, which the wait below
            # blocks: closed here, the worker reads EOF and exits now (it waited out the whole timeout).
            self.process.stdin.close()
        if self.source is not None:
            self.source.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WorkerPool:
    """``read_brief`` in ``workers`` processes (started at the first page), or in this one (0).

    Workers need an asyncio event loop (Scrapy's default reactor runs one); without one, pages are
    read in this process.
    """

    def __init__(self, workers: int = 0) -> None:
        self.workers = max(0, workers)
        self._pool: list[_Worker] = []
        self._turn = itertools.count()
        self._starting: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # imap's, in self._thread
        self._thread: threading.Thread | None = None

    @property
    def pooled(self) -> bool:
        return self.workers > 0

    async def read(self, url: str, body: bytes) -> PageRead:
        if not self.pooled:
            return read_brief(url, body)
        if not self._pool:
            self._starting = self._starting or asyncio.Lock()
            async with self._starting:  # the first pages arrive together: start the workers once
                if not self._pool and self.workers:
                    await self._start()
            if not self._pool:
                return read_brief(url, body)
        worker = self._pool[next(self._turn) % len(self._pool)]
        return await worker.submit(url, body)

    async def _start(self) -> None:
        started = []
        for _ in range(self.workers):
            process = subprocess.Popen(
                [sys.executable, "-m", "kei_crawler.pages.workers"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            worker = _Worker(process, self._forget)
            await worker.connect()
            started.append(worker)
        self._pool = started
        logger.info("Reading brief pages in %d worker process(es)", self.workers)

    def _forget(self, worker: _Worker) -> None:
        if worker in self._pool:
            self._pool.remove(worker)
        if not self._pool:
            self.workers = 0  # every worker is gone: read in this process from now on

    def imap(self, pages: Iterable[tuple[T, str, bytes]], window: int = 64) -> Iterator[tuple[T, PageRead]]:
        """Each (tag, url, body) read, in order, for code that runs no event loop (``reextract``): with
        workers, up to ``window`` pages are out at once, read while the caller handles earlier ones."""
        if not self.pooled:
            for tag, url, body in pages:
                yield tag, read_brief(url, body)
            return
        loop = self._background_loop()
        out: deque[tuple[T, concurrent.futures.Future[PageRead]]] = deque()
        for tag, url, body in pages:
            out.append((tag, asyncio.run_coroutine_threadsafe(self.read(url, body), loop)))
            if len(out) >= window:
                first, read = out.popleft()
                yield first, read.result()
        while out:
            first, read = out.popleft()
            yield first, read.result()

    def _background_loop(self) -> asyncio.AbstractEventLoop:
        """An event loop in a thread of its own, for the workers' pipes (it mostly waits on them)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="kei-extraction", daemon=True)
            self._thread.start()
        return self._loop

    def close(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            self._close_workers()
            return

        async def close_there() -> None:
            self._close_workers()  # the pipes belong to that loop

        asyncio.run_coroutine_threadsafe(close_there(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join()
        loop.close()

    def _close_workers(self) -> None:
        pool, self._pool = self._pool, []
        for worker in pool:
            worker.close()


if __name__ == "__main__":
    raise SystemExit(serve(sys.stdin.buffer, sys.stdout.buffer))
