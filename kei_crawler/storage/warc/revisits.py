"""Which capture a revisit record names: its ``WARC-Refers-To-Target-URI`` and ``WARC-Refers-To-Date``.

A revisit holds no payload. pywb replays it from the capture those two headers name (looked up by URL
and time in the index, the payload digest checked), so that capture's WARC must stay beside it; the CDXJ
line of a revisit does not carry them, so the record itself is read (one small gzip member).
"""

from __future__ import annotations

from pathlib import Path

from warcio.timeutils import iso_date_to_timestamp

from kei_crawler.storage.warc.capture import record_at
from kei_crawler.storage.warc.cdx import url_key


def refers_to(path: Path | None, offset: int) -> tuple[str, str] | None:
    """(SURT key, 14-digit timestamp) of the capture the revisit at ``offset`` in ``path`` refers to, as
    its index line would name it; None when the record cannot be read or names none."""
    record = record_at(path, offset)
    if record is None or record.rec_type != "revisit":
        return None
    url = record.rec_headers.get_header("WARC-Refers-To-Target-URI")
    date = record.rec_headers.get_header("WARC-Refers-To-Date")
    if not url or not date:
        return None
    try:
        return url_key(url), iso_date_to_timestamp(date)
    except ValueError:
        return None
