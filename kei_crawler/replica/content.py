"""The replica's content: ``build_site`` and the ``Site`` it returns (briefs, truth, mutations, rendering).

Building is cheap (titles, dates and flags only; prose and HTML are produced when a page is asked for), so a
full-size 6,384-brief site builds in well under a second. Brief *k* depends only on the draws made for
briefs 0…k, so a small site is the newest slice of a bigger one built with the same seed.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kei_crawler.replica import prose, routes
from kei_crawler.replica.model import Brief, Form, published_at, slugify
from kei_crawler.replica.real import (
    MEXICO,
    MEXICO_BLOCKS,
    MEXICO_CAPTION,
    MEXICO_CREDITS,
    MEXICO_CREDITS_HTML,
    NEWEST,
    REAL_BRIEFS,
    RealBrief,
)
from kei_crawler.replica.sitemap_xml import Publishing
from kei_crawler.replica.themes import THEMES

PAGINATIONS = ("query", "path")
NOTHING_MORE = Publishing()  # no sitemap, no feed: the site as it was before issue 17
# Korea View began in 2020; older posts are all staff posts.
KOREA_VIEW_START = date(2020, 6, 1)
_KV_FORMS: tuple[Form, ...] = (
    "blurb_prose",
    "blurb_what_happened",
    "what_happened",
    "prose",
    "prose_blurb_end",
)
# Days between consecutive older posts: about 1.2 a day, so 6,384 briefs reach back to the late 2000s.
_OLDER_GAPS = (0, 0, 1, 1, 1, 2)


class Site:
    """A generated Peninsula: briefs newest first, their truth, and the mutations incremental tests need.

    Every method takes the site's lock, so the HTTP server's threads may render while a test mutates.
    """

    def __init__(
        self,
        briefs: list[Brief],
        *,
        theme: str,
        pagination: str,
        seed: int,
        publishing: Publishing = NOTHING_MORE,
    ) -> None:
        self.briefs = briefs
        self.theme = theme
        self.pagination = pagination
        self.seed = seed
        self.publishing = publishing
        # Slugs the listing leaves out (found through the sitemap only) and the sitemap leaves out.
        self.sitemap_only: set[str] = set()
        self.listing_only: set[str] = set()
        self.lock = threading.RLock()
        self.removed: dict[str, Brief] = {}
        self._slugs = {brief.slug for brief in briefs}
        self._rng = random.Random(f"mutations:{seed}")
        self._index = {brief.slug: brief for brief in briefs}
        self._positions: dict[str, int] = {}

    def brief(self, slug: str) -> Brief | None:
        with self.lock:
            return self._index.get(slug)

    def position(self, brief: Brief) -> int:
        """Where ``brief`` is in ``briefs`` (0: newest). A dict, not ``list.index``: that scan made serving
        brief *k* cost O(k) dataclass comparisons, 10 ms a page at the end of a 6,384-brief site."""
        with self.lock:
            found = self._positions.get(brief.slug)
            if found is None or found >= len(self.briefs) or self.briefs[found] is not brief:
                # Rebuilt after a mutation moved the briefs (publish, remove), checked by identity.
                self._positions = {b.slug: i for i, b in enumerate(self.briefs)}
                found = self._positions.get(brief.slug)
                if found is None or self.briefs[found] is not brief:
                    raise ValueError(f"brief {brief.slug!r} is not on this site")
            return found

    def listed(self) -> list[Brief]:
        """The briefs the listing pages (and the feed) show, newest first."""
        with self.lock:
            if not self.sitemap_only:
                return self.briefs
            return [brief for brief in self.briefs if brief.slug not in self.sitemap_only]

    def in_sitemap(self) -> list[Brief]:
        """The briefs the sitemaps list, newest first."""
        with self.lock:
            return [brief for brief in self.briefs if brief.slug not in self.listing_only]

    def disagree(self, *, sitemap_only: str | None = None, listing_only: str | None = None) -> None:
        """Make the sitemap and the listing disagree: ``sitemap_only`` drops off the listing pages and the
        feed (its page is still served), ``listing_only`` drops out of the sitemaps."""
        with self.lock:
            for slug, hidden in ((sitemap_only, self.sitemap_only), (listing_only, self.listing_only)):
                if slug is not None:
                    hidden.add(self._require(slug).slug)

    def expected_records(self, origin: str = "https://keia.org") -> list[dict[str, Any]]:
        with self.lock:
            return [brief.expected(origin) for brief in self.briefs]

    def publish(self, n: int = 1, *, on: date | None = None) -> list[Brief]:
        """``n`` new briefs, newer than all, at the top of the listing; returned newest first. ``on``: all
        dated that day instead — a post that appears late with an older date, still at the top."""
        with self.lock:
            day = max((b.published for b in self.briefs), default=NEWEST)
            new: list[Brief] = []
            for _ in range(n):
                day = on if on is not None else day + timedelta(days=self._rng.randint(1, 3))
                brief = _generate(self._rng, day, self._slugs)
                brief.modified = max(brief.modified, self._clock() + timedelta(hours=1))
                new.insert(0, brief)
            self.briefs[:0] = new
            self._index.update((b.slug, b) for b in new)
            return new

    def edit(self, slug: str) -> Brief:
        """Rewrite a brief's body and bump its modified time, so its ETag and Last-Modified change."""
        with self.lock:
            brief = self._require(slug)
            brief.revision += 1
            brief.modified = self._clock() + timedelta(hours=1)
            return brief

    def remove(self, slug: str) -> Brief:
        """Take a brief down: its page answers 404 and the listing drops it."""
        with self.lock:
            brief = self._require(slug)
            self.briefs.remove(brief)
            del self._index[slug]
            self.removed[slug] = brief
            self.sitemap_only.discard(slug)
            self.listing_only.discard(slug)
            return brief

    def render(self, path_and_query: str, base_url: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a GET of ``path_and_query``; links use ``base_url``."""
        with self.lock:
            return routes.render(self, path_and_query, base_url.rstrip("/"))

    def _require(self, slug: str) -> Brief:
        brief = self._index.get(slug)
        if brief is None:
            raise KeyError(f"no brief with slug {slug!r}")
        return brief

    def _clock(self) -> datetime:
        return max(brief.modified for brief in [*self.briefs, *self.removed.values()])


def build_site(
    n_briefs: int = 60,
    *,
    theme: str = "modern",
    pagination: str = "query",
    seed: int = 0,
    sitemaps: str = "none",
    gzip_sitemaps: bool = False,
    feed: bool = False,
    sitemap_disagrees: bool = False,
) -> Site:
    """A deterministic site of ``n_briefs`` briefs, newest first; the same arguments give the same bytes.

    ``sitemaps`` (``none``, ``core``, ``plugin``), ``gzip_sitemaps`` and ``feed``: what it publishes besides
    its pages (``sitemap_xml.Publishing``). ``sitemap_disagrees``: the second-newest brief is in the
    sitemap only and the third-newest in the listing only (``Site.disagree``).
    """
    publishing = Publishing(sitemaps, gzip_sitemaps, feed)
    if sitemap_disagrees and n_briefs < 3:
        raise ValueError("a sitemap that disagrees with the listing needs at least 3 briefs")
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; choose from {', '.join(THEMES)}")
    if pagination not in PAGINATIONS:
        raise ValueError(f"unknown pagination {pagination!r}; choose from {', '.join(PAGINATIONS)}")
    if n_briefs < 0:
        raise ValueError("n_briefs must be >= 0")
    rng = random.Random(seed)
    anchors = {real.position: real for real in REAL_BRIEFS}
    briefs: list[Brief] = []
    slugs: set[str] = set()
    day = NEWEST
    for i in range(n_briefs):
        real = anchors.get(i)
        if real is not None:
            brief = _real(rng, real)
            slugs.add(brief.slug)
        else:
            day = _date_for(i, day, rng)
            brief = _generate(rng, day, slugs)
        day = brief.published
        briefs.append(brief)
    site = Site(briefs, theme=theme, pagination=pagination, seed=seed, publishing=publishing)
    if sitemap_disagrees:
        site.disagree(sitemap_only=briefs[1].slug, listing_only=briefs[2].slug)
    return site


def _date_for(i: int, previous: date, rng: random.Random) -> date:
    """Between two real briefs, spread evenly; past the oldest one, a post or so a day."""
    if i == 0:
        return NEWEST
    later = [(0, NEWEST)] + [(r.position, r.published) for r in REAL_BRIEFS if r.position < i]
    earlier = [(r.position, r.published) for r in REAL_BRIEFS if r.position > i]
    if not earlier:
        return previous - timedelta(days=rng.choice(_OLDER_GAPS))
    (a, day_a), (b, day_b) = later[-1], earlier[0]
    step = (day_a - day_b).days / (b - a)
    return day_a - timedelta(days=round(step * (i - a)))


def _modified(rng: random.Random, brief: Brief) -> datetime:
    hours = rng.choice((0, 0, 1, 3, 26, 50))
    return (published_at(brief) + timedelta(hours=hours, minutes=rng.randint(0, 59))).astimezone(UTC)


def _real(rng: random.Random, real: RealBrief) -> Brief:
    brief = Brief(
        slug=slugify(real.title),
        title=real.title,
        published=real.published,
        modified=datetime.min.replace(tzinfo=UTC),
        form=real.form,
        authors=list(real.authors),
        categories=list(real.categories),
        credits=prose.credit_line(rng),
        photo_caption=prose.caption(rng, real.published.year),
        body_seed=rng.getrandbits(32),
    )
    if real is MEXICO:
        brief.credits, brief.credits_html = MEXICO_CREDITS, MEXICO_CREDITS_HTML
        brief.photo_caption, brief.fixed_blocks = MEXICO_CAPTION, MEXICO_BLOCKS
    brief.modified = _modified(rng, brief)
    return brief


def _generate(rng: random.Random, day: date, slugs: set[str]) -> Brief:
    korea_view = day >= KOREA_VIEW_START and rng.random() < 0.6
    form: Form = rng.choice(_KV_FORMS) if korea_view else "staff"
    title = prose.title(rng, day.year)
    if day.year <= 2020:
        title = prose.title_case(title)
    if korea_view:
        authors = ["Korea View"] if rng.random() < 0.5 else []
        credits = prose.credit_line(rng) if rng.random() < 0.9 else None
    else:
        count = rng.choices((0, 1, 2, 3), weights=(4, 70, 21, 5))[0]
        authors, credits = rng.sample(prose.STAFF, count), None
    if form in ("what_happened", "prose") and credits is None:
        authors = ["Korea View"]  # otherwise nothing on the page would say it is a Korea View brief
    roll = rng.random()
    categories = [] if roll < 0.35 else rng.sample(prose.CATEGORIES, 1 if roll < 0.85 else 2)
    brief = Brief(
        slug=_unique_slug(slugify(title), slugs),
        title=title,
        published=day,
        modified=datetime.min.replace(tzinfo=UTC),
        form=form,
        authors=authors,
        categories=categories,
        credits=credits,
        photo_caption=prose.caption(rng, day.year) if rng.random() < 0.8 else None,
        messy=rng.random() < 0.3,
        evening=rng.random() < 0.15,
        body_seed=rng.getrandbits(32),
    )
    brief.modified = _modified(rng, brief)
    return brief


def _unique_slug(base: str, taken: set[str]) -> str:
    """WordPress's answer to a repeated title: -2, -3, … on the slug."""
    slug, n = base, 1
    while slug in taken or slug == "page":
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug
