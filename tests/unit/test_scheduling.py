"""The scheduling recipes (contrib/, docs/scheduling.md) as shipped: the cron line and the systemd units
parsed, their command lines put through the CLI's own parser, and the Scrapyd deploy settings read.
Run for real against the replica and a real Scrapyd: tests/e2e/test_scheduling.py.
"""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from kei_crawler.commands import parse_args
from kei_crawler.run.outcome import ExitCode
from tests.support import ROOT
from tests.support.recipes import (
    SERVICES,
    SYSTEMD,
    declares_scrapy_entry_point,
    exec_start,
    load_unit,
    split_redirection,
    the_cron_job,
)

# The codes after which a snapshot *was* published, but with something to say: systemd must not call
# these failures (SuccessExitStatus), yet they must stay distinguishable from a plain 0.
PUBLISHED_WITH_NOTE = {ExitCode.QUALITY_ALERT, ExitCode.NOTHING_NEW, ExitCode.WITH_ERRORS}


# --- cron ------------------------------------------------------------------------------------------

CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
               ("day of week", 0, 7))  # fmt: skip


def cron_field_values(field: str, low: int, high: int) -> set[int]:
    """Expand one numeric crontab field (``*``, ``*/6``, ``1-5``, ``0,30``, ``1-10/2``); ValueError if bad."""
    values: set[int] = set()
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            start, end = low, high
        elif "-" in spec:
            start, end = (int(n) for n in spec.split("-", 1))
        else:
            start = end = int(spec)
            if step_text:
                end = high  # "5/10" means from 5 to the end, every 10
        if step < 1 or not low <= start <= end <= high:
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def test_cron_line_runs_every_six_hours() -> None:
    schedule, command = the_cron_job()
    assert len(schedule) == 5 and command
    expanded = [
        cron_field_values(f, low, high) for f, (_, low, high) in zip(schedule, CRON_FIELDS, strict=True)
    ]
    minute, hour, day, month, weekday = expanded
    assert len(minute) == 1
    assert sorted(hour) == [0, 6, 12, 18]
    assert (day, month, weekday) == (set(range(1, 32)), set(range(1, 13)), set(range(8)))
    # cron turns an unescaped % into a newline: the command would be cut short.
    assert "%" not in command


def test_cron_command_is_an_incremental_crawl_the_cli_accepts() -> None:
    _, command = the_cron_job()
    argv, redirection = split_redirection(command)
    assert argv[0] == "/opt/kei-crawler/.venv/bin/kei-crawler"
    args = parse_args(argv[1:])
    assert args.command == "crawl"
    assert args.mode is None  # incremental once a snapshot exists, full the first time
    assert args.output_dir == "/var/lib/kei-crawler"
    # The summary (stdout), Scrapy's log and the one-line errors (stderr) all land in one file.
    assert redirection == " >> /var/log/kei-crawler/crawl.log 2>&1"


# --- systemd ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SERVICES)
def test_service_runs_the_crawl_the_cli_accepts(name: str) -> None:
    service = load_unit(name)["Service"]
    assert service["Type"] == "oneshot"
    assert service["User"] == "kei-crawler"
    assert service["WorkingDirectory"] == "/opt/kei-crawler"
    argv = exec_start(load_unit(name))
    assert argv[0] == "/opt/kei-crawler/.venv/bin/kei-crawler"
    args = parse_args(argv[1:])
    assert args.command == "crawl"
    assert args.output_dir == "/var/lib/kei-crawler"
    assert args.settings == ["LOG_LEVEL=INFO"]
    assert args.mode == (None if name == "kei-crawler.service" else "revalidate")


@pytest.mark.parametrize("name", SERVICES)
def test_service_success_codes_are_exactly_the_published_with_a_note_ones(name: str) -> None:
    codes = {int(code) for code in load_unit(name)["Service"]["SuccessExitStatus"].split()}
    assert codes == PUBLISHED_WITH_NOTE


@pytest.mark.parametrize("name", SERVICES)
def test_service_may_write_only_its_output_directory(name: str) -> None:
    service = load_unit(name)["Service"]
    argv = exec_start(load_unit(name))
    output_dir = argv[argv.index("--output-dir") + 1]
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"].split() == [output_dir]
    assert Path("/var/lib", service["StateDirectory"]) == Path(output_dir)  # created, owned by User=
    assert service["ProtectHome"] == "yes" and service["NoNewPrivileges"] == "yes"
    assert service["IOSchedulingClass"] == "idle" and int(service["Nice"]) > 0


def test_revalidate_service_differs_only_in_its_mode() -> None:
    """The two services must not drift apart: same user, hardening and exit codes, one more flag."""
    plain, revalidate = (load_unit(name) for name in SERVICES)
    assert exec_start(revalidate) == [exec_start(plain)[0], "crawl", "--revalidate", *exec_start(plain)[2:]]
    same = {k: v for k, v in plain["Service"].items() if k != "ExecStart"}
    assert same == {k: v for k, v in revalidate["Service"].items() if k != "ExecStart"}
    # Queued together (at boot, after missed runs), the quick incremental run goes first.
    assert "kei-crawler.service" in revalidate["Unit"]["After"].split()


TIMER_CALENDARS = [
    ("kei-crawler.timer", "*-*-* 00/6:00:00"),
    ("kei-crawler-revalidate.timer", "Sun *-*-* 01:00:00"),
]


@pytest.mark.parametrize(("name", "calendar"), TIMER_CALENDARS)
def test_timer_starts_its_service(name: str, calendar: str) -> None:
    timer = load_unit(name)
    assert timer["Timer"]["OnCalendar"] == calendar
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["RandomizedDelaySec"]
    assert (SYSTEMD / timer["Timer"]["Unit"]).is_file()
    assert timer["Install"]["WantedBy"] == "timers.target"


# --- Scrapyd ---------------------------------------------------------------------------------------


def test_scrapy_cfg_deploys_to_the_default_local_scrapyd() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "scrapy.cfg")
    assert cfg["settings"]["default"] == "kei_crawler.settings"
    assert cfg["deploy"]["url"] == "http://localhost:6800/"
    assert cfg["deploy"]["project"] == "kei_crawler"


def test_pyproject_names_the_settings_module_for_scrapyd() -> None:
    """Scrapyd's runner reads the settings module from the egg's ``scrapy`` entry point and fails without it."""
    assert declares_scrapy_entry_point(), (
        'pyproject.toml needs [project.entry-points.scrapy] settings = "kei_crawler.settings" '
        "(see docs/scheduling.md, Scrapyd)"
    )
