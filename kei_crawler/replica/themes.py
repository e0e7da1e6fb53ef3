"""A brief page in five markups of one content, as keia.org's redesigns have served it.

- ``modern``: semantic HTML5 (<article>, <h1>, <time>, <figure>), JSON-LD and Open Graph metadata.
- ``classic``: WordPress 3.x era (div#content > div.post, h2.post-title, p.postmeta, div.wp-caption).
- ``flat``: a page builder's nested <div>s with meaningless class names; the title is a styled <span>,
  the date plain text, and the photo caption rides on the credit line, as on the captured brief.
- ``textonly`` (``textonly.py``): an old table-layout CMS / e-mail-to-web export; text layout only.
- ``drupal`` (``drupal.py``): Drupal 7 era keia.org, RDFa date, field wrappers, related posts, comments.

All five show the same visible text (drupal adds its related-posts and comments blocks after the post);
only the markup (and where the caption sits) differs.
"""

from __future__ import annotations

import json

from kei_crawler.replica import chrome
from kei_crawler.replica.chrome import esc
from kei_crawler.replica.markup import author_label, body_parts, categories, credit, inline, names
from kei_crawler.replica.model import SERIES, Block, Brief, display_date

THEMES = ("modern", "classic", "flat", "textonly", "drupal")


def _modern_block(block: Block, messy: bool) -> str:
    if block.kind == "h":
        return f"<h2>{esc(block.text)}</h2>"
    if block.kind == "ul":
        return "<ul>" + "".join(f"<li>{inline(item, messy)}</li>" for item in block.items) + "</ul>"
    label = f"<strong>{esc(block.label)}:</strong> " if block.label else ""
    return f"<p>{label}{inline(block.text, messy)}</p>"


def _classic_block(block: Block, messy: bool) -> str:
    if block.kind == "h":
        return f"<h3>{esc(block.text)}</h3>"
    if block.kind == "ul":
        return "<ul>\n" + "".join(f"<li>{inline(item, messy)}</li>\n" for item in block.items) + "</ul>"
    label = f"<b>{esc(block.label)}:</b> " if block.label else ""
    return f"<p>{label}{inline(block.text, messy)}</p>"


def _flat_block(block: Block, messy: bool) -> str:
    if block.kind == "h":
        return f"<p><strong>{esc(block.text)}</strong></p>"
    if block.kind == "ul":
        return (
            '<ul class="u2">'
            + "".join(f"<li><span>{inline(i, messy)}</span></li>" for i in block.items)
            + "</ul>"
        )
    label = f"<strong>{esc(block.label)}:</strong> " if block.label else ""
    return f"<p>{label}{inline(block.text, messy)}</p>"


def _json_ld(brief: Brief, base: str, published_iso: str, modified_iso: str) -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": brief.title,
        "datePublished": published_iso,
        "dateModified": modified_iso,
        "mainEntityOfPage": base + brief.path,
    }
    if brief.authors:
        data["author"] = [
            {"@type": "Organization" if name == SERIES else "Person", "name": name} for name in brief.authors
        ]
    if brief.photo_path:
        data["image"] = base + brief.photo_path
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def render_modern(brief: Brief, base: str, published_iso: str) -> str:
    modified_iso = brief.modified.isoformat()
    head = (
        f'<meta property="og:title" content="{esc(brief.title)}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{base}{brief.path}">\n'
        f'<meta property="article:published_time" content="{published_iso}">\n'
        f'<meta property="article:modified_time" content="{modified_iso}">\n'
        f'<link rel="canonical" href="{base}{brief.path}">\n'
        + _json_ld(brief, base, published_iso, modified_iso)
    )
    meta = [
        f'<div class="posted-on"><time datetime="{published_iso}">Published {display_date(brief.published)}</time></div>'
    ]
    if brief.authors:
        meta.append(f'<p class="byline">{author_label(brief)} {names(brief, base)}</p>')
    if brief.categories:
        meta.append(f'<p class="post-categories">Category: {categories(brief, base)}</p>')
    figure = ""
    if brief.photo_path and brief.photo_caption:
        figure = (
            f'<figure class="wp-block-image"><img src="{base}{brief.photo_path}" alt="" loading="lazy">'
            f"<figcaption>{inline(brief.photo_caption, brief.messy)}</figcaption></figure>"
        )
    body = body_parts(brief, base, _modern_block, "em")
    if brief.credits:
        body.append(f'<p class="kv-credits">{credit(brief)}</p>')
    content = (
        f'<article class="post type-post">\n<div class="section-label"><a href="{base}/the-peninsula/">'
        f'The Peninsula</a></div>\n<h1 class="entry-title">{inline(brief.title, brief.messy)}</h1>\n'
        + "\n".join(meta)
        + f'\n{figure}\n<div class="entry-content">\n'
        + "\n".join(body)
        + "\n</div>\n</article>\n"
        f'<p class="back-link"><a href="{base}/the-peninsula/">{chrome.RETURN}</a></p>'
    )
    return chrome.page("modern", title=brief.title, base_url=base, content=content, head=head,
                       body_class="single single-post")  # fmt: skip


def render_classic(brief: Brief, base: str) -> str:
    meta = [f'<p class="postmeta">Published {display_date(brief.published)}</p>']
    if brief.authors:
        meta.append(f'<p class="postmeta">{author_label(brief)} {names(brief, "")}</p>')
    if brief.categories:
        meta.append(f'<p class="postmeta">Category: {categories(brief, "")}</p>')
    entry: list[str] = []
    if brief.photo_path and brief.photo_caption:
        entry.append(
            f'<div class="wp-caption alignnone" style="width: 610px"><img class="size-full" src="{brief.photo_path}"'
            f' width="600" height="400" alt="" /><p class="wp-caption-text">'
            f"{inline(brief.photo_caption, brief.messy)}</p></div>"
        )
    body = body_parts(brief, "", _classic_block, "i")
    if brief.credits:
        body.append(f"<p>{credit(brief)}</p>")
    # WordPress's editor left empty spacer paragraphs and wrapper divs between some blocks.
    for i, part in enumerate(body):
        if i == 1 and brief.messy:
            entry.append("<p>&nbsp;</p>")
        entry.append(f'<div class="wrap">{part}</div>' if i % 3 == 2 else part)
    content = (
        f'<div class="post" id="post-{brief.body_seed % 90000 + 1000}">\n<p class="section">The Peninsula</p>\n'
        f'<h2 class="post-title"><a href="{brief.path}" rel="bookmark">{inline(brief.title, brief.messy)}</a></h2>\n'
        + "\n".join(meta)
        + '\n<div class="entry">\n'
        + "\n".join(entry)
        + "\n</div>\n</div>\n"
        f'<p class="back"><a href="/the-peninsula/">{chrome.RETURN}</a></p>'
    )
    return chrome.page("classic", title=brief.title, base_url=base, content=content, body_class="single")


def render_flat(brief: Brief, base: str) -> str:
    photo = f'<div class="p7"><img src="{base}{brief.photo_path}" alt=""></div>' if brief.photo_path else ""
    caption = inline(brief.photo_caption, brief.messy) if brief.photo_caption else None
    # With a credit line the caption follows it in the same paragraph (the captured brief) and the photo
    # heads the page; without one, the photo and its own caption paragraph open the body.
    on_credit = bool(brief.credits and caption)
    head = ['<div class="l0">The Peninsula</div>']
    if on_credit:
        head.append(photo)
    head.append(f'<div class="t"><span>{inline(brief.title, brief.messy)}</span></div>')
    head.append(f'<div class="m2">Published {display_date(brief.published)}</div>')
    if brief.authors:
        head.append(f'<div class="m2">{author_label(brief)} {names(brief, None)}</div>')
    if brief.categories:
        head.append(f'<div class="m2">Category: {categories(brief, None)}</div>')
    body: list[str] = []
    if photo and not on_credit:
        body.append(photo + (f'<p class="k">{caption}</p>' if caption else ""))
    body += body_parts(brief, base, _flat_block, None)
    if brief.credits:
        body.append(f"<p>{credit(brief)} {caption}</p>" if on_credit else f"<p>{credit(brief)}</p>")
    content = (
        '<div class="c4 k-2">' + "\n".join(head) + '\n<div class="b1 x-7">\n' + "\n".join(body)
        + f'\n</div></div>\n<div class="c5"><a href="{base}/the-peninsula/">{chrome.RETURN}</a></div>'
    )  # fmt: skip
    return chrome.page("flat", title=brief.title, base_url=base, content=content)
