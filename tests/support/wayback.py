"""A real pywb over a collection of kei-crawler WARCs, as docs/warc.md tells an archivist to run it.

``Wayback`` builds the collection with ``wb-manager init`` / ``wb-manager add``, writes the shipped
config (``contrib/pywb``: the rules that let tracking-parameter links replay), starts ``wayback`` on
127.0.0.1 on a free port in its own process group, and stops the group at the end. Nothing leaves the
machine: the collection is not a live-web proxy, and every URL asked for is an archived one.
``missing_text`` says what of a snapshot row a replayed page does not show.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, Request, build_opener

import lxml.html

ROOT = Path(__file__).resolve().parents[2]
CONTRIB = ROOT / "contrib" / "pywb"
COLLECTION = "kei"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Replayed:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_tool(*argv: str, cwd: Path) -> None:
    """One of pywb's commands in ``cwd``; its output in the failure message when it fails."""
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def build_collection(root: Path, warcs: list[Path]) -> Path:
    """The steps of docs/warc.md's "Replay the archive with pywb": init, add, config and rules."""
    root.mkdir(parents=True, exist_ok=True)
    run_tool(str(BIN / "wb-manager"), "init", COLLECTION, cwd=root)
    run_tool(str(BIN / "wb-manager"), "add", COLLECTION, *map(str, warcs), cwd=root)
    shutil.copy(CONTRIB / "config.yaml", root / "config.yaml")
    with open(root / "kei-rules.yaml", "w", encoding="utf-8") as rules:
        done = subprocess.run(
            [sys.executable, str(CONTRIB / "kei_rules.py")], stdout=rules, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return root


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer of its own here: the test sees pywb's 3xx


class Wayback:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.log = root / "wayback.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Wayback:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(self.port)],
                cwd=self.root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self._wait_for_port(timeout=60)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # wayback's own group: its workers go with it
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def _wait_for_port(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"wayback exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise AssertionError(f"wayback did not listen on port {self.port} in {timeout} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:] if self.log.exists() else ""

    def url(self, archived_url: str, when: str = "", mod: str = "mp_") -> str:
        """pywb's address of ``archived_url``: the newest capture without ``when`` (a 14-digit timestamp),
        ``mp_`` the page itself, rewritten for replay; ``id_`` its bytes as captured; ``""`` the frame."""
        return f"{self.base}/{COLLECTION}/{when}{mod}{'/' if when or mod else ''}{archived_url}"

    def get(self, address: str) -> Replayed:
        """What pywb answers for ``address`` (a path on it, or a whole URL), redirects not followed."""
        full = address if address.startswith("http") else self.base + address
        try:
            with build_opener(_NoRedirects).open(Request(full), timeout=30) as answer:
                return Replayed(answer.status, dict(answer.headers.items()), answer.read())
        except HTTPError as error:
            return Replayed(error.code, dict(error.headers.items()), error.read())

    def click(self, address: str, hops: int = 5) -> Replayed:
        """As a browser follows a link: pywb's redirects (to the capture of a URL's canonical form,
        e.g. with its trailing slash) followed, within pywb only."""
        answer = self.get(address)
        while (
            300 <= answer.status < 400
            and hops > 0
            and answer.headers.get("Location", "").startswith(self.base)
        ):
            answer, hops = self.get(answer.headers["Location"]), hops - 1
        return answer


def words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_text(replayed: Replayed) -> str:
    return words(lxml.html.fromstring(replayed.body).text_content())


def paragraphs(body: str) -> list[str]:
    """Each paragraph, heading and list item of a snapshot's ``body``, as its text reads on the page."""
    return [words(line.removeprefix("- ")) for line in body.split("\n") if line.strip()]


def missing_text(replayed: Replayed, row: dict[str, Any]) -> list[str]:
    """What of the row's title and body the replayed page does not show (empty: all of it)."""
    text = page_text(replayed)
    return [part for part in [words(row["title"]), *paragraphs(row["body"])] if part not in text]


def memento_timestamp(replayed: Replayed) -> str:
    return parsedate_to_datetime(replayed.headers["Memento-Datetime"]).strftime("%Y%m%d%H%M%S")
