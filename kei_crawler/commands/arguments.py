"""What the commands share: the one-line usage error and the checks of common arguments."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from kei_crawler.config import ConfigError, KeiConfig, check_path
from kei_crawler.setting_checks import checked_config, set_from_command_line, unknown_setting


class UsageError(Exception):
    """Bad input from the user; the message is printed as one line and the command exits 2."""


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"-s expects NAME=VALUE, got {text!r}")
    return name.strip(), value


def setting_overrides(texts: list[str]) -> dict[str, str]:
    """``-s NAME=VALUE`` arguments as settings. A name nothing reads is a one-line warning naming the
    closest known setting, or a UsageError for an unknown ``KEI_*`` name (see setting_checks)."""
    overrides = dict(parse_setting(text) for text in texts)
    for name in overrides:
        try:
            warning = unknown_setting(name)
        except ConfigError as exc:
            raise UsageError(str(exc)) from exc
        if warning:
            print(f"kei-crawler: warning: {warning}", file=sys.stderr)
    return overrides


def add_settings(parser: argparse.ArgumentParser, what: str = "a Scrapy or KEI_* setting") -> None:
    parser.add_argument(
        "-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
        help=f"set {what}, as `scrapy crawl -s` does (repeatable)",
    )  # fmt: skip


def add_output_dir(parser: argparse.ArgumentParser, default: str = "KEI_OUTPUT_DIR, output") -> None:
    parser.add_argument("--output-dir", help=f"snapshots, runs and WARCs go here (default: {default})")


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """kei_crawler.settings, then ``overrides`` at command-line priority (as ``scrapy crawl -s`` does).

    Built from the module rather than scrapy.cfg so the installed console script works from any folder.
    """
    settings = Settings()
    settings.setmodule("kei_crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        try:
            set_from_command_line(settings, name, value)
        except ConfigError as exc:
            raise UsageError(str(exc)) from exc
    return settings


def load_config(settings: Settings) -> KeiConfig:
    """Every setting checked, Scrapy's and ours, before anything starts; the KEI_* ones typed. UsageError
    names the first bad one."""
    try:
        return checked_config(settings)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def path_argument(flag: str, text: str) -> Path:
    """``text`` as a path, refused when it is empty or not UTF-8 (``config.check_path``)."""
    try:
        return Path(check_path(flag, text))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def check_output_dir(path: str) -> Path:
    out = path_argument("--output-dir", path)
    try:
        if out.exists() and not out.is_dir():
            raise UsageError(f"--output-dir {path}: exists and is not a directory")
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--output-dir {path}: cannot create it ({exc.strerror})") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"--output-dir {path}: not writable")
    return out


def output_dir_of(args: argparse.Namespace) -> str:
    """``--output-dir``, else ``KEI_OUTPUT_DIR``'s default: the commands that read an archive. An empty
    one is refused rather than read as the default."""
    if args.output_dir is None:
        return KeiConfig().output_dir
    return str(path_argument("--output-dir", args.output_dir))
