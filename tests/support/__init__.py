"""What the test modules share: crawl helpers, fake sites, snapshot builders, strategies, paths.

Test modules (``tests/unit``, ``tests/e2e``) import from here and from the product, never from one another
or from a conftest.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The project folder: pyproject.toml, README.md, scrapy.cfg, contrib/."""
FIXTURES = ROOT / "tests" / "fixtures"
"""The gold set: saved pages and their expected fields, one folder each (``kei-crawler evaluate`` reads it)."""
