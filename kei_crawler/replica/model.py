"""One brief of the replica: what it says (clean text, the truth) and enough to render it in any theme.

The truth is kept clean on purpose; all the mess a crawler has to undo (entities, stray white space,
decomposed Unicode, chrome) is added by the renderers, so ``expected()`` never needs to parse HTML.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from kei_crawler.replica import prose

SERIES = "Korea View"
BLURB = (
    "This briefing comes from Korea View, a weekly newsletter published by the Korea Economic Institute. "
    "Korea View aims to cover developments that reveal trends on the Korean Peninsula but receive little "
    "attention in the United States. If you would like to sign up, please find the online form here."
)
# Body shapes seen on the site; see docs/site.md. "prose_blurb_end" is the captured brief's shape.
Form = Literal["blurb_prose", "blurb_what_happened", "what_happened", "prose", "prose_blurb_end", "staff"]
BlockKind = Literal["p", "h", "ul"]


@dataclass(frozen=True)
class Block:
    """A body block. ``label`` is a bold lead-in ("Implications") that is part of the paragraph's text."""

    kind: BlockKind
    text: str = ""
    items: tuple[str, ...] = ()
    label: str | None = None

    def truth(self) -> str:
        if self.kind == "ul":
            return "\n".join(f"- {item}" for item in self.items)
        return f"{self.label}: {self.text}" if self.label else self.text


@dataclass
class Brief:
    slug: str
    title: str
    published: date
    modified: datetime
    """Aware UTC timestamp served as Last-Modified; bumped by ``Site.edit``."""
    form: Form
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    credits: str | None = None
    photo_caption: str | None = None
    messy: bool = False
    """Render with entities, hard-wrapped paragraphs and NFD text, to exercise normalization."""
    evening: bool = False
    """Published late in the evening Eastern time, so the ISO timestamp's UTC date is the next day."""
    body_seed: int = 0
    revision: int = 0
    fixed_blocks: tuple[Block, ...] | None = None
    """Real briefs carry their own text instead of generated prose."""
    credits_html: str | None = None
    """The credit line exactly as the real page's HTML has it (odd spacing included)."""
    _blocks: tuple[int, tuple[Block, ...]] | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return f"/the-peninsula/{self.slug}/"

    @property
    def korea_view(self) -> bool:
        return self.form != "staff"

    @property
    def series(self) -> str | None:
        return SERIES if self.korea_view else None

    @property
    def blurb_position(self) -> Literal["top", "end"] | None:
        if self.form in ("blurb_prose", "blurb_what_happened"):
            return "top"
        return "end" if self.form == "prose_blurb_end" else None

    @property
    def photo_path(self) -> str | None:
        if self.photo_caption is None:
            return None
        return f"/wp-content/uploads/{self.published:%Y/%m}/{self.slug}.jpg"

    @property
    def blocks(self) -> tuple[Block, ...]:
        """The body, generated on first use (a 6384-brief site builds without writing any prose)."""
        if self.fixed_blocks is not None and self.revision == 0:
            return self.fixed_blocks
        if self._blocks is None or self._blocks[0] != self.revision:
            rng = random.Random(f"{self.body_seed}:{self.revision}")
            self._blocks = (self.revision, generate_blocks(rng, self.form, self.published.year))
        return self._blocks[1]

    @property
    def body(self) -> str:
        return "\n\n".join(block.truth() for block in self.blocks)

    def summary(self) -> str:
        """The listing's teaser: the opening words, labels inlined as the site's summaries do."""
        parts: list[str] = []
        for block in self.blocks:
            if block.kind == "h":
                continue
            if block.kind == "ul":
                parts.append("What Happened: " + " ".join(block.items))
            else:
                label = "Implication" if block.label == "Implications" else block.label
                parts.append(f"{label}: {block.text}" if label else block.text)
        words = " ".join(parts).split()
        return " ".join(words[:32]).rstrip(".,;:") + "…"

    def expected(self, origin: str = "https://keia.org") -> dict[str, Any]:
        """The record a perfect crawl of this brief yields (normalized values, the snapshot's columns)."""
        origin = origin.rstrip("/")
        photo = self.photo_path
        return {
            "url": origin + self.path,
            "slug": self.slug,
            "title": self.title,
            "published": self.published,
            # People only: a page signed "Author: Korea View" names the series, which ``series`` holds.
            "authors": [name for name in self.authors if name != SERIES],
            "categories": list(self.categories),
            "series": self.series,
            "body": self.body,
            "credits": self.credits,
            "photo_caption": self.photo_caption,
            "photo_url": origin + photo if photo else None,
        }


def generate_blocks(rng: random.Random, form: Form, year: int) -> tuple[Block, ...]:
    if form in ("what_happened", "blurb_what_happened"):
        blocks = [Block("h", "What Happened"), Block("ul", items=tuple(prose.bullets(rng, year)))]
        blocks.append(Block("p", prose.paragraph(rng, year), label="Implications"))
        blocks.append(Block("p", prose.paragraph(rng, year), label="Context"))
        return tuple(blocks)
    blocks = [Block("p", prose.paragraph(rng, year)) for _ in range(rng.randint(2, 5))]
    if form == "staff" and rng.random() < 0.3:
        # Staff posts sometimes break the argument with a subheading and a short list.
        blocks.insert(1, Block("h", prose.subheading(rng)))
        if rng.random() < 0.5:
            blocks.insert(2, Block("ul", items=tuple(prose.bullets(rng, year))))
    return tuple(blocks)


_SLUG_DROP = re.compile(r"['’‘]")
_SLUG_SEP = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """WordPress-style: lower-case, apostrophes dropped, anything else that is not a-z0-9 a hyphen."""
    return _SLUG_SEP.sub("-", _SLUG_DROP.sub("", title.lower())).strip("-")[:90].rstrip("-")


# Not strftime("%B"): that follows the process locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def display_date(day: date) -> str:
    """ "July 24, 2022": no leading zero, as the site prints it."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def eastern_offset(day: date) -> timezone:
    """US Eastern time's UTC offset on ``day`` (DST from the 2nd Sunday of March to the 1st of November)."""
    march = date(day.year, 3, 8)
    dst_start = march + timedelta(days=(6 - march.weekday()) % 7)
    november = date(day.year, 11, 1)
    dst_end = november + timedelta(days=(6 - november.weekday()) % 7)
    return timezone(timedelta(hours=-4 if dst_start <= day < dst_end else -5))


def published_at(brief: Brief) -> datetime:
    """Local publication time: 9:00 Eastern, or 21:30 for the "evening" briefs."""
    hour, minute = (21, 30) if brief.evening else (9, 0)
    day = brief.published
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=eastern_offset(day))
