"""The documentation and the code say the same thing: each table below is held equal to the code it
describes, so editing one side only fails here, naming the row that differs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kei_crawler.config import SETTINGS
from kei_crawler.items import FIELDS
from kei_crawler.run.outcome import EXIT_CODES
from kei_crawler.storage.snapshot import schema_docs

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
README_MAX_BYTES = 10 * 1024


def without_code_blocks(text: str) -> str:
    """The text outside ``` fences: tables and links in code examples are not the document's own."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def table(path: Path, header: list[str]) -> list[list[str]]:
    """The body rows of the Markdown table in ``path`` whose header row is ``header``, cells stripped,
    ``\\|`` read as ``|``."""
    rows: list[list[str]] | None = None
    for line in without_code_blocks(path.read_text("utf-8")).splitlines():
        if not line.startswith("|"):
            if rows is not None:
                break
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        if rows is None:
            if cells == header:
                rows = []
        elif not all(set(c) <= set("-: ") for c in cells):  # not the |---| line
            rows.append(cells)
    assert rows is not None, f"{path.name} has no table headed {' | '.join(header)}"
    return rows


def test_readme_exit_code_table_is_exit_codes() -> None:
    documented = table(README, ["code", "meaning"])
    expected = [[str(int(code)), meaning] for code, meaning in EXIT_CODES.items()]
    assert documented == expected


def test_operations_settings_table_is_config_settings() -> None:
    documented = table(ROOT / "docs" / "operations.md", ["setting", "default", "what it does"])
    expected = [[f"`{name}`", f"`{default!r}`", doc] for name, (default, doc) in SETTINGS.items()]
    assert documented == expected


def test_schema_generated_blocks_are_current() -> None:
    """The columns table and the version history are made from FIELDS and SCHEMA_HISTORY."""
    page = ROOT / "docs" / "schema.md"
    text = page.read_text("utf-8")
    assert schema_docs.updated(text) == text, (
        f"docs/schema.md's generated tables differ from the code: run `{schema_docs.COMMAND}` "
        "(python -m kei_crawler.storage.snapshot.schema_docs) and commit the result"
    )
    documented = table(page, ["column", "type", "nullable", "meaning"])
    assert [row[0] for row in documented] == [f"`{c.name}`" for c in FIELDS]


def test_readme_is_at_most_10_kb() -> None:
    assert len(README.read_bytes()) <= README_MAX_BYTES


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_exit_codes_are_documented_in_the_readme_only(path: Path) -> None:
    for line in without_code_blocks(path.read_text("utf-8")).splitlines():
        header = line.lower()
        assert not (line.startswith("|") and "code" in header and "meaning" in header), (
            f"{path.name} has an exit-code table; link to the README's instead: {line}"
        )


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of ``path``: lower case, punctuation dropped, spaces as '-'."""
    headings = re.findall(r"^#+\s+(.*)$", without_code_blocks(path.read_text("utf-8")), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def leads_somewhere(source: Path, target: str) -> bool:
    """A relative link ``target`` in ``source`` names a file that exists (and a heading it has)."""
    file, _, anchor = target.partition("#")
    linked = (source.parent / file).resolve() if file else source
    if not linked.exists():
        return False
    return not anchor or linked.suffix != ".md" or anchor in anchors(linked)


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.name)
def test_relative_links_lead_somewhere(path: Path) -> None:
    targets = LINK.findall(without_code_blocks(path.read_text("utf-8")))
    relative = [t for t in targets if not re.match(r"[a-z]+:", t)]  # not http:, https:, mailto:
    broken = [t for t in relative if not leads_somewhere(path, t)]
    assert not broken, f"{path.name} links to what does not exist: {broken}"
