"""Hypothesis strategies for URL-ish strings chosen to mislead: shared by the URL and page property tests
(``tests/unit/test_fuzz_urls.py``, ``tests/unit/test_fuzz_pages.py``) and, through them, ``benchmarks/fuzz.py``."""

from __future__ import annotations

from hypothesis import strategies as st

SCHEMES = ["http", "https", "HTTPS", "HtTp", "javascript", "JavaScript", "file", "data", "mailto", "ftp",
           "tel", "ws", "blob", "view-source", "about", ""]  # fmt: skip
SEPARATORS = ["//", "", "/", "///", "\\\\", "/\\", "\\/", "////"]
# The site, the mirror, and every way a host string can pretend to be one of them.
HOSTS = ["keia.org", "KEIA.ORG", "127.0.0.1:8123", "evil.example", "keia.org.evil.example", "evil.example.keia.org",
         "keia.org@evil.example", "evil.example@keia.org", "user:pw@keia.org", "keia.org:443", "keia.org:80",
         "keia.org:", "keia.org.", "127.0.0.1:8123@evil.example", "127.0.0.1:81234", "127.1:8123", "2130706433:8123",
         "keia.org\\@evil.example", "keia.org\\.evil.example", "keia%2eorg", "xn--kia-dma.org", "kéia.org",
         "ｋｅｉａ.org", "keia.org%00.evil.example", "[::1]", "[::1]:8123", "[::1", "keia.org:8123]", "",
         "localhost", "0.0.0.0:8123"]  # fmt: skip
OTHER_HOSTS = [h for h in HOSTS if h.lower() not in ("keia.org", "127.0.0.1:8123")]
SEGMENTS = ["the-peninsula", "the-peninsula", "page", "2", "..", ".", "%2e%2e", "%2E%2e", "%2e", ".%2e", "%2f",
            "a%2F..%2Fb", "a%5c..%5cb", "etc", "passwd", "", "\\..\\", "..\\..", "a;x", "a b", "\x00", "%00",
            "~user", "renewed-south-korea-mexico-ties", "Brief-Slug", "a%E2%80%99b", "한국", "admin",
            "9" * 12, "%C2%B2"]  # fmt: skip
QUERIES = ["", "?", "?post%5Bpaged%5D=3", "?post[paged]=12&", "?post%5Bpaged%5D=x", "?post%5Bpaged%5D=%C2%B2",
           "?post%5Bpaged%5D=" + "9" * 5000, "?podcasts%5Bpaged%5D=2&post%5Bpaged%5D=4", "?post%5Bpaged%5D=",
           "?post%5Bpaged%5D=%D9%A1", "?utm_source=x&post%5Bpaged%5D=2&post%5Bpaged%5D=5", "?a=%2e%2e/"]  # fmt: skip
FRAGMENTS = ["", "#", "#top", "#/../../etc/passwd", "#javascript:alert(1)"]
NOISE = ["", " ", "\t", "\n", "\r\n", "\x00", "\x1f", "\x7f", "\u3000", "\u200b", "\ufeff"]


def _segment() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SEGMENTS),
        st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True),
        st.text(max_size=12),
    )


@st.composite
def hostile_urls(draw: st.DrawFn) -> str:
    """A URL-ish string: a scheme, a host, a path, a query and a fragment, each chosen to mislead."""
    segments = draw(st.lists(_segment(), max_size=6))
    lead = draw(st.sampled_from(["/", "//", "\\", "", "/./", "/../"]))
    path = lead + "/".join(segments) + draw(st.sampled_from(["/", "", "//", "/.", "/.."]))
    tail = path + draw(st.sampled_from(QUERIES) | st.text(max_size=8)) + draw(st.sampled_from(FRAGMENTS))
    form = draw(st.integers(0, 3))
    if form == 0:  # absolute
        url = f"{draw(st.sampled_from(SCHEMES))}:{draw(st.sampled_from(SEPARATORS))}{draw(st.sampled_from(HOSTS))}{tail}"
    elif form == 1:  # scheme-relative
        url = f"//{draw(st.sampled_from(HOSTS))}{tail}"
    elif form == 2:  # relative, or a bare scheme ("javascript:alert(1)", "file:///etc/passwd")
        url = tail if draw(st.booleans()) else f"{draw(st.sampled_from(SCHEMES))}:{tail}"
    else:  # anything at all
        url = draw(st.text(max_size=40))
    return draw(st.sampled_from(NOISE)) + url + draw(st.sampled_from(NOISE))
