"""The ``drupal`` theme: a brief as Drupal 7 era keia.org (``/taxonomy/term/<n>/all`` days) served it.

The title is ``<h1 class="page-title">`` above ``div.node.node-blog``; the visible "Published July 24, 2022"
line carries the date again as RDFa (``<span property="dc:date dc:created" content="…">``); "Author:" and
"Category:" are inline field labels before term links; the body sits in
``div.field-name-body > div.field-items > div.field-item``; the photo is the image field after the body
(``div.field-name-field-image`` with the caption in ``div.field-name-field-caption``), so the caption
follows the credit line. No JSON-LD; ``og:title`` carries the site suffix. After the post come a comments
block with one reader's comment and a "Related posts" view (other briefs' titles and dates): visible
text that belongs to no field.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

from kei_crawler.replica import chrome
from kei_crawler.replica.chrome import esc
from kei_crawler.replica.markup import author_label, body_parts, credit, inline, names
from kei_crawler.replica.model import Block, Brief, display_date, published_at

SITE_SUFFIX = " | Korea Economic Institute of America"
RELATED_ID = "block-views-related-posts-block"
COMMENTS_ID = "comments"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_COMMENTERS = ("Min-jun Park", "David Holloway", "Sarah Whitfield", "이서연", "Tomás Herrera")
_COMMENTS = (
    (
        "Useful context",
        "Thanks for this summary; the point about supply chains deserves more attention here.",
    ),
    ("A question", "Does anyone know whether the National Assembly has scheduled hearings on this?"),
    ("Well put", "Good overview. I would add that local governments have pushed in the same direction."),
    ("Not so sure", "I doubt the effect will be as large as the brief suggests, but time will tell."),
)


def _block(block: Block, messy: bool) -> str:
    if block.kind == "h":
        return f"<h3>{esc(block.text)}</h3>"
    if block.kind == "ul":
        return "<ul>" + "".join(f"<li>{inline(item, messy)}</li>" for item in block.items) + "</ul>"
    label = f"<strong>{esc(block.label)}:</strong> " if block.label else ""
    return f"<p>{label}{inline(block.text, messy)}</p>"


def _field(name: str, kind: str, label: str, items: str) -> str:
    return (
        f'<div class="field field-name-{name} field-type-{kind} field-label-inline clearfix">'
        f'<span class="field-label">{label}&nbsp;</span><span class="field-items">{items}</span></div>'
    )


def _terms(brief: Brief, base: str) -> str:
    return ", ".join(
        f'<a href="{base}/taxonomy/term/{100 + sum(map(ord, c)) % 400}" typeof="skos:Concept" '
        f'property="rdfs:label skos:prefLabel" datatype="">{esc(c)}</a>'
        for c in brief.categories
    )


def _comment(brief: Brief, base: str, nid: int) -> str:
    rng = random.Random(f"comment:{brief.body_seed}")
    author, (subject, text) = rng.choice(_COMMENTERS), rng.choice(_COMMENTS)
    when = published_at(brief) + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 9))
    cid = nid * 7 + 3
    stamp = f"{_WEEKDAYS[when.weekday()]}, {when:%m/%d/%Y - %H:%M}"
    return (
        f'<div id="{COMMENTS_ID}" class="comment-wrapper">\n<h2 class="title">Comments</h2>\n'
        f'<a id="comment-{cid}"></a>\n<div class="comment comment-by-anonymous clearfix">'
        f'<div class="submitted"><span class="username">{esc(author)} (not verified)</span> '
        f"<span>{stamp}</span></div>\n"
        f'<h3><a href="{base}/comment/{cid}#comment-{cid}" class="permalink" rel="bookmark">{esc(subject)}</a></h3>\n'
        f'<div class="content"><div class="field field-name-comment-body"><div class="field-items">'
        f'<div class="field-item even"><p>{esc(text)}</p></div></div></div></div></div>\n</div>'
    )


def _related(related: Sequence[Brief]) -> str:
    if not related:
        return ""
    rows = "".join(
        f'<li class="views-row views-row-{i}"><span class="views-field views-field-title"><span class="field-content">'
        f'<a href="{b.path.rstrip("/")}">{esc(b.title)}</a></span></span> <span class="views-field '
        f'views-field-created"><span class="field-content">{display_date(b.published)}</span></span></li>'
        for i, b in enumerate(related, 1)
    )
    return (
        f'<div id="{RELATED_ID}" class="block block-views"><h2>Related posts</h2><div class="content">'
        f'<div class="view view-related-posts"><div class="item-list"><ul>{rows}</ul></div></div></div></div>'
    )


def render_drupal(brief: Brief, base: str, related: Sequence[Brief] = ()) -> str:
    nid = brief.body_seed % 9000 + 1000
    alias = f"{base}{brief.path.rstrip('/')}"
    head = (
        f'<link rel="canonical" href="{alias}" />\n<link rel="shortlink" href="{base}/node/{nid}" />\n'
        f'<meta property="og:site_name" content="Korea Economic Institute of America" />\n'
        f'<meta property="og:type" content="article" />\n<meta property="og:url" content="{alias}" />\n'
        f'<meta property="og:title" content="{esc(brief.title + SITE_SUFFIX)}" />\n'
    )
    fields = [
        f'<div class="submitted"><span property="dc:date dc:created" content="{published_at(brief).isoformat()}"'
        f' datatype="xsd:dateTime">Published {display_date(brief.published)}</span></div>'
    ]
    if brief.authors:
        fields.append(_field("field-author", "node-reference", author_label(brief), names(brief, base)))
    if brief.categories:
        fields.append(_field("field-category", "taxonomy-term-reference", "Category:", _terms(brief, base)))
    body = body_parts(brief, base, _block, "em")
    if brief.credits:
        body.append(f"<p>{credit(brief)}</p>")
    image = ""
    if brief.photo_path:
        caption = inline(brief.photo_caption, brief.messy) if brief.photo_caption else ""
        image = (
            '<div class="field field-name-field-image field-type-image field-label-hidden">'
            f'<img typeof="foaf:Image" src="{base}{brief.photo_path}" width="600" height="400" alt="" />'
            f'<div class="field field-name-field-caption field-type-text">{caption}</div></div>\n'
        )
    content = (
        '<div class="region region-highlighted"><div class="block block-block"><div class="content">'
        "The Peninsula</div></div></div>\n"
        f'<h1 class="page-title" id="page-title">{inline(brief.title, brief.messy)}</h1>\n'
        f'<div id="node-{nid}" class="node node-blog node-promoted clearfix" about="{brief.path.rstrip("/")}" '
        'typeof="sioc:Item foaf:Document">\n'
        f'<span property="dc:title" content="{esc(brief.title)}" class="rdf-meta element-hidden"></span>\n'
        + "\n".join(fields)
        + '\n<div class="content">\n<div class="field field-name-body field-type-text-with-summary '
        'field-label-hidden"><div class="field-items"><div class="field-item even" property="content:encoded">\n'
        + "\n".join(body)
        + "\n</div></div></div>\n"
        + image
        + f'</div>\n<ul class="links inline"><li class="node-readmore first last"><a href="{base}/the-peninsula/">'
        f"{chrome.RETURN}</a></li></ul>\n{_comment(brief, base, nid)}\n</div>\n{_related(related)}"
    )
    return chrome.page("drupal", title=brief.title, base_url=base, content=content, head=head,
                       body_class=f"page-node page-node-{nid} node-type-blog")  # fmt: skip
