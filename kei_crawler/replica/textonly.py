"""The ``textonly`` theme: a brief as an old table-layout CMS or an e-mail-to-web export serves it.

Nothing but the text layout says what is what: no JSON-LD, no ``og:``/``article:`` meta, no <time>,
<article>, <main>, <figure>, <h1> or <h2>, and no class names. The title is a ``<font size=4><b>`` line,
the date only the visible "Published July 24, 2022", author and category plain "Label: value" lines, bullets
"• " lines separated by <br> in one block, subheadings bold lines. Half the briefs (by seed) have one <div>
per paragraph with ``<div><br></div>`` spacers (an e-mail client's export), the other half bare text with
``<br><br>`` between paragraphs. The caption is a plain sentence: after the credit line on the same line
when there is one (the captured brief), else on the line right after the image at the top of the body.
"""

from __future__ import annotations

from kei_crawler.replica import chrome
from kei_crawler.replica.chrome import esc
from kei_crawler.replica.markup import author_label, body_parts, categories, credit, inline, names
from kei_crawler.replica.model import Block, Brief, display_date

BULLET = "•"


def _block(block: Block, messy: bool) -> str:
    if block.kind == "h":
        return f"<b>{esc(block.text)}</b>"
    if block.kind == "ul":
        return "<br>\n".join(f"{BULLET} {inline(item, messy)}" for item in block.items)
    label = f"<b>{esc(block.label)}:</b> " if block.label else ""
    return f"{label}{inline(block.text, messy)}"


def _divs(parts: list[str]) -> str:
    """An e-mail client's export: a <div> per paragraph, an empty-line <div> between them."""
    return "\n<div><br></div>\n".join(f"<div>{part}</div>" for part in parts)


def _breaks(parts: list[str]) -> str:
    """A CMS textarea turned into HTML: bare text, a blank line (two <br>s) between paragraphs."""
    return "<br>\n<br>\n".join(parts)


def render_textonly(brief: Brief, base: str) -> str:
    img = ""
    if brief.photo_path:
        img = f'<img src="{base}{brief.photo_path}" width="600" height="400" border="0" alt="">'
    caption = inline(brief.photo_caption, brief.messy) if brief.photo_caption else None
    on_credit = bool(brief.credits and caption)
    meta = [
        '<font face="Arial" size="1" color="#666666">The Peninsula</font>',
        f'<font face="Georgia" size="4"><b>{inline(brief.title, brief.messy)}</b></font>',
        f'<font face="Arial" size="2">Published {display_date(brief.published)}</font>',
    ]
    if brief.authors:
        meta.append(f'<font face="Arial" size="2">{author_label(brief)} {names(brief, None)}</font>')
    if brief.categories:
        meta.append(f'<font face="Arial" size="2">Category: {categories(brief, None)}</font>')
    # The blurb has no wrapper of its own: here it is just another run of text, set in italics.
    parts = body_parts(brief, base, _block, "i", blurb_wrapper=None)
    if img and not on_credit:
        parts.insert(0, f"{img}<br>\n{caption}" if caption else img)
    if brief.credits:
        parts.append(f"{credit(brief)} {caption}" if on_credit else credit(brief))
    body = _divs(parts) if brief.body_seed % 2 else _breaks(parts)
    rows = ['<tr><td valign="top">' + "<br>\n".join(meta) + "</td></tr>"]
    if img and on_credit:
        rows.append(f'<tr><td align="center">{img}</td></tr>')
    rows.append(f'<tr><td valign="top"><font face="Arial" size="2">\n{body}\n</font></td></tr>')
    rows.append(f'<tr><td><br><a href="{base}/the-peninsula/">{chrome.RETURN}</a></td></tr>')
    content = (
        '<table width="100%" border="0" cellspacing="0" cellpadding="6">\n' + "\n".join(rows) + "\n</table>"
    )
    return chrome.page("textonly", title=brief.title, base_url=base, content=content)
