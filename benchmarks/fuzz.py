"""``python -m benchmarks.fuzz --examples 5000``: the property tests of the URL rules, the page objects and
the sitemap and feed parsers, run with many more generated cases than the test suite runs, and how many
cases each property ran.

The properties themselves live beside their tests (``tests/unit/test_fuzz_urls.py``, ``tests/unit/test_fuzz_pages.py``,
``tests/unit/test_fuzz_xml.py``, each a ``PROPERTIES`` table); the suite and this script both run them through :func:`run_property`, so the
two cannot drift apart. Hypothesis stops a property early when its strategy has no more distinct cases to
give, so a count may be lower than ``--examples``; a failing property prints its falsifying example and
the script exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# The suite's budget per property: all fuzz tests together stay under a minute on a loaded 2-core machine.
SUITE_EXAMPLES = 60

Property = tuple[st.SearchStrategy[Any], Callable[[Any], None]]


def run_property(strategy: st.SearchStrategy[Any], check: Callable[[Any], None], examples: int) -> int:
    """Run ``check`` on ``examples`` cases drawn from ``strategy``; the number of cases it ran.

    No deadline (a loaded machine is slow, not wrong), no example database (no ``.hypothesis/`` folder in
    the work tree), and no health check that fails a slow or large strategy: hostile input is meant to be
    large.
    """
    ran = 0

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(strategy)
    def prop(value: Any) -> None:
        nonlocal ran
        ran += 1
        check(value)

    prop()
    return ran


def all_properties() -> dict[str, Property]:
    from tests.unit.test_fuzz_pages import PROPERTIES as PAGES
    from tests.unit.test_fuzz_urls import PROPERTIES as URLS
    from tests.unit.test_fuzz_xml import PROPERTIES as XML

    return {
        **{f"urls.{k}": v for k, v in URLS.items()},
        **{f"pages.{k}": v for k, v in PAGES.items()},
        **{f"xml.{k}": v for k, v in XML.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=5000, help="cases per property (default: 5000)")
    parser.add_argument("--only", default="", help="run the properties whose name contains this text")
    parser.add_argument("--format", default="text", choices=["text", "json"])
    args = parser.parse_args(argv)
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    failed: list[str] = []
    for name, (strategy, check) in all_properties().items():
        if args.only not in name:
            continue
        started = time.perf_counter()
        try:
            counts[name] = run_property(strategy, check, args.examples)
        except Exception as exc:  # report the falsifying example (hypothesis's notes) and go on
            failed.append(name)
            notes = "\n".join(getattr(exc, "__notes__", []))
            print(f"FAILED {name}: {type(exc).__name__}: {exc}\n{notes}", file=sys.stderr)
        seconds[name] = time.perf_counter() - started
        if args.format == "text" and name in counts:
            print(f"{name:40} {counts[name]:>8,} cases  {seconds[name]:7.1f} s", flush=True)
    if args.format == "json":
        print(json.dumps({"examples": args.examples, "cases": counts, "seconds": seconds, "failed": failed}))
    else:
        print(f"{'total':40} {sum(counts.values()):>8,} cases  {sum(seconds.values()):7.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
