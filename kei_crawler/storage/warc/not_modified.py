"""A 304 Not Modified as a ``revisit`` record that replays as the page it confirmed; no Scrapy.

A revalidating crawl asks for a brief with the validators of the capture its snapshot row holds, and a
304 says that capture is still current. Recorded as a ``response`` with an empty body (as before), the
304 became the newest capture of the URL and pywb replayed it as an empty page. It is now a ``revisit``
record, profile ``server-not-modified`` (what the server said), whose block is the response the 304
confirmed, freshened with the headers the 304 sent (RFC 9111 4.3.4: how a cache updates a stored
response on a 304), and which names that capture: ``WARC-Refers-To-Target-URI`` /
``WARC-Refers-To-Date`` / ``WARC-Payload-Digest`` (and ``WARC-Refers-To`` when the record id is known).

Why that block, not the 304's own status line: pywb serves a revisit with the revisit's HTTP headers and
the referred-to payload, but a 3xx status in those headers is served as it is, with an empty body
(``ResolvingLoader.load_headers_and_payload``) — the 304 replays as an empty 304. The profile keeps the
fact that the server answered 304, and the request record beside it keeps the conditional request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders

from kei_crawler.storage.warc.capture import is_there, record_at, warc_in
from kei_crawler.storage.warc.cdx import FirstCapture

PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

# RFC 9111 3.2: a 304 never updates these of the stored response; they describe the stored payload.
_KEPT_FROM_STORED = frozenset({"content-length", "content-encoding", "content-type", "content-range",
                               "transfer-encoding", "connection"})  # fmt: skip


@dataclass(frozen=True)
class Held:
    """The capture a snapshot row holds, as the revalidation request names it (``link.HELD_META``)."""

    file: str
    offset: int


@dataclass(frozen=True)
class Confirmed:
    """The capture a 304 confirmed: what its revisit record refers to, and the headers it replays with."""

    url: str
    date: str
    record_id: str | None
    digest: str
    http: StatusAndHeaders


def held_record(path: Path | None, offset: int) -> Confirmed | None:
    """The 2xx response or revisit record at ``offset`` in ``path``, read whole, or None when it is not
    there (file gone, cut short, damaged, no payload digest, another kind of record or status). For a
    revisit, the fields are the revisit's own and ``record_id`` is None: the caller must still find the
    capture its payload digest names."""
    record = record_at(path, offset)
    if record is None or record.rec_type not in ("response", "revisit") or record.http_headers is None:
        return None
    if not str(record.http_headers.get_statuscode()).startswith("2"):
        return None  # a row is read from a 2xx only: anything else is not the capture a row holds
    headers = record.rec_headers
    digest = headers.get_header("WARC-Payload-Digest")
    if not digest or (record.rec_type == "response" and not is_there(path, offset, digest)):
        return None
    return Confirmed(
        url=headers.get_header("WARC-Target-URI"), date=headers.get_header("WARC-Date"),
        record_id=headers.get_header("WARC-Record-ID") if record.rec_type == "response" else None,
        digest=digest, http=record.http_headers,
    )  # fmt: skip


def confirmed_capture(
    published: Path | None, held: Held | None, first_capture: Callable[[str], FirstCapture | None]
) -> Confirmed | None:
    """The capture a 304 confirmed, when it is there to refer to: the row's response record in the
    ``published`` folder read back whole, or, when the row's record is itself a revisit, the first capture
    of its payload that ``first_capture`` (the writer's own check) finds there."""
    if published is None or held is None:
        return None
    found = held_record(warc_in(published, held.file), held.offset)
    if found is None or found.record_id is not None:  # a record id: the row's record is the response
        return found
    first = first_capture(found.digest)
    return (
        None if first is None else Confirmed(first.url, first.date, first.record_id, found.digest, found.http)
    )


def freshened(stored: StatusAndHeaders, fresh: list[tuple[str, str]]) -> StatusAndHeaders:
    """The stored response's status line and headers, each header the 304 sent replacing the stored one
    of that name (RFC 9111 4.3.4), except those that describe the stored payload."""
    sent = [(name, value) for name, value in fresh if name.lower() not in _KEPT_FROM_STORED]
    names = {name.lower() for name, _ in sent}
    kept = [(name, value) for name, value in stored.headers if name.lower() not in names]
    return StatusAndHeaders(stored.statusline, kept + sent, stored.protocol or "HTTP/1.1")


def not_modified_record(
    writer: Any, url: str, confirmed: Confirmed, fresh: list[tuple[str, str]], warc_headers: dict[str, str]
) -> Any:
    """The revisit record of a 304 for ``url`` that confirmed ``confirmed`` (``fresh``: the 304's headers)."""
    refers = {"WARC-Refers-To": confirmed.record_id} if confirmed.record_id else {}
    record = writer.create_revisit_record(
        url, confirmed.digest, confirmed.url, confirmed.date,
        http_headers=freshened(confirmed.http, fresh), warc_headers_dict={**warc_headers, **refers},
    )  # fmt: skip
    record.rec_headers.replace_header("WARC-Profile", PROFILE)
    return record


def is_not_modified(record_headers: StatusAndHeaders) -> bool:
    """True for a revisit record that stands for a 304 (the status the server answered)."""
    return bool(record_headers.get_header("WARC-Profile") == PROFILE)
