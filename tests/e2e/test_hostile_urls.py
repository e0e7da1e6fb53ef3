"""Hostile URLs and names: links that try to leave the site, and values that try to leave the output folder.

A listing page links to ``../../etc/passwd``, ``%2e%2e`` paths, ``javascript:``, ``file:``, ``data:``,
``mailto:``, a second server standing for another host (plain, scheme-relative, behind userinfo and
backslash tricks) and sends a ``<base href>`` there; briefs meta-refresh to it and carry titles that read
as paths. The crawl completes, the other host is never asked for anything, the site is asked only for its
own pages, and nothing is written outside the output directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest

from kei_crawler import urls
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.faulty_site import FaultySite, Rendered

PATH_TITLE = "../../../../tmp/kei-escape/..%2f..%2fx"
NEVER_REQUESTED = ("..", "%2e", "%2f", "%5c", "passwd", "admin", "\\", "other-brief", "userinfo", "backslash")


def hostile_links(site: str, evil: str, near: str) -> list[str]:
    """Links off the site ``site`` (host:port): to ``evil`` (another host) and ``near`` (its address, another
    port), and to paths, schemes and encodings that must never be requested."""
    return [
        "../../etc/passwd", "/the-peninsula/../../etc/passwd", "/the-peninsula/%2e%2e/%2e%2e/admin",
        "/the-peninsula/%2E%2E/", "/the-peninsula/a%2F..%2F..%2Fadmin/", "/the-peninsula/a%5C..%5Cadmin/",
        "/the-peninsula/page/" + "9" * 5000 + "/", "/the-peninsula/?post%5Bpaged%5D=%C2%B2",
        "javascript:alert(1)", " JavaScript:location='//evil.example/'", "file:///etc/passwd",
        f"file://{site}/the-peninsula/page/2/", f"ftp://{site}/the-peninsula/page/3/", "data:text/html,<a href=/x>x</a>",
        "mailto:someone@example.org", "tel:+1", f"http://{evil}/the-peninsula/other-brief/",
        f"http://{evil}/the-peninsula/page/2/", f"http://{evil}/the-peninsula/?post%5Bpaged%5D=2",
        f"//{evil}/the-peninsula/scheme-relative/", f"http://{site}@{evil}/the-peninsula/userinfo/",
        f"http://{evil}\\@{site}/the-peninsula/backslash/", f"http:\\\\{evil}\\the-peninsula\\page\\2\\",
        f"http://{evil}/", "https://keia.org/the-peninsula/the-real-site/", "http://[::1/the-peninsula/x/",
        f"http://{near}/the-peninsula/same-address-other-port/", f"http://{near}/the-peninsula/page/4/",
        f"https://{site}/the-peninsula/page/5/",
    ]  # fmt: skip


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")} if root.exists() else set()


def test_a_hostile_listing_keeps_the_crawl_on_the_site(tmp_path: Path) -> None:
    site = build_site(20, theme="classic")
    # Another host by name, as on the web: Scrapy's own offsite guard (which redirects and meta refreshes
    # go through) compares host names, not ports; our link rules compare both (see docs/reliability.md).
    other = ReplicaServer(build_site(5, theme="classic"), host="127.0.0.2")
    near = ReplicaServer(build_site(5, theme="classic"))  # the site's address, another port
    other.start()
    near.start()
    main = ReplicaServer(site)  # started before the faults are set: they name its port
    main.start()
    try:
        evil = other.base_url
        listing, based, titled = "/the-peninsula/", site.briefs[4].path, site.briefs[5].path

        def hostile_listing(path: str, base: str) -> Rendered:
            code, headers, body = site.render(path, base)
            anchors = "".join(
                f'<a href="{href}">x</a>'
                for href in hostile_links(*(urlsplit(s.base_url).netloc for s in (main, other, near)))
            )
            junk = f'<base href="{evil}/"><p>{anchors}</p>'.encode()
            return code, headers, body.replace(b"</body>", junk + b"</body>", 1)

        def with_head(extra: bytes, path: str, base: str) -> Rendered:
            code, headers, body = site.render(path, base)
            return code, headers, body.replace(b"<head>", b"<head>" + extra, 1)

        def path_title(path: str, base: str) -> Rendered:
            code, headers, body = site.render(path, base)
            title = site.briefs[5].title.encode()
            return code, headers, body.replace(title, PATH_TITLE.encode())

        main.site = FaultySite(site, {  # type: ignore[assignment]
            listing: hostile_listing,
            based: lambda p, b: with_head(f'<base href="{evil}/">'.encode(), p, b),
            titled: path_title,
        })  # fmt: skip
        around = _files(tmp_path.parent) - _files(tmp_path)
        here = set(os.listdir())
        done = run_crawl(main.base_url, tmp_path / "out", timeout=300)
    finally:
        main.stop()
        other.stop()
        near.stop()

    assert done.returncode in (0, 5, 7), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert other.requests == [] and near.requests == []
    requested = [r.path for r in main.requests]
    for path in requested:
        photo = path.startswith("/wp-content/uploads/")  # the briefs' own photos, on the site's host
        assert path == "/robots.txt" or urls.is_brief_url(path) or urls.is_listing_url(path) or photo, path
        assert not any(bad in path.lower() for bad in NEVER_REQUESTED), path
    assert not [path for path in requested if path.startswith("/the-peninsula/page/")]  # query pagination

    ref = store.latest(tmp_path / "out")
    assert ref is not None
    rows = {row["slug"]: row for row in pq.read_table(ref.path).to_pylist()}
    # Every brief captured, the one with an off-site <base> with its photo still on the site. The one error
    # is the https:// link to the site's own host and port, which speaks plain http: a failed request to
    # the site, counted, not a request elsewhere (same_site takes either scheme: old pages link to http://).
    assert rows[site.briefs[4].slug]["photo_url"].startswith("https://keia.org/wp-content/")
    assert rows[site.briefs[5].slug]["title"] == PATH_TITLE
    assert len(rows) == 20
    errors = json.loads(store.metadata(ref.path)["counts"])["errors"]
    assert [(e["kind"], urlsplit(e["url"])[:3]) for e in errors] == [
        ("listing", ("https", urlsplit(main.base_url).netloc, "/the-peninsula/page/5/"))
    ]

    # Written: the output directory only. Around it (tmp_path's siblings, the working directory): nothing.
    assert _files(tmp_path.parent) - _files(tmp_path) == around
    assert set(os.listdir()) - here <= {".pytest_cache"}
    assert {p.relative_to(tmp_path).parts[0] for p in _files(tmp_path)} == {"out"}
    assert not Path("/tmp/kei-escape").exists()


@pytest.mark.parametrize("value", ["../../x", "a/b", ".."])
def test_the_crawl_command_refuses_a_path_as_crawl_id(tmp_path: Path, value: str) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-m", "kei_crawler", "crawl", "--base-url", "http://127.0.0.1:9",
         "--output-dir", "out", "-s", f"KEI_CRAWL_ID={value}"],
        cwd=work, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "KEI_CRAWL_ID must be a crawl id like" in done.stderr
    assert _files(tmp_path) == {tmp_path / "a", work}  # nothing written, not even the output directory


@pytest.mark.parametrize("target", ["other-host", "other-port", "javascript"])
def test_a_brief_that_refreshes_off_the_site_is_reported(tmp_path: Path, target: str) -> None:
    site = build_site(12, theme="classic")
    brief = site.briefs[3]
    with ReplicaServer(build_site(5), host="127.0.0.1" if target == "other-port" else "127.0.0.2") as other:
        url = "javascript:alert(1)" if target == "javascript" else f"{other.base_url}/the-peninsula/"
        refresh = f'<meta http-equiv="refresh" content="0;url={url}">'.encode()

        def refreshing(path: str, base: str) -> Rendered:
            code, headers, body = site.render(path, base)
            return code, headers, body.replace(b"<head>", b"<head>" + refresh, 1)

        with ReplicaServer(FaultySite(site, {brief.path: refreshing})) as server:  # type: ignore[arg-type]
            done = run_crawl(server.base_url, tmp_path / "out")
        assert other.requests == []
    assert done.returncode == 7, done.stderr[-3000:]  # published, with the error reported
    ref = store.latest(tmp_path / "out")
    assert ref is not None
    counts = json.loads(store.metadata(ref.path)["counts"])
    assert {e["url"].split("/")[-2]: e["reason"] for e in counts["errors"]} == {
        brief.slug: "offsite_redirect"
    }
