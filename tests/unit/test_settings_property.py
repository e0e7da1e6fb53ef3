"""Random ``-s NAME=VALUE`` pairs over every setting the crawler reads: each is either refused before
anything starts — exit 2, one line naming the setting and the value — or read by Scrapy without error.

The other half of the property, that an accepted value gives a completed crawl, is checked with real
crawls of the replica in tests/e2e/test_settings_crawl.py.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kei_crawler import commands as cli
from kei_crawler.commands.arguments import UsageError, load_config, project_settings, setting_overrides
from kei_crawler.config import SETTINGS as KEI_SETTINGS
from kei_crawler.run.outcome import ExitCode
from kei_crawler.setting_checks import READERS, SCRAPY_SETTINGS

NAMES = sorted(SCRAPY_SETTINGS) + sorted(KEI_SETTINGS)
# Values that sit on the borders of the kinds: booleans in words, numbers at and past their ranges,
# JSON that is not an object, levels in the wrong case, import paths of nothing, URLs that are not origins.
EDGES = ["", " ", "0", "1", "-1", "-3", "2", "1.5", "-0.0", "1e9", "1e400", "nan", "inf", "-inf", "True",
         "true", "False", "yes", "maybe", "abc", "{}", "[]", "[1]", "null", '{"a": 1}', "500,503", "500,9999",
         "DEBUG", "debug", "BOGUS", "WARNING", "https://keia.org", "https://keia.org/x?y", "notaurl",
         "scrapy.core.scheduler.Scheduler", "no.such.Thing", "os.path", "full", "auto", "sometimes",
         "a\nb", "x" * 300, "../../etc"]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(st.characters(exclude_characters="\x00"), max_size=40),
)


def _names_value(message: str, value: str) -> bool:
    """The message ends with the value given, or the number it was read as (``KEI_OVERLAP_PAGES must be at
    least 1, got 0``)."""
    named = {repr(value)}
    for parse in (int, float):
        with contextlib.suppress(ValueError):
            named.add(repr(parse(value.strip())))
    return message.rpartition(" got ")[2] in named


def _main(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(argv)
    return code, err.getvalue()


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(NAMES), value=VALUES)
@example(name="KEI_OUTPUT_DIR", value="")  # found by CI: --output-dir, given too, took its place
def test_a_setting_is_refused_in_one_line_or_read_without_error(name: str, value: str) -> None:
    try:
        load_config(project_settings({name: value}))
    except UsageError as refused:
        message = str(refused)
        assert "\n" not in message and message.startswith(f"{name} must be ")
        assert _names_value(message, value)
        # the command says the same, in one line, before it creates anything
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "out"
            # --output-dir would take KEI_OUTPUT_DIR's place: that one is given alone
            where = [] if name == "KEI_OUTPUT_DIR" else ["--output-dir", str(out)]
            code, err = _main(["crawl", *where, "-s", f"{name}={value}"])
            assert code == ExitCode.USAGE
            assert err == f"kei-crawler: {message}\n"
            assert not out.exists()
        return
    # Accepted: Scrapy reads it as the kind the table declares, without error.
    expect = SCRAPY_SETTINGS.get(name)
    if expect is not None:
        READERS[expect.kind][0](project_settings({name: value}), name)


@settings(max_examples=200, deadline=None)
@given(name=st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}", fullmatch=True), value=st.sampled_from(["0", "x"]))
def test_any_name_is_known_warned_about_or_refused_in_one_line(name: str, value: str) -> None:
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            setting_overrides([f"{name}={value}"])
    except UsageError as refused:
        assert name.upper().startswith("KEI_") and "\n" not in str(refused)
        return
    assert err.getvalue().count("\n") <= 1
    if err.getvalue():
        assert err.getvalue().startswith(f"kei-crawler: warning: unknown setting {name} ")
