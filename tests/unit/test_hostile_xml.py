"""Every hostile sitemap and feed of ``tests/support/hostile_xml.py``: refused in one line naming the
problem, or read for what is safe in it — never another exception, never a secret file's bytes."""

from __future__ import annotations

import pytest

from kei_crawler.pages.xml_input import XmlRefused
from tests.support.hostile_xml import CASES, SECRET_FILE, XmlCase, document, read


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_xml(case: XmlCase) -> None:
    data = document(case.name)
    if case.refused is not None:
        with pytest.raises(XmlRefused) as refusal:
            read(case, data)
        reason = str(refusal.value)
        assert case.refused in reason
        assert "\n" not in reason and len(reason) < 300 and "Traceback" not in reason
        return
    result = read(case, data)
    assert case.check is not None
    case.check(result)
    assert "root:" not in repr(result) and SECRET_FILE not in repr(result)


def test_the_cases_cover_the_issue() -> None:
    """The attacks issue 17 names are all in the table (a renamed or dropped case fails here)."""
    names = " ".join(case.name for case in CASES)
    for attack in ("billion laughs", "quadratic", "external entity", "external DTD", "100,000 levels",
                   "a 50 MB sitemap", "gzip bomb", "invalid UTF-8", "NUL", "off-site and at itself", "script"):  # fmt: skip
        assert attack in names
