"""No comment, docstring or document cites a file the repository does not hold.

A path-like mention (``docs/schema.md``, ``storage/atomic.py``, ``tests/unit/test_pages.py``,
``BENCHMARKS.md``) must name a file under the repository root, the package, the tests, the docs or the
citing file's own folder: a file moved or renamed shows up here, not in a reader's dead end.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import ROOT

CITED = re.compile(
    r"(?<![\w/.<*-])((?:[\w.-]+/)+[\w.-]+\.(?:py|md|toml|cfg|cron|service|timer)|[A-Z][A-Z_-]+\.md)(?![\w/*>])"
)
SUFFIXES = {".py", ".md", ".toml", ".cfg", ".cron", ".service", ".timer"}
SKIPPED = {"fixtures", "output", "build"}  # besides hidden folders (.venv, .git, caches), .ci aside


def _citing_files() -> list[Path]:
    files = [
        path
        for path in ROOT.rglob("*")
        if path.is_file() and path.suffix in SUFFIXES and not _skipped(path.relative_to(ROOT).parts)
    ]
    return sorted([*files, ROOT / "Makefile", ROOT / ".ci" / "run"])


def _skipped(parts: tuple[str, ...]) -> bool:
    return any(part in SKIPPED or (part.startswith(".") and part != ".ci") for part in parts[:-1])


def _exists(cited: str, citing: Path) -> bool:
    places = (ROOT, ROOT / "kei_crawler", ROOT / "tests", ROOT / "docs", citing.parent)
    return any((place / cited).exists() for place in places)


@pytest.mark.parametrize("citing", _citing_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_cited_file_exists(citing: Path) -> None:
    text = citing.read_text(encoding="utf-8", errors="replace")
    missing = [
        f"line {text[: match.start()].count(chr(10)) + 1}: {match.group(1)}"
        for match in CITED.finditer(text)
        if not _exists(match.group(1), citing)
    ]
    assert missing == []


def test_a_dead_citation_is_found(tmp_path: Path) -> None:
    citing = tmp_path / "note.md"
    dead = "storage/" + "nowhere.py"  # spelt apart, or this file would cite it
    text = f"See `storage/atomic.py` and `{dead}`."
    found = [m.group(1) for m in CITED.finditer(text) if not _exists(m.group(1), citing)]
    assert found == [dead]
