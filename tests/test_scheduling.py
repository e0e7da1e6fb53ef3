"""The scheduling recipes (contrib/, docs/scheduling.md), each tested as far as this machine allows.

The cron line and the systemd units are parsed, their command lines go through the CLI's own parser, and
the same commands, pointed at the replica, are run for real. Scrapyd is tested end to end: a real
``scrapyd`` on 127.0.0.1, the project deployed with ``scrapyd-deploy``, a crawl of the replica scheduled
through ``schedule.json``, and its snapshot and run manifest found on disk.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from kei_crawler.commands import EXIT_NOTHING_NEW, EXIT_OK, EXIT_QUALITY_ALERT, parse_args
from kei_crawler.commands.demo import speed_args
from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.storage.snapshot import store

ROOT = Path(__file__).resolve().parent.parent
CRON_FILE = ROOT / "contrib" / "cron" / "kei-crawler.cron"
SYSTEMD = ROOT / "contrib" / "systemd"
SERVICES = ("kei-crawler.service", "kei-crawler-revalidate.service")
TIMERS = ("kei-crawler.timer", "kei-crawler-revalidate.timer")
# The codes after which a snapshot *was* published, but with something to say: systemd must not call
# these failures (SuccessExitStatus), yet they must stay distinguishable from a plain 0.
PUBLISHED_WITH_NOTE = {EXIT_QUALITY_ALERT, EXIT_NOTHING_NEW}
BRIEFS = 20
# What the recipes run is /opt/kei-crawler/.venv/bin/kei-crawler; here, this interpreter runs the same code.
KEI_CRAWLER = [sys.executable, "-m", "kei_crawler"]


# --- cron ------------------------------------------------------------------------------------------

CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
               ("day of week", 0, 7))  # fmt: skip


def cron_jobs(text: str) -> list[str]:
    """The job lines of a crontab: not comments, blanks or environment assignments (NAME=value)."""
    lines = [line.strip() for line in text.splitlines()]
    return [
        line
        for line in lines
        if line and not line.startswith("#") and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", line)
    ]


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


def split_redirection(command: str) -> tuple[list[str], str]:
    """The crontab command's words, and its shell redirection (" >> log 2>&1") kept as text."""
    words, sep, redirection = command.partition(" >> ")
    return shlex.split(words), sep + redirection


def the_cron_job() -> tuple[list[str], str]:
    jobs = cron_jobs(CRON_FILE.read_text())
    assert len(jobs) == 1, jobs
    *schedule, command = jobs[0].split(maxsplit=5)
    return schedule, command


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


def localized(argv: list[str], output_dir: Path, base_url: str) -> list[str]:
    """A recipe's crawl command pointed at the replica and a temporary directory, at local speed."""
    args = list(argv)
    args[args.index("--output-dir") + 1] = str(output_dir)
    return [*args, "--base-url", base_url, *speed_args()]


def test_cron_command_crawls_the_replica_through_a_shell(tmp_path: Path) -> None:
    """The crontab line itself, run by sh as cron would, with only its paths moved to tmp_path."""
    _, command = the_cron_job()
    log = tmp_path / "log" / "crawl.log"
    log.parent.mkdir()
    command = command.replace("/var/log/kei-crawler/crawl.log", str(log))
    assert str(log) in command
    argv, redirection = split_redirection(command)
    with ReplicaServer(build_site(BRIEFS)) as server:
        line = (
            shlex.join([*KEI_CRAWLER, *localized(argv[1:], tmp_path / "out", server.base_url)]) + redirection
        )
        done = subprocess.run(["/bin/sh", "-c", line], capture_output=True, text=True, timeout=120)
    written = log.read_text()
    assert done.returncode == EXIT_OK, written[-3000:]
    assert done.stdout == done.stderr == ""  # nothing for cron to mail: it is all in the log
    snapshot = store.latest(tmp_path / "out")
    assert snapshot is not None
    assert str(snapshot.path) in written
    assert pq.read_metadata(snapshot.path).num_rows == BRIEFS


# --- systemd ---------------------------------------------------------------------------------------


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


def test_a_second_run_with_nothing_new_is_a_unit_success(tmp_path: Path) -> None:
    """ExecStart for real, twice: the second run publishes with nothing new, which systemd must accept."""
    argv = exec_start(load_unit("kei-crawler.service"))
    codes = load_unit("kei-crawler.service")["Service"]["SuccessExitStatus"]
    success = {0} | {int(code) for code in codes.split()}
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    with ReplicaServer(build_site(BRIEFS)) as server:
        command = [*KEI_CRAWLER, *localized(argv[1:], tmp_path / "out", server.base_url)]
        runs = [subprocess.run(command, capture_output=True, text=True, timeout=120, env=env) for _ in "12"]
    first, second = runs
    assert first.returncode == EXIT_OK, first.stderr[-3000:]
    assert second.returncode == EXIT_NOTHING_NEW, second.stderr[-3000:]
    assert {first.returncode, second.returncode} <= success
    assert len(store.list_snapshots(tmp_path / "out")) == 2


def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    # verify checks that ExecStart's program exists and is executable, so point it at this venv's script
    # and the directories at tmp_path; everything else is checked as shipped.
    script = Path(sys.executable).with_name("kei-crawler")
    if not os.access(script, os.X_OK):
        pytest.skip(f"{script} is not installed (pip install -e .)")
    units = tmp_path / "units"
    units.mkdir()
    replacements = {
        "/opt/kei-crawler/.venv/bin/kei-crawler": str(script),
        "/opt/kei-crawler": str(tmp_path / "opt"),
        "/var/lib/kei-crawler": str(tmp_path / "state"),
    }
    for name in (*SERVICES, *TIMERS):
        text = (SYSTEMD / name).read_text()
        for old, new in replacements.items():
            text = text.replace(old, new)
        (units / name).write_text(text)
    (tmp_path / "opt").mkdir()
    done = subprocess.run(
        [analyze, "verify", *(str(units / name) for name in (*SERVICES, *TIMERS))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Unknown keys and bad values are only warnings (exit 0): fail on any line about these units.
    about_ours = [line for line in done.stderr.splitlines() if str(units) in line or "kei-crawler" in line]
    assert done.returncode == 0 and about_ours == [], done.stderr


# --- Scrapyd ---------------------------------------------------------------------------------------


def test_scrapy_cfg_deploys_to_the_default_local_scrapyd() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "scrapy.cfg")
    assert cfg["settings"]["default"] == "kei_crawler.settings"
    assert cfg["deploy"]["url"] == "http://localhost:6800/"
    assert cfg["deploy"]["project"] == "kei_crawler"


SCRAPY_ENTRY_POINT = ("scrapy", "settings", "kei_crawler.settings")


def declares_scrapy_entry_point() -> bool:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    group, name, value = SCRAPY_ENTRY_POINT
    return pyproject["project"].get("entry-points", {}).get(group, {}).get(name) == value


def test_pyproject_names_the_settings_module_for_scrapyd() -> None:
    """Scrapyd's runner reads the settings module from the egg's ``scrapy`` entry point and fails without it."""
    assert declares_scrapy_entry_point(), (
        'pyproject.toml needs [project.entry-points.scrapy] settings = "kei_crawler.settings" '
        "(see docs/scheduling.md, Scrapyd)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return dict(json.load(response))


def post_json(url: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as response:
        return dict(json.load(response))


def finished_jobs(scrapyd_url: str) -> set[str]:
    return {job["id"] for job in get_json(scrapyd_url + "listjobs.json?project=kei_crawler")["finished"]}


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    """A real Scrapyd on 127.0.0.1 with its own config, eggs, logs and databases under tmp_path."""
    pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install -e '.[dev]')")
    pytest.importorskip("scrapyd_client", reason="scrapyd-client is not installed (pip install -e '.[dev]')")
    if not declares_scrapy_entry_point():
        pytest.skip(
            "pyproject.toml lacks the scrapy entry point: see test_pyproject_names_the_settings_module"
        )
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    # Scrapyd reads ./scrapyd.conf from its working directory; poll often so the test does not wait 5 s.
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobs_to_keep = 5\npoll_interval = 0.2\nmax_proc = 1\n"
    )
    # No PYTHONPATH: the job must import kei_crawler from the deployed egg, as on a real Scrapyd server.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    log = (home / "scrapyd.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapyd", "--pidfile="],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if get_json(url + "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"scrapyd did not start:\n{(home / 'scrapyd.log').read_text()[-3000:]}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def project_copy(destination: Path, scrapyd_url: str) -> Path:
    """The files scrapyd-deploy builds the egg from, copied, with a [deploy:test] target for this Scrapyd.

    A copy because scrapyd-deploy builds in place (build/, egg-info, `setup.py clean`), and the working
    tree is not the test's to touch.
    """
    destination.mkdir()
    for name in ("pyproject.toml", "README.md", "setup.py"):
        shutil.copy2(ROOT / name, destination / name)
    shutil.copytree(
        ROOT / "kei_crawler", destination / "kei_crawler", ignore=shutil.ignore_patterns("__pycache__")
    )
    cfg = (ROOT / "scrapy.cfg").read_text()
    (destination / "scrapy.cfg").write_text(
        f"{cfg}\n[deploy:test]\nurl = {scrapyd_url}\nproject = kei_crawler\n"
    )
    return destination


def test_scrapyd_deploy_schedule_and_find_the_snapshot(tmp_path: Path, scrapyd: str) -> None:
    project = project_copy(tmp_path / "project", scrapyd)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    deploy = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "test", "--version", "r1"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert json.loads(deploy.stdout)["spiders"] == 1, deploy.stdout

    # What was deployed: this project's package and the settings entry point Scrapyd's runner needs.
    egg = tmp_path / "scrapyd" / "eggs" / "kei_crawler" / "r1.egg"
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert {"kei_crawler/spiders/peninsula.py", "kei_crawler/settings.py"} <= names
    assert re.search(r"^\[scrapy\]\s*\nsettings = kei_crawler\.settings$", entry_points, re.M), entry_points
    assert get_json(scrapyd + "listspiders.json?project=kei_crawler")["spiders"] == ["peninsula"]

    out = tmp_path / "out"
    with ReplicaServer(build_site(BRIEFS)) as server:
        settings = {"KEI_BASE_URL": server.base_url, "KEI_OUTPUT_DIR": str(out), "DOWNLOAD_DELAY": "0",
                    "AUTOTHROTTLE_ENABLED": "False"}  # fmt: skip
        scheduled = post_json(
            scrapyd + "schedule.json",
            [("project", "kei_crawler"), ("spider", "peninsula"),
             *(("setting", f"{name}={value}") for name, value in settings.items())],
        )  # fmt: skip
        assert scheduled["status"] == "ok", scheduled
        job = scheduled["jobid"]
        deadline = time.monotonic() + 90
        while job not in finished_jobs(scrapyd):
            assert time.monotonic() < deadline, "the Scrapyd job did not finish within 90 s"
            time.sleep(0.2)
        served = len(server.site.expected_records())

    job_log = tmp_path / "scrapyd" / "logs" / "kei_crawler" / "peninsula" / f"{job}.log"
    log_tail = job_log.read_text()[-3000:] if job_log.exists() else "(no job log)"
    snapshot = store.latest(out)
    assert snapshot is not None, log_tail
    assert snapshot.path.parent.parent == out / "snapshots"
    assert pq.read_metadata(snapshot.path).num_rows == served == BRIEFS
    manifests = list((out / "runs").glob("*.json"))
    assert len(manifests) == 1, log_tail
    manifest = json.loads(manifests[0].read_text())
    assert manifest["finish_reason"] == "finished" and manifest["published"], manifest
    assert Path(manifest["snapshot"]) == snapshot.path
    assert manifests[0].stem == manifest["crawl_id"]
