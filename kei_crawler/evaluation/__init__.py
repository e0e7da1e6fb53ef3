"""``kei-crawler evaluate``: our extractor scored per field on the gold set, beside trafilatura/htmldate.

scoring.py holds the pure rules, gold.py reads the fixtures, baseline.py wraps trafilatura, runner.py times
and scores, render.py prints. ``run_evaluate`` is what the CLI calls.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console

from kei_crawler.evaluation.gold import GoldPage, GoldSetError, load_gold_set
from kei_crawler.evaluation.render import as_json, print_report
from kei_crawler.evaluation.runner import Evaluation, evaluate
from kei_crawler.evaluation.scoring import aggregate, boilerplate_found, score_page, token_f1

__all__ = ["Evaluation", "GoldPage", "GoldSetError", "aggregate", "boilerplate_found", "evaluate",
           "load_gold_set", "run_evaluate", "score_page", "token_f1"]  # fmt: skip


def run_evaluate(console: Console, folder: Path, *, baseline: bool, fmt: str, repeat: int) -> int:
    """Print the report; always 0 once scoring ran (it is a report, not a gate). GoldSetError otherwise."""
    ev = evaluate(folder, load_gold_set(folder), baseline=baseline, repeat=repeat)
    if fmt == "json":
        sys.stdout.write(json.dumps(as_json(ev), ensure_ascii=False, indent=2) + "\n")
    else:
        print_report(console, ev)
    return 0
