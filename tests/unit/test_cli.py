"""The command line's contract, driven in-process: parse_args and main, bad input as one-line errors."""

from pathlib import Path

import pytest

from kei_crawler import commands as cli
from kei_crawler.commands import crawl as crawl_command
from kei_crawler.commands.arguments import load_config, project_settings
from kei_crawler.run.outcome import EXIT_CODES, ExitCode


def test_crawl_arguments() -> None:
    args = cli.parse_args(
        [
            "crawl",
            "--base-url",
            "http://127.0.0.1:9",
            "--output-dir",
            "out",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "A=b=c",
        ]
    )
    assert args.command == "crawl"
    assert crawl_command.crawl_overrides(args) == {
        "DOWNLOAD_DELAY": "0",
        "A": "b=c",
        "KEI_BASE_URL": "http://127.0.0.1:9",
        "KEI_OUTPUT_DIR": "out",
    }


@pytest.mark.parametrize(("flag", "mode"), [("--full", "full"), ("--revalidate", "revalidate")])
def test_mode_flags(flag: str, mode: str) -> None:
    assert crawl_command.crawl_overrides(cli.parse_args(["crawl", flag]))["KEI_MODE"] == mode


def test_mode_flags_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.parse_args(["crawl", "--full", "--revalidate"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_base_url_given_as_a_setting_is_checked_too() -> None:
    args = cli.parse_args(["crawl", "-s", "KEI_BASE_URL=keia.org"])
    with pytest.raises(cli.UsageError, match="http"):
        load_config(project_settings(crawl_command.crawl_overrides(args)))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["crawl", "--base-url", "ftp://keia.org"], "--base-url must be an http(s) URL"),
        (["crawl", "--base-url", "not a url"], "--base-url must be an http(s) URL"),
        (["crawl", "-s", "NOVALUE"], "-s expects NAME=VALUE"),
        (["crawl", "-s", "=1"], "-s expects NAME=VALUE"),
        (
            ["crawl", "-s", "KEI_MODE=sometimes"],
            "KEI_MODE must be one of auto, full, incremental, revalidate",
        ),
        (["demo", "--briefs", "0"], "--briefs must be at least 10"),
        (["demo", "--theme", "gothic"], "--theme must be one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = cli.main([*argv, "--output-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert err.startswith("kei-crawler: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_output_dir_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = cli.main(["crawl", "--output-dir", str(blocker)])
    assert code == ExitCode.USAGE
    assert "is not a directory" in capsys.readouterr().err


def test_output_dir_that_cannot_be_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = cli.main(["crawl", "--output-dir", str(blocker / "sub")])
    assert code == ExitCode.USAGE
    assert "cannot create it" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["fly"], "kei-crawler: argument COMMAND: invalid choice: 'fly'"),
        ([], "kei-crawler: the following arguments are required: COMMAND"),
        (["crawl", "--bogus"], "kei-crawler: unrecognized arguments: --bogus"),
        (["diff", "--format", "xml"], "kei-crawler: diff: argument --format: invalid choice: 'xml'"),
        (["feed", "--output", "f.xml", "--limit", "abc"], "kei-crawler: feed: argument --limit: invalid int"),
        (["crawl", "--full", "--revalidate"], "kei-crawler: crawl: argument --revalidate: not allowed with"),
        (["demo", "--briefs"], "kei-crawler: demo: argument --briefs: expected one argument"),
    ],
)
def test_what_argparse_refuses_is_one_line_and_exit_2(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.parse_args(argv)
    assert exc.value.code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(says) and "--help`)" in err, err


def test_crawl_help_lists_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` is made from EXIT_CODES, the place the README's table is also checked against."""
    with pytest.raises(SystemExit):
        cli.parse_args(["crawl", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for code, meaning in EXIT_CODES.items():
        plain = " ".join(meaning.replace("**", "").replace("`", "").split())
        assert f"{code.value} {plain}" in shown
