"""The replica's fault injection, checked with a plain HTTP client: each fault is what it claims to be."""

from __future__ import annotations

import gzip
import http.client
import socket
import zlib
from collections.abc import Iterator

import pytest

from kei_crawler.replica import Fault, FaultPlan, FaultRule, ReplicaServer, build_site

SITE = build_site(30, theme="modern")
BRIEF = SITE.briefs[2].path
OTHER = SITE.briefs[3].path


@pytest.fixture
def serve() -> Iterator[object]:
    servers: list[ReplicaServer] = []

    def start(rules: dict[str, FaultRule], **plan: object) -> ReplicaServer:
        server = ReplicaServer(SITE, faults=FaultPlan(rules, **plan))  # type: ignore[arg-type]
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def get(server: ReplicaServer, path: str, timeout: float = 5) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    return conn.getresponse()


@pytest.mark.parametrize(
    ("fault", "status"),
    [(Fault.HTTP_500, 500), (Fault.HTTP_502, 502), (Fault.HTTP_503, 503), (Fault.RATE_LIMITED, 429)],
)
def test_error_statuses_clear_after_their_tries_and_carry_retry_after(serve, fault, status) -> None:
    server = serve({BRIEF: FaultRule(fault, times=2, retry_after="3")})
    for _ in range(2):
        response = get(server, BRIEF)
        assert response.status == status
        assert response.getheader("Retry-After") == "3"
        response.read()
    assert get(server, BRIEF).status == 200
    assert [(r.path, r.fault) for r in server.requests] == [(BRIEF, fault), (BRIEF, fault), (BRIEF, None)]


def test_without_retry_after_no_header_is_sent(serve) -> None:
    response = get(serve({BRIEF: FaultRule(Fault.HTTP_503)}), BRIEF)
    assert response.status == 503 and response.getheader("Retry-After") is None


def test_reset_breaks_the_connection_mid_body(serve) -> None:
    response = get(serve({BRIEF: FaultRule(Fault.RESET)}), BRIEF)
    assert response.status == 200
    with pytest.raises((http.client.IncompleteRead, ConnectionResetError)):
        response.read()


def test_truncated_body_is_shorter_than_its_content_length(serve) -> None:
    response = get(serve({BRIEF: FaultRule(Fault.TRUNCATED)}), BRIEF)
    declared = int(response.getheader("Content-Length") or 0)
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert len(caught.value.partial) == declared - 4096


def test_stall_sends_nothing_more_until_the_client_gives_up(serve) -> None:
    response = get(serve({BRIEF: FaultRule(Fault.STALL, param="5")}), BRIEF, timeout=0.5)
    assert response.status == 200
    with pytest.raises((TimeoutError, socket.timeout)):
        response.read()


def test_bad_gzip_does_not_inflate(serve) -> None:
    response = get(serve({BRIEF: FaultRule(Fault.BAD_GZIP)}), BRIEF)
    assert response.getheader("Content-Encoding") == "gzip"
    with pytest.raises((OSError, EOFError, zlib.error)):
        gzip.decompress(response.read())


def test_redirects_loop_leave_the_site_or_point_at_themselves(serve) -> None:
    server = serve(
        {
            BRIEF: FaultRule(Fault.REDIRECT_LOOP),
            OTHER: FaultRule(Fault.SELF_REDIRECT),
            "/about/": FaultRule(Fault.OFFSITE_REDIRECT, param="http://127.0.0.2:9"),
        }
    )
    first = get(server, BRIEF)
    assert first.status == 302 and first.getheader("Location") == f"{server.base_url}{BRIEF}?loop=1"
    assert get(server, f"{BRIEF}?loop=1").getheader("Location") == f"{server.base_url}{BRIEF}"
    assert get(server, OTHER).getheader("Location") == f"{server.base_url}{OTHER}"
    assert get(server, "/about/").getheader("Location") == "http://127.0.0.2:9/about/"


def test_content_faults(serve) -> None:
    paths = [b.path for b in SITE.briefs[5:10]]
    rules = dict(
        zip(
            paths, [Fault.CHARSET_LIE, Fault.EMPTY, Fault.LOGIN_PAGE, Fault.SOFT_404, Fault.HUGE], strict=True
        )
    )
    server = serve({p: FaultRule(f, param="3000000" if f is Fault.HUGE else None) for p, f in rules.items()})
    lie = get(server, paths[0])
    assert "utf-8" in (lie.getheader("Content-Type") or "")
    body = lie.read()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert body.decode("windows-1252") == SITE.render(paths[0], server.base_url)[2].decode()
    assert get(server, paths[1]).read() == b""
    assert b"Sign in" in get(server, paths[2]).read()
    soft = get(server, paths[3])
    assert soft.status == 200 and soft.read() == SITE.render("/nowhere/", server.base_url)[2]
    assert len(get(server, paths[4]).read()) == 3_000_000


def test_listing_links_to_itself_and_to_page_9999(serve) -> None:
    server = serve({"/the-peninsula/": FaultRule(Fault.SELF_LINKING_LISTING)})
    body = get(server, "/the-peninsula/").read().decode()
    assert f'href="{server.base_url}/the-peninsula/"' in body
    assert "9999" in body


def test_robots_disallow_and_robots_errors(serve) -> None:
    server = serve({"/robots.txt": FaultRule(Fault.ROBOTS_DISALLOW, param=BRIEF)})
    assert get(server, "/robots.txt").read().decode() == f"User-agent: *\nDisallow: {BRIEF}\n"
    assert get(serve({"/robots.txt": FaultRule(Fault.HTTP_500)}), "/robots.txt").status == 500
