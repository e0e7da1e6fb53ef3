"""``notify`` without a network: the message it builds, and each target's cursor (what is sent from where,
what moves it, what a failure leaves). Delivery itself is replaced by a recording function; the real one,
through Apprise to an SMTP server and a webhook, is tests/e2e/test_notify.py."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kei_crawler.commands import main
from kei_crawler.config import KeiConfig
from kei_crawler.monitor import messages, notify
from kei_crawler.monitor.sources import Source
from kei_crawler.run import cursors
from kei_crawler.run.layout import OutputLayout
from kei_crawler.run.outcome import ExitCode, with_notifications
from kei_crawler.storage.snapshot.diff import diff_files
from tests.support.snapshots import brief, edit, write_snapshot

DAY1, DAY2, DAY3 = "2026-01-01T000000Z", "2026-01-02T000000Z", "2026-01-03T000000Z"
HOOK = "json://127.0.0.1:9/hook"
SECRET_MAIL = "mailto://user:hunter2@smtp.example.org?to=desk@example.org"


class Recorder:
    """Stands in for delivery: keeps what each target was sent; answers with an error for failing ones."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, messages.Message]] = []
        self.failing: set[str] = set()

    def __call__(self, target: notify.Target, message: messages.Message) -> str:
        if target.url in self.failing:
            return "error=500"
        self.sent.append((target.url, message))
        return ""


def archive(out: Path) -> Path:
    """Day 1: b0…b4. Day 2: b5 new, b1 edited. Day 3: b2 gone."""
    first = [brief(f"b{n}") for n in range(5)]
    write_snapshot(out, DAY1, first)
    second = [first[0], edit(first[1], body="A new body."), *first[2:], brief("b5")]
    write_snapshot(out, DAY2, second)
    write_snapshot(out, DAY3, [b for b in second if b.slug != "b2"])
    return out


def run(out: Path, recorder: Recorder, *urls: str, dry_run: bool = False) -> list[notify.Delivery]:
    return notify.notify(out, notify.targets(list(urls)), dry_run=dry_run, send=recorder)


def test_the_message_names_each_change_with_its_date_url_and_fields(tmp_path: Path) -> None:
    out = archive(tmp_path)
    old, new = (Source(c, out / "snapshots" / f"snapshot={c}" / "briefs.parquet") for c in (DAY1, DAY3))
    message = messages.build(diff_files(old.path, new.path), old, new)
    assert message.title == "The Peninsula: 1 new, 1 changed, 1 removed"
    assert "- 2025-05-01 [Title of b5](https://keia.org/the-peninsula/b5/)" in message.markdown
    assert "[Title of b1](https://keia.org/the-peninsula/b1/) — body +" in message.markdown
    assert "### Removed (1)" in message.markdown and "Title of b2" in message.markdown
    # Plain text: no link syntax, the URL on a line of its own.
    assert "- 2025-05-01 Title of b5\n  https://keia.org/the-peninsula/b5/\n" in message.text
    assert "](" not in message.text and "###" not in message.text


def test_a_long_list_is_cut_to_the_limit_and_says_how_many_more(tmp_path: Path) -> None:
    write_snapshot(tmp_path, DAY1, [brief("a")])
    write_snapshot(tmp_path, DAY2, [brief("a"), *(brief(f"n{n:02}") for n in range(25))])
    old, new = (Source(c, tmp_path / "snapshots" / f"snapshot={c}" / "briefs.parquet") for c in (DAY1, DAY2))
    message = messages.build(diff_files(old.path, new.path), old, new, limit=10)
    assert message.markdown.count("\n- 2025") == 10 and message.text.count("\n- 2025") == 10
    assert f"- … and 15 more (`kei-crawler diff {DAY1} {DAY2}`)" in message.markdown
    assert "### New (25)" in message.markdown


def test_markdown_goes_where_it_is_rendered_and_text_elsewhere() -> None:
    message = messages.Message("t", "**md**", "text")
    [hook, mail, syslog] = notify.targets([HOOK, SECRET_MAIL, "syslog://"])
    assert notify.body_for(hook, message)[0] == "**md**"
    assert notify.body_for(mail, message)[0] == "**md**"  # Apprise turns it into HTML
    assert notify.body_for(syslog, message)[0] == "text"


def test_a_target_is_named_by_a_hash_and_shown_without_its_secrets() -> None:
    [target] = notify.targets([SECRET_MAIL, f" {SECRET_MAIL} "])  # one target, however often given
    assert notify.cursor_name(SECRET_MAIL) == target.name and cursors.NAME.fullmatch(target.name)
    assert (
        "hunter2" not in target.name and "hunter2" not in target.shown and "smtp.example.org" in target.shown
    )


def test_an_unknown_url_is_refused_by_its_scheme_only() -> None:
    with pytest.raises(notify.NotifyError, match=r"nosuch://…") as refused:
        notify.targets(["nosuch://user:hunter2@host"])
    assert "hunter2" not in str(refused.value)


def test_the_first_notify_tells_everything_since_the_oldest_snapshot_then_nothing_twice(
    tmp_path: Path,
) -> None:
    out, recorder = archive(tmp_path), Recorder()
    [delivery] = run(out, recorder, HOOK)
    assert (delivery.status, delivery.old, delivery.new) == (notify.SENT, DAY1, DAY3)
    assert recorder.sent[0][1].title == "The Peninsula: 1 new, 1 changed, 1 removed"
    cursor = cursors.read(OutputLayout.of(out), notify.cursor_name(HOOK))
    assert cursor is not None and cursor.crawl_id == DAY3
    assert [d.status for d in run(out, recorder, HOOK)] == [notify.NOTHING_NEW]
    assert len(recorder.sent) == 1


def test_a_failed_delivery_keeps_the_cursor_and_the_next_one_sends_everything_since(tmp_path: Path) -> None:
    out, recorder = tmp_path, Recorder()
    first = [brief(f"b{n}") for n in range(3)]
    write_snapshot(out, DAY1, first)
    write_snapshot(out, DAY2, [*first, brief("new1")])
    run(out, recorder, HOOK, SECRET_MAIL)
    write_snapshot(out, DAY3, [*first, brief("new1"), brief("new2")])
    recorder.failing.add(HOOK)
    statuses = [d.status for d in run(out, recorder, HOOK, SECRET_MAIL)]
    assert statuses == [notify.FAILED, notify.SENT]  # the other target is told all the same
    layout = OutputLayout.of(out)
    held = cursors.read(layout, notify.cursor_name(HOOK))
    assert held is not None and held.crawl_id == DAY2 and held.extra["last_failure"]["error"] == "error=500"
    recorder.failing.clear()
    [retried, _] = run(out, recorder, HOOK, SECRET_MAIL)
    assert (retried.status, retried.old, retried.new) == (notify.SENT, DAY2, DAY3)
    assert "Title of new2" in recorder.sent[-1][1].markdown and recorder.sent[-1][0] == HOOK


def test_a_dry_run_shows_the_message_and_moves_nothing(tmp_path: Path) -> None:
    out, recorder = archive(tmp_path), Recorder()
    [delivery] = run(out, recorder, HOOK, dry_run=True)
    assert delivery.status == notify.DRY_RUN and delivery.message is not None and not recorder.sent
    assert not (out / "cursors").exists()


def test_quiet_crawls_move_the_cursor_without_a_message(tmp_path: Path) -> None:
    out, recorder = tmp_path, Recorder()
    for crawl_id in (DAY1, DAY2):
        write_snapshot(out, crawl_id, [brief("a")])
    assert [d.status for d in run(out, recorder, HOOK)] == [notify.NOTHING_NEW] and not recorder.sent
    cursor = cursors.read(OutputLayout.of(out), notify.cursor_name(HOOK))
    assert cursor is not None and cursor.crawl_id == DAY2


def test_a_cursor_whose_snapshot_is_gone_resends_rather_than_skips(tmp_path: Path) -> None:
    out, recorder = archive(tmp_path), Recorder()
    cursors.write(OutputLayout.of(out), notify.cursor_name(HOOK), "2026-01-02T120000Z")
    warned: list[str] = []
    [delivery] = notify.notify(out, notify.targets([HOOK]), send=recorder, warn=warned.append)
    assert (delivery.old, delivery.new) == (DAY2, DAY3)
    assert len(warned) == 1 and "2026-01-02T120000Z is gone" in warned[0]


def test_two_notifies_at_once_send_each_change_once(tmp_path: Path) -> None:
    out = archive(tmp_path)
    sent: list[str] = []

    def slow(target: notify.Target, message: messages.Message) -> str:
        time.sleep(0.5)  # long enough for the other run to reach the same cursor, were there no lock
        sent.append(message.title)
        return ""

    runs = [
        threading.Thread(target=notify.notify, args=(out, notify.targets([HOOK])), kwargs={"send": slow})
        for _ in range(2)
    ]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert sent == ["The Peninsula: 1 new, 1 changed, 1 removed"]


def test_the_command_exits_as_a_crawl_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = archive(tmp_path)
    assert main(["notify", "--output-dir", str(out), "--url", HOOK, "--dry-run"]) == ExitCode.OK
    shown = capsys.readouterr().out
    assert "dry run" in shown and "### Changed (1)" in shown
    assert main(["notify", "--output-dir", str(out)]) == ExitCode.USAGE
    assert "no target" in capsys.readouterr().err
    assert main(["notify", "--output-dir", str(out), "--url", "nosuch://x"]) == ExitCode.USAGE
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["notify", "--output-dir", str(empty), "--url", HOOK]) == ExitCode.USAGE
    assert capsys.readouterr().err.count("\n") == 2  # one line each


def test_a_failed_notification_after_a_crawl_is_its_own_exit_code_below_the_crawls_alerts() -> None:
    assert with_notifications(ExitCode.OK, failed=True) == ExitCode.NOT_NOTIFIED
    assert with_notifications(ExitCode.NOTHING_NEW, failed=True) == ExitCode.NOT_NOTIFIED
    assert with_notifications(ExitCode.QUALITY_ALERT, failed=True) == ExitCode.QUALITY_ALERT
    assert with_notifications(ExitCode.WITH_ERRORS, failed=True) == ExitCode.WITH_ERRORS
    assert with_notifications(ExitCode.OK, failed=False) == ExitCode.OK


@pytest.mark.parametrize(
    "value", ["json://a/x  mailto://b.org?to=c@d.org", ["json://a/x", "mailto://b.org?to=c@d.org"]]
)
def test_kei_notify_urls_is_a_list_from_the_command_line_or_a_settings_module(value: object) -> None:
    urls = KeiConfig.from_settings({"KEI_NOTIFY_URLS": value}).notify_urls
    assert urls == ("json://a/x", "mailto://b.org?to=c@d.org")


def test_the_setting_names_targets_for_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = archive(tmp_path)
    argv = ["notify", "--output-dir", str(out), "--dry-run", "-s", f"KEI_NOTIFY_URLS={HOOK} {SECRET_MAIL}"]
    assert main(argv) == ExitCode.OK
    shown = capsys.readouterr().out
    assert "json://127.0.0.1:9/hook: dry run" in shown and "mailto://user:****@smtp.example.org" in shown
    assert "hunter2" not in shown


def test_crawl_refuses_a_notify_url_apprise_does_not_know_before_crawling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "crawl",
        "--base-url",
        "http://127.0.0.1:9",
        "--output-dir",
        str(tmp_path),
        "--notify",
        "nosuch://x",
    ]
    assert main(argv) == ExitCode.USAGE
    assert capsys.readouterr().err.startswith("kei-crawler: --notify: not a notification URL Apprise knows")
    assert not (tmp_path / "snapshots").exists() and not (tmp_path / "runs").exists()


def test_nothing_is_written_through_a_cursors_folder_that_is_a_link(tmp_path: Path) -> None:
    out, elsewhere = archive(tmp_path / "out"), tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "cursors").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(notify.NotifyError, match="is a symbolic link"):
        run(out, Recorder(), HOOK)
    assert not any(elsewhere.iterdir())
