"""``notify`` end to end (issue 16, the first "must hold"): a full crawl of the replica; it publishes 3
briefs dated in the past, edits 1 and removes 1; two crawls pick those up; one ``notify`` to a real SMTP
server and a webhook receiver on 127.0.0.1 tells each, in one message, all five; a second sends nothing;
a receiver that fails keeps its cursor and gets everything once it works again."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from kei_crawler.monitor.notify import cursor_name
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.replica.model import Brief
from kei_crawler.run import cursors
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support.crawling import run_crawl
from tests.support.receivers import MailServer, Webhook


def notify(out: Path, *urls: str) -> subprocess.CompletedProcess[str]:
    targets = [arg for url in urls for arg in ("--url", url)]
    return subprocess.run(
        [sys.executable, "-m", "kei_crawler", "notify", "--output-dir", str(out), *targets],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def backdated(briefs: list[Brief]) -> list[Brief]:
    """Briefs that appear late with older publication dates (as the issue saw: three dated 2020-12)."""
    for day, brief in enumerate(briefs, start=1):
        brief.published = date(2020, 12, day)
    return briefs


def names(text: str, *briefs: Brief) -> bool:
    return all(brief.title in text for brief in briefs)


def test_one_notify_tells_each_target_everything_since_the_first_crawl_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(24, theme="flat")
    with ReplicaServer(site) as server, MailServer() as mail, Webhook() as hook:
        assert run_crawl(server.base_url, out, "--full").returncode == ExitCode.OK
        with site.lock:
            new = backdated(site.publish(3))
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK  # the three new briefs
        edited, removed = site.briefs[8], site.briefs[12]
        site.edit(edited.slug)
        site.remove(removed.slug)
        second = run_crawl(server.base_url, out, "--revalidate")
        assert second.returncode == ExitCode.OK, second.stderr[-3000:]
        assert len(store.list_snapshots(out)) == 3

        done = notify(out, mail.url, hook.url)
        assert done.returncode == ExitCode.OK, done.stderr
        assert done.stderr == ""
        assert len(mail.messages) == 1 and len(hook.received) == 1
        title = "The Peninsula: 3 new, 1 changed, 1 removed"
        assert str(mail.messages[0]["subject"]) == title == hook.received[0]["title"]
        for text in (html.unescape(mail.texts()[0]), hook.received[0]["message"]):
            assert names(text, *new, edited, removed), text
            assert "### New (3)" in text or "New (3)" in text
            assert "body +" in text  # which field of the edited brief changed
        assert all(brief.published.isoformat() in hook.received[0]["message"] for brief in new)

        again = notify(out, mail.url, hook.url)
        assert again.returncode == ExitCode.NOTHING_NEW, again.stderr
        assert len(mail.messages) == 1 and len(hook.received) == 1
        assert "nothing new" in again.stdout

        # A receiver answering 500: its cursor stays, the other target is told, the exit code says so.
        layout, newest = OutputLayout.of(out), store.latest(out)
        assert newest is not None
        latest_brief = backdated(site.publish(1))[0]
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK
        hook.status = 500
        failed = notify(out, mail.url, hook.url)
        assert failed.returncode == ExitCode.NOT_PUBLISHED
        [line] = failed.stderr.splitlines()
        assert line.startswith("kei-crawler: notification to json://127.0.0.1:") and "500" in line, line
        assert len(mail.messages) == 2 and names(mail.texts()[1], latest_brief)
        held = cursors.read(layout, cursor_name(hook.url))
        assert held is not None and held.crawl_id == newest.crawl_id
        assert "last_failure" in held.extra

        # Once it works, the next notify sends it everything it missed, in one message, and the mail
        # server only what came since its last one.
        hook.status = 200
        later_brief = backdated(site.publish(1))[0]
        assert run_crawl(server.base_url, out).returncode == ExitCode.OK
        retried = notify(out, mail.url, hook.url)
        assert retried.returncode == ExitCode.OK, retried.stderr
        assert len(hook.received) == 2 and len(mail.messages) == 3
        assert hook.received[1]["title"] == "The Peninsula: 2 new"
        assert names(hook.received[1]["message"], latest_brief, later_brief)
        assert names(mail.texts()[2], later_brief) and latest_brief.title not in mail.texts()[2]
        moved = cursors.read(layout, cursor_name(hook.url))
        assert moved is not None and moved.crawl_id > newest.crawl_id and "last_failure" not in moved.extra
    # No secret of a URL is written in clear: cursors are named from a hash, and keep the URL redacted.
    assert sorted(p.name for p in (out / "cursors").glob("*.json")) == sorted(
        f"{cursor_name(url)}.json" for url in (mail.url, hook.url)
    )


def test_crawl_notify_reports_a_failed_delivery_after_publishing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = build_site(12, theme="flat")
    with ReplicaServer(site) as server, Webhook() as hook:
        assert run_crawl(server.base_url, out, "--notify", hook.url).returncode == ExitCode.OK
        assert hook.received == []  # the first crawl is the archive, not news
        site.publish(2)
        hook.status = 500
        failed = run_crawl(server.base_url, out, "--notify", hook.url)
        assert failed.returncode == ExitCode.NOT_NOTIFIED, failed.stderr[-3000:]
        newest = store.latest(out)
        assert newest is not None and len(store.list_snapshots(out)) == 2  # published all the same
        assert failed.stdout.rstrip("\n").splitlines()[-1] == str(newest.path)
        [said] = [
            line for line in failed.stderr.splitlines() if "error=500" in line
        ]  # once, not in the log too
        assert said.startswith("kei-crawler: notification to json://127.0.0.1:"), said
        hook.status = 200
        sent = run_crawl(server.base_url, out, "--notify", hook.url)
        assert sent.returncode == ExitCode.NOTHING_NEW, sent.stderr[-3000:]  # the crawl's own code
        assert [message["title"] for message in hook.received] == ["The Peninsula: 2 new"]
