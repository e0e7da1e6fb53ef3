"""The replica's RSS 2.0 feed at ``/feed/``, as WordPress writes it: the newest ``FEED_ITEMS`` posts of the
listing, each with its permalink, ``pubDate`` (RFC 822), author, categories and an excerpt.

Off unless the site asks (``Publishing.feed``). Titles are escaped and excerpts sit in CDATA, as
WordPress does, so a title holding markup reaches a reader as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from email.utils import format_datetime
from xml.sax.saxutils import escape

from kei_crawler.replica.model import Brief, published_at

# WordPress's "Syndication feeds show the most recent" default (posts_per_rss).
FEED_ITEMS = 10
RSS = "application/rss+xml; charset=UTF-8"
_EXCERPT_WORDS = 55  # WordPress's excerpt_length


def feed(briefs: Sequence[Brief], base: str) -> bytes:
    """The feed of ``briefs`` (newest first, as the listing shows them)."""
    newest = briefs[:FEED_ITEMS]
    built = max((b.modified for b in newest), default=None)
    last_build = f"<lastBuildDate>{format_datetime(built, usegmt=True)}</lastBuildDate>" if built else ""
    items = "".join(_item(brief, base) for brief in newest)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "<channel><title>Korea Economic Institute of America</title>"
        f'<atom:link href="{escape(base)}/feed/" rel="self" type="application/rss+xml" />'
        f"<link>{escape(base)}</link><description>The Peninsula</description>{last_build}"
        f"<language>en-US</language>{items}</channel></rss>\n"
    ).encode()


def _item(brief: Brief, base: str) -> str:
    link = escape(base + brief.path)
    creators = "".join(f"<dc:creator><![CDATA[{_cdata(name)}]]></dc:creator>" for name in brief.authors)
    categories = "".join(f"<category><![CDATA[{_cdata(name)}]]></category>" for name in brief.categories)
    words = " ".join(block.truth() for block in brief.blocks).split()
    excerpt = " ".join(words[:_EXCERPT_WORDS]) + (" [&#8230;]" if len(words) > _EXCERPT_WORDS else "")
    return (
        f"<item><title>{escape(brief.title)}</title><link>{link}</link>{creators}"
        f"<pubDate>{format_datetime(published_at(brief).astimezone(UTC))}</pubDate>{categories}"
        f'<guid isPermaLink="true">{link}</guid>'
        f"<description><![CDATA[{_cdata(excerpt)}]]></description></item>"
    )


def _cdata(text: str) -> str:
    """``text`` safe inside a CDATA section (which ``]]>`` would end)."""
    return text.replace("]]>", "]]]]><![CDATA[>")
