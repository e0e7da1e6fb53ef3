"""The crawler's answer to each fault the replica can inject, from real crawls (README "When the site misbehaves").

Each test crawls a small replica with a FaultPlan and checks the answer twice: in what the replica was
asked (how many tries, how far apart, nothing outside the site — ``ReplicaServer.requests``) and in what
the run published (the snapshot, the run manifest's counts and error list). Faults whose answers do not
interfere share one crawl; retries use a short backoff (KEI_RETRY_BACKOFF_BASE=0.2, at most 1s).
"""

from __future__ import annotations

import itertools
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from kei_crawler import urls
from kei_crawler.extensions.manifest import latest_manifest
from kei_crawler.replica import Fault, FaultPlan, FaultRule, ReplicaServer, build_site
from kei_crawler.replica.content import Site
from kei_crawler.replica.faults import Injection
from kei_crawler.replica.images import UPLOADS
from kei_crawler.replica.server import RequestRecord
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import crawl_command, run_crawl
from tests.support.faulty_site import FaultySite, Rendered

BASE = 0.2  # KEI_RETRY_BACKOFF_BASE in these crawls: retry n waits at least BASE·2^(n-1)/2
FAST = ["-s", "RETRY_TIMES=2", "-s", f"KEI_RETRY_BACKOFF_BASE={BASE}", "-s", "KEI_RETRY_BACKOFF_MAX=1"]
TRIES = 3  # RETRY_TIMES=2: the first request and two retries
LISTING = "/the-peninsula/"


def crawl(server: ReplicaServer, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    done = run_crawl(server.base_url, out, *FAST, *extra)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


def brief_errors(data: dict[str, Any]) -> dict[str, str]:
    """Slug → reason of every brief in the manifest's error list (the URL may be a hop of a redirect)."""
    return {
        str(urls.brief_slug(e["url"])): e["reason"] for e in data["counts"]["errors"] if e["kind"] == "brief"
    }


def listing_errors(data: dict[str, Any]) -> list[tuple[int | None, str]]:
    errors = data["counts"]["errors"]
    return sorted((urls.listing_page_number(e["url"]), e["reason"]) for e in errors if e["kind"] == "listing")


def hits(server: ReplicaServer, path: str) -> list[RequestRecord]:
    return [r for r in server.requests if r.path == path]


def slug(path: str) -> str:
    return path.strip("/").split("/")[-1]


def snapshot_rows(out: Path) -> dict[str, dict[str, Any]]:
    ref = store.latest(out)
    assert ref is not None
    return {row["slug"]: row for row in pq.read_table(ref.path).to_pylist()}


def lied_about(site: Site) -> int:
    """A brief whose page windows-1252 can hold and UTF-8 cannot read once so encoded: a true charset lie."""
    for i, brief in enumerate(site.briefs):
        text = site.render(brief.path, "http://x")[2].decode()
        try:
            text.encode("cp1252").decode("utf-8")
        except UnicodeEncodeError:
            continue
        except UnicodeDecodeError:
            return i
    raise AssertionError("no brief with non-ASCII windows-1252 text")


def test_brief_faults_are_retried_or_reported(tmp_path: Path) -> None:
    site = build_site(30, theme="flat", pagination="query")
    lie = lied_about(site)
    b = [brief.path for i, brief in enumerate(site.briefs) if i != lie]
    moved_to = b[21]  # b[20] answers a 301 to another brief, fetched already or about to be

    def moved(_path: str, base: str) -> Rendered:
        return 301, {"Location": base + moved_to, "Content-Type": "text/html"}, b""

    elsewhere = ReplicaServer(build_site(5, theme="flat"))
    elsewhere.start()

    def refreshed_away(path: str, _base: str) -> Rendered:  # a <meta> refresh is a redirect too
        head = f'<meta http-equiv="refresh" content="0; url={elsewhere.base_url}{path}">'
        return 200, {"Content-Type": "text/html"}, f"<html><head>{head}</head><body></body></html>".encode()

    rules = {
        b[0]: FaultRule(Fault.HTTP_503, times=2),  # recovers on the third try
        b[1]: FaultRule(Fault.HTTP_500),
        b[2]: FaultRule(Fault.HTTP_502, times=1),
        b[3]: FaultRule(Fault.RESET, times=1),
        b[4]: FaultRule(Fault.RESET),
        b[5]: FaultRule(Fault.TRUNCATED, times=1),
        b[6]: FaultRule(Fault.TRUNCATED),
        b[7]: FaultRule(Fault.BAD_GZIP),
        b[19]: FaultRule(Fault.BAD_GZIP, times=1),  # a stream cut once: the retry inflates
        b[8]: FaultRule(Fault.STALL, times=1, param="3"),
        b[9]: FaultRule(Fault.STALL, param="3"),
        b[10]: FaultRule(Fault.REDIRECT_LOOP),
        b[11]: FaultRule(Fault.SELF_REDIRECT),
        b[12]: FaultRule(Fault.OFFSITE_REDIRECT, param=elsewhere.base_url),
        b[13]: FaultRule(Fault.HUGE, param="300000"),
        b[14]: FaultRule(Fault.EMPTY),
        b[15]: FaultRule(Fault.LOGIN_PAGE),
        b[16]: FaultRule(Fault.SOFT_404),
        site.briefs[lie].path: FaultRule(Fault.CHARSET_LIE),
        "/robots.txt": FaultRule(Fault.ROBOTS_DISALLOW, param=b[17]),
        LISTING: FaultRule(Fault.SELF_LINKING_LISTING),
    }
    pages = {b[20]: moved, b[18]: refreshed_away}
    server = ReplicaServer(FaultySite(site, pages), faults=FaultPlan(rules))  # type: ignore[arg-type]
    try:
        with server:
            done = crawl(
                server, tmp_path / "out",
                "-s", "DOWNLOAD_TIMEOUT=1", "-s", "DOWNLOAD_MAXSIZE=100000", "-s", "KEI_MAX_LISTING_PAGES=10000",
            )  # fmt: skip
    finally:
        elsewhere.stop()
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-3000:]
    data = latest_manifest(tmp_path / "out")

    # Transient faults: retried with growing waits, and the brief is captured.
    rows = snapshot_rows(tmp_path / "out")
    for path in (b[0], b[2], b[3], b[5], b[8], b[19]):
        assert slug(path) in rows, path
    tries = hits(server, b[0])
    assert [r.fault for r in tries] == [Fault.HTTP_503, Fault.HTTP_503, None]
    gaps = [later.timestamp - earlier.timestamp for earlier, later in itertools.pairwise(tries)]
    assert gaps[0] >= BASE / 2 and gaps[1] >= BASE  # backoff: at least half of 0.2s, then of 0.4s

    # Faults that do not clear: every try spent, then one error with the URL and the reason.
    assert brief_errors(data) == {
        slug(b[1]): "http_500",
        slug(b[4]): "connection_lost",
        slug(b[6]): "data_loss",
        slug(b[7]): "bad_content_encoding",
        slug(b[9]): "timeout",
        slug(b[10]): "redirect_loop",
        slug(b[11]): "redirect_loop",
        slug(b[12]): "offsite_redirect",
        slug(b[13]): "too_large",
        slug(b[17]): "robots_disallowed",
        slug(b[18]): "offsite_redirect",
    }
    for path in (b[1], b[4], b[6], b[7], b[9]):
        assert len(hits(server, path)) == TRIES, path
    for path in (b[11], b[12], b[13], b[18]):  # not worth retrying: the same answer would come back
        assert len(hits(server, path)) == 1, path
    assert (
        len(hits(server, b[10])) == 1 and len(hits(server, b[10] + "?loop=1")) == 1
    )  # one round of the loop
    assert hits(server, b[17]) == []  # disallowed by robots.txt: never asked for
    assert data["counts"]["brief_errors"] == {
        "bad_content_encoding": 1, "connection_lost": 1, "data_loss": 1, "http_500": 1, "offsite_redirect": 2,
        "redirect_loop": 2, "robots_disallowed": 1, "timeout": 1, "too_large": 1,
    }  # fmt: skip
    shown = done.stdout
    for reason in ("offsite_redirect", "redirect_loop", "robots_disallowed", "too_large", "timeout"):
        assert f"brief errors: {reason}" in shown
    assert f"to another host: {elsewhere.base_url}{b[12]}" in done.stderr  # the log names the target
    offsite = next(e for e in data["counts"]["errors"] if e["url"].endswith(f"{slug(b[12])}/"))
    assert f"{elsewhere.base_url}{b[12]}" in offsite["detail"]  # so does the manifest

    # Never a request outside the site: the other host was not asked, this one only for the section and
    # its briefs' photos.
    assert elsewhere.requests == []
    assert all(r.path == "/robots.txt" or r.path.startswith((LISTING, UPLOADS)) for r in server.requests)

    # Pages that are not briefs: each a counted drop whose reason names the field that was not found.
    drops = {urls.brief_slug(d["url"]): d for d in data["counts"]["drops"]}
    for path in (b[14], b[15], b[16]):
        assert slug(path) not in rows
        [line] = [ln for ln in done.stderr.splitlines() if "Dropped (" in ln and path in ln]
        assert re.search(r"\((title|published_raw|body): tried ", line), line
        assert re.match(
            r"no (title|publication date|body) \((title|published_raw|body): tried ",
            drops[slug(path)]["detail"],
        )
    assert sum(data["counts"]["briefs_dropped"].values()) == 4  # the three, and b[20]'s copy of b[21]
    assert data["counts"]["briefs_dropped"]["DuplicateUrl"] == 1  # the redirect to a fetched page is fetched
    assert len(hits(server, moved_to)) == 2

    # The charset lie: read as windows-1252, the text is the truth, and provenance says how it was read.
    lied = site.briefs[lie]
    truth = next(r for r in site.expected_records() if r["slug"] == lied.slug)
    assert rows[lied.slug]["body"] == truth["body"] and rows[lied.slug]["title"] == truth["title"]
    assert any(ch in truth["body"] + truth["title"] for ch in "’“”é—")
    assert dict(rows[lied.slug]["provenance"])["encoding"] == "windows-1252 (declared utf-8)"

    # A listing that links to itself and to page 9999: each fetched once, and 9999's 404s are counted.
    assert len(hits(server, LISTING)) == 1
    assert listing_errors(data) == [(9999, "http_404"), (9999, "http_404")]  # ?post[paged]= and /page/
    assert len(rows) == 30 - 11 - 4  # the eleven errors and four drops; the lie and the retried ones kept


@dataclass
class DatedRetryAfter(FaultPlan):
    """Rules whose retry_after is "+N" send an HTTP-date N seconds after the moment they are served."""

    sent: list[int] = field(default_factory=list)

    def pick(self, path_and_query: str) -> Injection | None:
        injection = super().pick(path_and_query)
        if injection is None or not (injection.rule.retry_after or "").startswith("+"):
            return injection
        when = int(time.time() + float((injection.rule.retry_after or "+0")[1:]))
        self.sent.append(when)
        return replace(injection, rule=replace(injection.rule, retry_after=formatdate(when, usegmt=True)))


def test_retry_after_holds_every_request_to_the_host(tmp_path: Path) -> None:
    site = build_site(24, theme="flat", pagination="query")
    b = [brief.path for brief in site.briefs]
    plan = DatedRetryAfter(
        {
            b[1]: FaultRule(Fault.RATE_LIMITED, times=1, retry_after="2"),
            b[12]: FaultRule(Fault.HTTP_503, times=1, retry_after="+3"),  # an HTTP-date 2-3 s ahead
        }
    )
    with ReplicaServer(site, faults=plan) as server:
        # With a download delay, requests wait in the host's download slot, as they do on the real site.
        done = crawl(server, tmp_path / "out", "-s", "DOWNLOAD_DELAY=0.05")
    assert done.returncode == ExitCode.OK, done.stderr[-3000:]
    rows = snapshot_rows(tmp_path / "out")
    assert len(rows) == 24 and latest_manifest(tmp_path / "out")["counts"]["errors"] == []

    for path, wait in ((b[1], 2.0), (b[12], None)):
        until: float
        first, retry = hits(server, path)
        assert first.fault is not None and retry.fault is None
        if wait is None:  # the HTTP-date: not before the second it names
            [until] = plan.sent
            assert retry.timestamp >= until
        else:
            until = first.timestamp + wait
            assert retry.timestamp >= until
        # No other request went to the host meanwhile (a little slack for replies already in flight)...
        between = [r for r in server.requests if first.timestamp + 0.5 < r.timestamp < until]
        assert between == [], path
        # ...though there were requests waiting.
        assert any(r.timestamp >= until and r.path != path for r in server.requests)


def test_a_retry_after_beyond_the_cap_is_not_waited_for(tmp_path: Path) -> None:
    site = build_site(20, theme="flat", pagination="query")
    b = [brief.path for brief in site.briefs]
    plan = FaultPlan({b[4]: FaultRule(Fault.HTTP_503, retry_after="3600")})
    with ReplicaServer(site, faults=plan) as server:
        started = time.time()
        done = crawl(server, tmp_path / "out", "-s", "DOWNLOAD_DELAY=0.05", "-s", "KEI_RETRY_MAX_WAIT=60")
        took = time.time() - started
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-3000:]
    assert took < 60  # an hour was asked for; the crawl did not sleep through it
    [refused] = hits(server, b[4])  # asked once, not retried
    # The site said it is away for an hour: nothing more is sent to it (one request might have been on
    # its way), and every brief not fetched before is reported with the reason.
    assert len([r for r in server.requests if r.timestamp > refused.timestamp]) <= 1
    data = latest_manifest(tmp_path / "out")
    errors = brief_errors(data)
    assert errors[slug(b[4])] == "retry_after_too_long"
    assert set(errors.values()) == {"retry_after_too_long"}
    listed = {urls.brief_slug(u) for u in (server.base_url + p for p in b[:10])}  # page 1 of the listing
    assert listed <= set(snapshot_rows(tmp_path / "out")) | set(errors)
    assert {reason for _, reason in listing_errors(data)} <= {"retry_after_too_long"}
    assert "more than KEI_RETRY_MAX_WAIT (60s)" in done.stderr


def test_a_crawl_stopped_during_a_retry_after_ends_at_once(tmp_path: Path) -> None:
    site = build_site(20, theme="flat", pagination="query")
    rule = FaultRule(Fault.RATE_LIMITED, retry_after="240")  # within KEI_RETRY_MAX_WAIT: honoured
    with ReplicaServer(site, faults=FaultPlan({site.briefs[3].path: rule})) as server:
        command = crawl_command(server.base_url, tmp_path / "out", *FAST, "-s", "DOWNLOAD_DELAY=0.05")
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not any(r.fault for r in server.requests):
                assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
                time.sleep(0.05)
            time.sleep(0.5)  # the hold is on: nothing goes to the site for four minutes
            stopped = time.monotonic()
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=60)
            took = time.monotonic() - stopped
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == ExitCode.ABORTED, err[-3000:]
    assert took < 30  # not the four minutes the site asked for
    assert store.latest(tmp_path / "out") is None


@pytest.mark.parametrize(
    ("robots", "why"),
    [
        (FaultRule(Fault.HTTP_500), "robots.txt answered 500: RFC 9309 says treat the site as disallowed; nothing crawled"),
        (FaultRule(Fault.RESET), "robots.txt could not be fetched (connection_lost): RFC 9309 says treat the site as disallowed; nothing crawled"),
    ],
)  # fmt: skip
def test_an_unreachable_robots_txt_means_nothing_is_crawled(
    tmp_path: Path, robots: FaultRule, why: str
) -> None:
    site = build_site(20, theme="flat")
    out = tmp_path / "out"
    with ReplicaServer(site, faults=FaultPlan({"/robots.txt": robots})) as server:
        done = crawl(server, out)
    assert done.returncode == ExitCode.NOT_PUBLISHED, done.stderr[-3000:]
    assert [r.path for r in server.requests] == ["/robots.txt"] * TRIES  # retried, then nothing else
    assert f"no snapshot published: {why}" in done.stderr
    data = latest_manifest(out)
    assert not data["published"] and data["not_published_because"] == why
    assert listing_errors(data) == [(1, "robots_unavailable")]
    assert store.latest(out) is None


def test_a_robots_txt_that_answers_404_allows_everything(tmp_path: Path) -> None:
    site = build_site(20, theme="flat")

    def missing(_path: str, _base: str) -> Rendered:
        # An error page that happens to read like rules: a 4xx means there are none (RFC 9309 §2.3.1.3).
        return 404, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n"

    with ReplicaServer(FaultySite(site, {"/robots.txt": missing})) as server:  # type: ignore[arg-type]
        done = crawl(server, tmp_path / "out")
    assert done.returncode == ExitCode.OK, done.stderr[-3000:]
    assert len(snapshot_rows(tmp_path / "out")) == 20
    assert len(hits(server, "/robots.txt")) == 1


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        (Fault.EMPTY, "lists no briefs and links to no listing page"),
        (Fault.LOGIN_PAGE, "lists no briefs and links to no listing page"),
        (Fault.SOFT_404, "lists no briefs and links to no listing page"),
        (Fault.HTTP_500, "failed: http_500"),
    ],
)
def test_an_unreadable_first_listing_page_publishes_nothing(tmp_path: Path, fault: Fault, why: str) -> None:
    out = tmp_path / "out"
    with ReplicaServer(build_site(20, theme="flat"), faults=FaultPlan({LISTING: FaultRule(fault)})) as server:
        done = crawl(server, out)
    assert done.returncode == ExitCode.NOT_PUBLISHED, done.stderr[-3000:]
    expected = f"could not read The Peninsula's listing: {server.base_url}{LISTING} {why}"
    assert f"no snapshot published: {expected}" in done.stderr
    assert latest_manifest(out)["not_published_because"] == expected
    assert store.latest(out) is None
    assert {r.path for r in server.requests} == {"/robots.txt", LISTING}


def test_a_listing_page_that_fails_does_not_cut_off_the_pages_after_it(tmp_path: Path) -> None:
    site = build_site(20, theme="flat", pagination="path")
    out = tmp_path / "out"
    with ReplicaServer(site) as server:
        assert crawl(server, out).returncode == ExitCode.OK
    new = site.publish(25)  # pages 1 and 2 new, page 3 half new, page 4 and 5 known
    page2, page3 = "/the-peninsula/page/2/", "/the-peninsula/page/3/"
    with ReplicaServer(site, faults=FaultPlan({page2: FaultRule(Fault.HTTP_500)})) as server:
        done = crawl(server, out)  # incremental: the listing is read page after page
    assert done.returncode == ExitCode.WITH_ERRORS, done.stderr[-3000:]
    assert len(hits(server, page2)) == TRIES and len(hits(server, page3)) == 1
    data = latest_manifest(out)
    assert data["mode"] == "incremental"
    assert listing_errors(data) == [(2, "http_500")]
    rows = snapshot_rows(out)
    assert {brief.slug for brief in new[20:25]} <= set(rows)  # page 3's new briefs, read past page 2
    assert not {brief.slug for brief in new[10:20]} & set(rows)  # page 2's: listed nowhere else
