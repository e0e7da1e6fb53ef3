"""Hostile HTML served in a crawl: a replica with some briefs replaced by hostile pages (the table in
tests/support/hostile_pages.py) publishes, and reports each as captured correctly or as a counted drop —
never a traceback. The page objects on the same pages: tests/unit/test_hostile_html.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.faulty_site import FaultySite, Rendered
from tests.support.hostile_pages import CASES, LEAK, Hostile


def test_a_crawl_with_hostile_briefs_publishes_and_reports_each(tmp_path: Path) -> None:
    site = build_site(40, theme="classic")
    served = [case for case in CASES if case.crawl]
    victims = {brief.path: case for brief, case in zip(site.briefs[2:], served, strict=False)}
    assert len(victims) == len(served)

    def hostile(case: Hostile) -> Callable[[str, str], Rendered]:
        def render(path: str, base: str) -> Rendered:
            code, headers, body = site.render(path, base)
            return code, headers, case.make(body)

        return render

    faulty = FaultySite(site, {path: hostile(case) for path, case in victims.items()})
    with ReplicaServer(faulty) as server:  # type: ignore[arg-type]
        done = run_crawl(server.base_url, tmp_path / "out", timeout=600)
    assert done.returncode in (0, 5, 7), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    ref = store.latest(tmp_path / "out")
    assert ref is not None
    rows = {row["slug"]: row for row in pq.read_table(ref.path).to_pylist()}
    truth = {brief.path: brief.expected() for brief in site.briefs}
    counts = json.loads(store.metadata(ref.path)["counts"])
    dropped = sum((counts.get("briefs_dropped") or {}).values())
    errors = {(e["url"].split("/")[-2], e["reason"]) for e in counts["errors"]}
    for path, case in victims.items():
        row = rows.get(truth[path]["slug"])
        if case.crawl_error:
            assert row is None and (truth[path]["slug"], case.crawl_error) in errors, case.name
            continue
        if case.keeps == "dropped":
            assert row is None, case.name
            assert path in done.stderr, case.name  # the log names the dropped page
            continue
        assert row is not None, case.name
        assert LEAK.decode() not in json.dumps(row, default=str), case.name
        if case.keeps == "exact":
            assert (row["title"], row["body"]) == (truth[path]["title"], truth[path]["body"]), case.name
    assert dropped == sum(case.keeps == "dropped" for case in victims.values())
    assert len(errors) == sum(bool(case.crawl_error) for case in victims.values())
    assert len(rows) == 40 - dropped - len(errors)
