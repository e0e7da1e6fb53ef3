"""Every setting the crawler reads is checked for type and range before anything starts (issue 14, points 8
and 9): one line naming the setting, the value and what is expected; exit 2; nothing created."""

from __future__ import annotations

from pathlib import Path

import pytest

from kei_crawler import commands as cli
from kei_crawler.commands.arguments import UsageError, load_config, project_settings, setting_overrides
from kei_crawler.run.outcome import ExitCode

REFUSED = [
    ("CONCURRENT_REQUESTS", "abc"),
    ("CONCURRENT_REQUESTS", "0"),
    ("CONCURRENT_REQUESTS", "-1"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "-3"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "0"),
    ("CONCURRENT_ITEMS", "0"),
    ("KEI_WARC_ENABLED", "maybe"),
    ("KEI_OVERLAP_PAGES", "abc"),
    ("KEI_RETRY_BACKOFF_BASE", "nan"),
    ("KEI_RETRY_MAX_WAIT", "inf"),
    ("LOG_LEVEL", "BOGUS"),
    ("LOG_LEVEL", "info"),
    ("DOWNLOAD_DELAY", "-1"),
    ("DOWNLOAD_DELAY", "nan"),
    ("DOWNLOAD_DELAY", "inf"),
    ("DOWNLOAD_DELAY_JITTER", "2"),
    ("DOWNLOAD_TIMEOUT", "0"),
    ("DOWNLOAD_TIMEOUT", "soon"),
    ("DOWNLOAD_MAXSIZE", "-5"),
    ("RETRY_TIMES", "x"),
    ("RETRY_TIMES", "-1"),
    ("RETRY_ENABLED", "maybe"),
    ("RETRY_HTTP_CODES", "abc"),
    ("RETRY_HTTP_CODES", "500,9999"),
    ("REDIRECT_MAX_TIMES", "-1"),
    ("ROBOTSTXT_OBEY", "maybe"),
    ("AUTOTHROTTLE_ENABLED", "perhaps"),
    ("AUTOTHROTTLE_TARGET_CONCURRENCY", "0"),
    ("AUTOTHROTTLE_START_DELAY", "-2"),
    ("AUTOTHROTTLE_MAX_DELAY", "x"),
    ("DEPTH_LIMIT", "x"),
    ("DEPTH_LIMIT", "-1"),
    ("CLOSESPIDER_TIMEOUT", "x"),
    ("CLOSESPIDER_PAGECOUNT", "-4"),
    ("CLOSESPIDER_ITEMCOUNT", "1.5"),
    ("HTTPCACHE_ENABLED", "maybe"),
    ("HTTPCACHE_EXPIRATION_SECS", "-1"),
    ("MEMUSAGE_LIMIT_MB", "lots"),
    ("TELNETCONSOLE_PORT", "telnet"),
    ("DOWNLOAD_SLOTS", "not json"),
    ("SCHEDULER", "no.such.module.Scheduler"),
    ("DUPEFILTER_CLASS", "nonsense"),
    ("LOG_FORMATTER", "os.path"),
]


@pytest.mark.parametrize(("name", "value"), REFUSED)
def test_a_bad_value_is_one_line_naming_setting_value_and_expectation(name: str, value: str) -> None:
    with pytest.raises(UsageError) as refused:
        load_config(project_settings({name: value}))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{name} must be ")
    assert message.endswith(f"got {value!r}")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CONCURRENT_REQUESTS", "1"),
        ("CONCURRENT_REQUESTS_PER_DOMAIN", "16"),
        ("DOWNLOAD_DELAY", "0"),
        ("DOWNLOAD_DELAY", "0.25"),
        ("DOWNLOAD_TIMEOUT", "0.5"),
        ("LOG_LEVEL", "DEBUG"),
        ("LOG_LEVEL", "WARNING"),
        ("RETRY_TIMES", "0"),
        ("RETRY_HTTP_CODES", "500,503"),
        ("ROBOTSTXT_OBEY", "False"),
        ("AUTOTHROTTLE_ENABLED", "0"),
        ("DEPTH_LIMIT", "0"),
        ("CLOSESPIDER_TIMEOUT", "2.5"),
        ("JOBDIR", "somewhere"),
        ("USER_AGENT", "anything at all"),
        ("KEI_WARC_ENABLED", "false"),
        ("KEI_CANONICAL_ORIGIN", "https://keia.org/"),
        ("KEI_CANONICAL_ORIGIN", "http://127.0.0.1:8123"),
        ("KEI_BASE_URL", "http://[::1]:8123"),
    ],
)
def test_a_good_value_passes(name: str, value: str) -> None:
    load_config(project_settings({name: value}))


@pytest.mark.parametrize(
    "origin",
    [
        "notaurl",
        "keia.org",
        "ftp://keia.org",
        "https://keia.org/the-peninsula/",
        "https://keia.org/?x=1",
        "https://keia.org/#top",
        "https://user@keia.org",
        "https://keia.org:notaport",
        "https://keia.org:99999",
        "https:///the-peninsula/",
        "http://ke ia.org",
    ],
)
@pytest.mark.parametrize("name", ["KEI_CANONICAL_ORIGIN", "KEI_BASE_URL"])
def test_an_origin_is_scheme_host_and_port_only(name: str, origin: str) -> None:
    """Point 9: canonical URLs and brief_ids are built on this origin; anything else made relative URLs."""
    with pytest.raises(UsageError, match=f"^{name} must be an http"):
        load_config(project_settings({name: origin}))


def test_a_misspelled_scrapy_setting_warns_naming_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    assert setting_overrides(["DOWNLAOD_DELAY=0"]) == {"DOWNLAOD_DELAY": "0"}
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kei-crawler: warning: ")
    assert "DOWNLAOD_DELAY" in err and "did you mean DOWNLOAD_DELAY?" in err


def test_a_misspelled_kei_setting_is_refused_naming_the_closest() -> None:
    with pytest.raises(
        UsageError, match=r"^unknown setting KEI_WARC_ENABLE .*did you mean KEI_WARC_ENABLED\?"
    ):
        setting_overrides(["KEI_WARC_ENABLE=False"])


def test_known_settings_give_no_warning(capsys: pytest.CaptureFixture[str]) -> None:
    # Scrapy's, the project's settings.py, and ours.
    setting_overrides(["DOWNLOAD_DELAY=0", "SCHEDULER_START_DISK_QUEUE=x", "KEI_MODE=full", "LOG_LEVEL=INFO"])
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", ["crawl", "reextract", "demo"])
@pytest.mark.parametrize(
    "setting",
    ["CONCURRENT_REQUESTS=abc", "CONCURRENT_REQUESTS_PER_DOMAIN=-3", "KEI_CANONICAL_ORIGIN=notaurl"],
)
def test_every_command_refuses_before_anything_starts(
    command: str, setting: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(b"")
    argv = [command, *([str(warc)] if command == "reextract" else []), "--output-dir", str(out)]
    code = cli.main([*argv, "-s", setting, "-s", "DOWNLOAD_DELAY=0"])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert err.startswith(f"kei-crawler: {setting.partition('=')[0]} must be ") and err.count("\n") == 1
    assert not out.exists()  # no output directory, so no lock, no job directory, no request
