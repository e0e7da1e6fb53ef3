"""The scheduling recipes as shipped (contrib/cron, contrib/systemd, pyproject's Scrapyd entry point), read
the way cron, systemd and Scrapyd read them: for the recipe tests in tests/unit and tests/e2e."""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from typing import Any

from tests.support import ROOT

CRON_FILE = ROOT / "contrib" / "cron" / "kei-crawler.cron"
SYSTEMD = ROOT / "contrib" / "systemd"
SERVICES = ("kei-crawler.service", "kei-crawler-revalidate.service")
TIMERS = ("kei-crawler.timer", "kei-crawler-revalidate.timer")
SCRAPY_ENTRY_POINT = ("scrapy", "settings", "kei_crawler.settings")


def cron_jobs(text: str) -> list[str]:
    """The job lines of a crontab: not comments, blanks or environment assignments (NAME=value)."""
    lines = [line.strip() for line in text.splitlines()]
    return [
        line
        for line in lines
        if line and not line.startswith("#") and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", line)
    ]


def split_redirection(command: str) -> tuple[list[str], str]:
    """The crontab command's words, and its shell redirection (" >> log 2>&1") kept as text."""
    words, sep, redirection = command.partition(" >> ")
    return shlex.split(words), sep + redirection


def the_cron_job() -> tuple[list[str], str]:
    jobs = cron_jobs(CRON_FILE.read_text())
    assert len(jobs) == 1, jobs
    *schedule, command = jobs[0].split(maxsplit=5)
    return schedule, command


class _MultiDict(dict[str, Any]):
    """Keeps every value of a key given more than once, as systemd does (After=, Environment=, …).

    configparser stores each value as a list while it reads and joins them with newlines afterwards, so
    extending the list here turns ``After=a`` + ``After=b`` into ``"a\\nb"`` instead of keeping only ``b``.
    """

    def __setitem__(self, key: str, value: Any) -> None:
        if isinstance(value, list) and key in self and isinstance(self[key], list):
            self[key].extend(value)
        else:
            super().__setitem__(key, value)


def load_unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(
        strict=False,
        interpolation=None,  # systemd's %-specifiers are not configparser's
        dict_type=_MultiDict,
        empty_lines_in_values=False,
        comment_prefixes=("#", ";"),
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((SYSTEMD / name).read_text(), source=name)
    return parser


def exec_start(unit: configparser.ConfigParser) -> list[str]:
    return shlex.split(unit["Service"]["ExecStart"])


def declares_scrapy_entry_point() -> bool:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    group, name, value = SCRAPY_ENTRY_POINT
    return pyproject["project"].get("entry-points", {}).get(group, {}).get(name) == value
