"""The replica over HTTP on 127.0.0.1 (conditional requests, redirects, HEAD, the delay), and its bytes
computed again in another process (its content: tests/unit/test_replica.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from kei_crawler.replica import ReplicaServer, build_site

MEXICO = "/the-peninsula/renewed-south-korea-mexico-ties/"


# --- content -----------------------------------------------------------------------------------------------


def test_the_same_bytes_in_another_process_whatever_the_hash_seed() -> None:
    script = (
        "import hashlib; from kei_crawler.replica import build_site; s = build_site(80, theme='classic'); "
        "print(hashlib.sha256(b''.join(s.render(b.path, 'http://h')[2] for b in s.briefs)).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


# --- HTTP --------------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """``If_None_Match="…"`` sends If-None-Match."""
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    request = urllib.request.Request(url, method=method, headers=named)
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def test_http_behaviour() -> None:
    site = build_site(30, theme="modern")
    with ReplicaServer(site) as server:
        base = server.base_url
        assert base.startswith("http://127.0.0.1:")
        status, headers, body = fetch(base + MEXICO)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert body == site.render(MEXICO, base)[2] and base.encode() + MEXICO.encode() in body
        etag, last_modified = headers["ETag"], headers["Last-Modified"]
        assert etag.startswith('"') and etag.endswith('"') and last_modified.endswith(" GMT")

        assert fetch(base + MEXICO, If_None_Match=etag)[:3:2] == (304, b"")
        assert fetch(base + MEXICO, If_None_Match='"other"', If_Modified_Since=last_modified)[0] == 200
        assert fetch(base + MEXICO, If_Modified_Since=last_modified)[0] == 304
        assert fetch(base + MEXICO, If_Modified_Since="Sat, 01 Jan 2000 00:00:00 GMT")[0] == 200

        status, headers, _ = fetch(
            base + "/the-peninsula/renewed-south-korea-mexico-ties?utm_source=hs_email"
        )
        assert status == 301 and headers["Location"] == base + MEXICO + "?utm_source=hs_email"

        status, headers, body = fetch(base + MEXICO, method="HEAD")
        assert status == 200 and body == b"" and headers["ETag"] == etag
        assert fetch(base + "/the-peninsula/no-such-brief/")[0] == 404
        assert b"Disallow: /wp-admin/" in fetch(base + "/robots.txt")[2]

        site.edit("renewed-south-korea-mexico-ties")
        assert fetch(base + MEXICO, If_None_Match=etag)[0] == 200
        site.remove("renewed-south-korea-mexico-ties")
        assert fetch(base + MEXICO)[0] == 404

        log = server.requests
        assert [r.status for r in log] == [200, 304, 200, 304, 200, 301, 200, 404, 200, 200, 404]
        assert log[1].headers["If-None-Match"] == etag and log[6].method == "HEAD"
        assert log[5].path == "/the-peninsula/renewed-south-korea-mexico-ties?utm_source=hs_email"
        assert all(log[i].timestamp <= log[i + 1].timestamp for i in range(len(log) - 1))
        server.clear_log()
        assert server.requests == []
    assert server.base_url == base


def test_the_delay_slows_every_response() -> None:
    with ReplicaServer(build_site(10), delay=0.2) as server:
        started = time.perf_counter()
        fetch(server.base_url + "/robots.txt")
        assert time.perf_counter() - started >= 0.2
