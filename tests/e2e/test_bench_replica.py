"""The benchmarks' replica process answers as the tests' ReplicaServer does: same statuses, headers and
bytes, 304s, keep-alive, and a log that counts every request — or the crawl benchmark measures nothing."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from benchmarks.replica_proc import ReplicaProcess
from kei_crawler.replica import build_site


def test_the_benchmark_replica_serves_what_the_site_renders() -> None:
    site = build_site(25)
    with ReplicaProcess(25) as replica:
        parts = urlsplit(replica.base_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
        targets = ["/robots.txt", "/the-peninsula/", "/the-peninsula/?post%5Bpaged%5D=2",
                   "/the-peninsula/?post%5Bpaged%5D=3&", site.briefs[7].path, "/the-peninsula/nope/", "/about"]  # fmt: skip
        etag = ""
        for target in targets:  # one connection for all: kept alive
            connection.request("GET", target)
            response = connection.getresponse()
            body = response.read()
            status, headers, expected = site.render(target, replica.base_url)
            assert (response.status, body) == (status, expected), target
            for name, value in headers.items():
                assert response.getheader(name) == value, (target, name)
            if target == site.briefs[7].path:
                etag = headers["ETag"]
        connection.request("GET", site.briefs[7].path, headers={"If-None-Match": etag})
        response = connection.getresponse()
        assert (response.status, response.read(), response.getheader("ETag")) == (304, b"", etag)
        connection.request("HEAD", "/the-peninsula/")
        response = connection.getresponse()
        assert response.status == 200 and response.read() == b""
        connection.close()
        logged = replica.requests()
        assert [target for _method, target, _status in logged] == [
            *targets,
            site.briefs[7].path,
            "/the-peninsula/",
        ]
        assert [status for _m, _t, status in logged][-2:] == [304, 200]
        stats = replica.command("stats")
        assert stats["connections"] == 1
        # Everything a crawl asks for was rendered before it asked; only the unknown pages were not.
        assert stats["misses"] == 2  # /the-peninsula/nope/ and /about


def test_the_benchmark_replica_changes_as_the_site_does() -> None:
    site = build_site(25)
    with ReplicaProcess(25) as replica:
        replica.command("publish", n=2)
        site.publish(2)
        replica.command("remove", index=5)
        site.remove(site.briefs[5].slug)
        parts = urlsplit(replica.base_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
        for target in ("/the-peninsula/", site.briefs[0].path, site.briefs[5].path):
            connection.request("GET", target)
            response = connection.getresponse()
            assert (response.status, response.read()) == site.render(target, replica.base_url)[::2], target
        connection.close()
