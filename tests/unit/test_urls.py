import pytest

from kei_crawler import urls

ORIGIN = "https://keia.org"


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        (
            "https://keia.org/the-peninsula/renewed-south-korea-mexico-ties/",
            "renewed-south-korea-mexico-ties",
        ),
        ("https://keia.org/the-peninsula/renewed-south-korea-mexico-ties", "renewed-south-korea-mexico-ties"),
        (
            "https://keia.org/the-peninsula/erosion-of-data-privacy/?utm_medium=email&_hsmi=124978800"
            "&_hsenc=p2ANqtz-abc&utm_content=124978800&utm_source=hs_email",
            "erosion-of-data-privacy",
        ),
        ("https://KEIA.org/the-peninsula/Erosion-Of-Data-Privacy/#comments", "erosion-of-data-privacy"),
        ("http://127.0.0.1:8123/the-peninsula/a-b/", "a-b"),
        ("https://keia.org/the-peninsula/", None),
        ("https://keia.org/the-peninsula/page/3/", None),
        ("https://keia.org/the-peninsula/?post%5Bpaged%5D=3&", None),
        ("https://keia.org/news/some-news/", None),
        ("https://keia.org/podcasts/a-podcast/", None),
        ("https://keia.org/contributor/kyle-ferrier/", None),
        ("https://keia.org/category/south-korea/", None),
        ("https://keia.org/category/south-korea/page/39/", None),
        ("https://keia.org/the-peninsula/a/b/", None),
        ("https://blog.keia.org/2014/05/some-post/", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_brief_slug(url: str, slug: str | None) -> None:
    assert urls.brief_slug(url) == slug
    assert urls.is_brief_url(url) is (slug is not None)


@pytest.mark.parametrize(
    ("url", "page"),
    [
        ("https://keia.org/the-peninsula/", 1),
        ("https://keia.org/the-peninsula", 1),
        ("https://keia.org/the-peninsula/?post%5Bpaged%5D=3&", 3),
        ("https://keia.org/the-peninsula/?post[paged]=12", 12),
        ("https://keia.org/the-peninsula/?podcasts%5Bpaged%5D=2&post%5Bpaged%5D=4&", 4),
        ("https://keia.org/the-peninsula/?podcasts%5Bpaged%5D=2&", 1),
        ("https://keia.org/the-peninsula/page/39/", 39),
        ("https://keia.org/the-peninsula/?post%5Bpaged%5D=x&", None),
        ("https://keia.org/category/south-korea/page/39/", None),
        ("https://keia.org/the-peninsula/some-brief/", None),
    ],
)
def test_listing_page_number(url: str, page: int | None) -> None:
    assert urls.listing_page_number(url) == page


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://keia.org/the-peninsula/?post%5Bpaged%5D=3&",
            "https://keia.org/the-peninsula/?post%5Bpaged%5D=3",
        ),
        (
            "https://keia.org/the-peninsula/?podcasts%5Bpaged%5D=2&post%5Bpaged%5D=3&",
            "https://keia.org/the-peninsula/?post%5Bpaged%5D=3",
        ),
        ("https://keia.org/the-peninsula/?podcasts%5Bpaged%5D=2&", "https://keia.org/the-peninsula/"),
        ("https://KEIA.org/the-peninsula/page/2/#top", "https://keia.org/the-peninsula/page/2/"),
    ],
)
def test_canonical_listing_url(url: str, canonical: str) -> None:
    assert urls.canonical_listing_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "origin", "canonical"),
    [
        (
            "https://keia.org/the-peninsula/erosion-of-data-privacy?utm_medium=email&_hsmi=1#x",
            ORIGIN,
            "https://keia.org/the-peninsula/erosion-of-data-privacy/",
        ),
        ("http://127.0.0.1:8123/the-peninsula/a-b", ORIGIN, "https://keia.org/the-peninsula/a-b/"),
        (
            "http://127.0.0.1:8123/the-peninsula/a-b/",
            "http://127.0.0.1:8123",
            "http://127.0.0.1:8123/the-peninsula/a-b/",
        ),
        ("https://keia.org/the-peninsula/A-B/", "HTTPS://KEIA.ORG/", "https://keia.org/the-peninsula/a-b/"),
    ],
)
def test_canonical_brief_url(url: str, origin: str, canonical: str) -> None:
    assert urls.canonical_brief_url(url, origin) == canonical


def test_canonical_brief_url_rejects_other_pages() -> None:
    with pytest.raises(ValueError, match="not a brief URL"):
        urls.canonical_brief_url("https://keia.org/news/x/")


def test_brief_id_is_stable_and_short() -> None:
    url = "https://keia.org/the-peninsula/renewed-south-korea-mexico-ties/"
    assert urls.brief_id(url) == urls.brief_id(url)
    assert len(urls.brief_id(url)) == 16
    assert urls.brief_id(url) != urls.brief_id(url.replace("ties", "tie"))
    # sha256 of the URL's UTF-8 bytes, first 16 hex digits: pinned so a change of rule cannot slip in.
    import hashlib

    assert urls.brief_id(url) == hashlib.sha256(url.encode()).hexdigest()[:16]


@pytest.mark.parametrize(
    ("url", "fetched_from", "expected"),
    [
        (
            "http://127.0.0.1:8123/wp-content/uploads/a.jpg",
            "http://127.0.0.1:8123/the-peninsula/x/",
            "https://keia.org/wp-content/uploads/a.jpg",
        ),
        (
            "https://cdn.example.org/a.jpg",
            "http://127.0.0.1:8123/the-peninsula/x/",
            "https://cdn.example.org/a.jpg",
        ),
    ],
)
def test_rebase(url: str, fetched_from: str, expected: str) -> None:
    assert urls.rebase(url, fetched_from, ORIGIN) == expected


def test_fetch_url_points_at_the_mirror() -> None:
    canonical = "https://keia.org/the-peninsula/a-b/"
    assert urls.fetch_url(canonical, "http://127.0.0.1:9/") == "http://127.0.0.1:9/the-peninsula/a-b/"
    assert urls.same_site("http://127.0.0.1:9/x", "http://127.0.0.1:9")
    assert not urls.same_site("https://www.example.org/", "https://keia.org")
