"""The scheduling recipes (contrib/, docs/scheduling.md), each tested as far as this machine allows.

The cron line and the systemd units are parsed, their command lines go through the CLI's own parser
(tests/unit/test_scheduling.py), and the same commands, pointed at the replica, are run for real here. Scrapyd is tested end to end: a real
``scrapyd`` on 127.0.0.1, the project deployed with ``scrapyd-deploy``, a crawl of the replica scheduled
through ``schedule.json``, and its snapshot and run manifest found on disk.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from kei_crawler.replica import ReplicaServer, build_site
from kei_crawler.run.outcome import ExitCode
from kei_crawler.storage.snapshot import store
from tests.support import ROOT
from tests.support.crawling import speed_args
from tests.support.recipes import (
    SERVICES,
    SYSTEMD,
    TIMERS,
    declares_scrapy_entry_point,
    exec_start,
    load_unit,
    split_redirection,
    the_cron_job,
)

BRIEFS = 20
# What the recipes run is /opt/kei-crawler/.venv/bin/kei-crawler; here, this interpreter runs the same code.
KEI_CRAWLER = [sys.executable, "-m", "kei_crawler"]


# --- cron ------------------------------------------------------------------------------------------


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
    assert done.returncode == ExitCode.OK, written[-3000:]
    assert done.stdout == done.stderr == ""  # nothing for cron to mail: it is all in the log
    snapshot = store.latest(tmp_path / "out")
    assert snapshot is not None
    assert str(snapshot.path) in written
    assert pq.read_metadata(snapshot.path).num_rows == BRIEFS


# --- systemd ---------------------------------------------------------------------------------------


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
    assert first.returncode == ExitCode.OK, first.stderr[-3000:]
    assert second.returncode == ExitCode.NOTHING_NEW, second.stderr[-3000:]
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
