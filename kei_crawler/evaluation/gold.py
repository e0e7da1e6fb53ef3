"""The gold set on disk: one folder per page holding page.html and the hand-written expected.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class GoldSetError(Exception):
    """The folder cannot be scored (missing, empty, an unreadable expected.json); one line of text."""


@dataclass(frozen=True)
class GoldPage:
    name: str
    url: str
    html: bytes
    expected: dict[str, Any]

    @property
    def encoding(self) -> str | None:
        """The charset a fixture says to decode with (a page whose server lies about its encoding)."""
        value = self.expected.get("encoding")
        return str(value) if value else None


def load_gold_set(folder: Path) -> list[GoldPage]:
    """Every ``<name>/page.html`` + ``expected.json`` under ``folder``, sorted by name."""
    if not folder.is_dir():
        raise GoldSetError(f"{folder}: no such folder")
    pages: list[GoldPage] = []
    for expected_path in sorted(folder.glob("*/expected.json")):
        page_path = expected_path.with_name("page.html")
        try:
            expected = json.loads(expected_path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GoldSetError(f"{expected_path}: unreadable ({_reason(exc)})") from exc
        if not isinstance(expected, dict):
            raise GoldSetError(f"{expected_path}: unreadable (not a JSON object)")
        try:
            html = page_path.read_bytes()
        except OSError as exc:
            raise GoldSetError(f"{page_path}: unreadable ({_reason(exc)})") from exc
        name = expected_path.parent.name
        # The URL only resolves relative links; a fixture without one still scores.
        url = str(expected.get("url") or f"https://keia.org/the-peninsula/{name}/")
        pages.append(GoldPage(name, url, html, expected))
    if not pages:
        raise GoldSetError(f"{folder}: no gold pages (<name>/page.html + expected.json)")
    return pages


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    # JSON errors carry line and column, which is what a fixture author needs; keep it on one line.
    return " ".join(str(exc).split())
