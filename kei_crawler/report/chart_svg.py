"""Matplotlib's SVG made fit to inline in an HTML5 page, several to a page.

Matplotlib writes a standalone document: an XML declaration and DOCTYPE, RDF metadata, a global
``<style>``, a fixed size in pt, and ids of its own (``patch_1``, ``text_3``, hashed clip paths and
marker definitions) that would collide between two charts on one page. :func:`inline_svg` keeps the
drawing and rewrites the rest; the id rules it upholds are in :mod:`kei_crawler.report.charts`.
"""

from __future__ import annotations

import re

from lxml import etree

SVG = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_URL_REF = re.compile(r"url\(#([^)]+)\)")
# The width a chart grows to on a wide screen; below it the chart scales with its container.
MAX_WIDTH_PX = 720


def inline_svg(document: bytes, key: str, title: str, desc: str) -> str:
    """The ``<svg>`` element of ``document``, accessible, scalable and with every id prefixed by ``key``."""
    parser = etree.XMLParser(remove_comments=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(document, parser)
    for metadata in root.findall(f"{{{SVG}}}metadata"):
        root.remove(metadata)
    _drop_global_style(root)
    _prefix_ids(root, key)
    _unwrap_marker_groups(root, key)
    _drop_indentation(root)
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("width", "100%")
    root.set("style", f"height:auto;max-width:{MAX_WIDTH_PX}px")
    root.set("role", "img")
    root.set("aria-labelledby", f"{key}-title {key}-desc")
    title_element = etree.Element(f"{{{SVG}}}title", id=f"{key}-title")
    title_element.text = title
    desc_element = etree.Element(f"{{{SVG}}}desc", id=f"{key}-desc")
    desc_element.text = desc
    root.insert(0, desc_element)
    root.insert(0, title_element)
    svg: str = etree.tostring(root, encoding="unicode")
    return svg


def _drop_global_style(root: etree._Element) -> None:
    """Matplotlib's ``<style>`` says ``*{…}``, which inlined would reach every element of the page.

    Its two declarations become presentation attributes of the root, which every element inherits.
    """
    for defs in root.findall(f"{{{SVG}}}defs"):
        for style in defs.findall(f"{{{SVG}}}style"):
            defs.remove(style)
        if len(defs) == 0:
            root.remove(defs)
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")


def _prefix_ids(root: etree._Element, key: str) -> None:
    """Ids we set keep theirs; referenced ones (clip paths, markers) get the key; the rest are dropped."""
    prefix = f"{key}-"
    referenced: set[str] = set()
    for element in root.iter():
        href = element.get(XLINK_HREF)
        if href and href.startswith("#"):
            referenced.add(href[1:])
        referenced.update(_URL_REF.findall(element.get("clip-path", "")))
    renamed: dict[str, str] = {}
    for element in root.iter():
        old = element.get("id")
        if old is None or old.startswith(prefix):
            continue
        if old in referenced:
            renamed[old] = prefix + old
            element.set("id", prefix + old)
        else:
            del element.attrib["id"]
    for element in root.iter():
        href = element.get(XLINK_HREF)
        if href and href[1:] in renamed:
            element.set(XLINK_HREF, "#" + renamed[href[1:]])
        clip = element.get("clip-path")
        if clip:
            element.set("clip-path", _URL_REF.sub(lambda match: f"url(#{renamed[match[1]]})", clip))


def _drop_indentation(root: etree._Element) -> None:
    """Matplotlib indents its elements; inlined, that whitespace is only bytes in every page."""
    for element in root.iter():
        if element.text is not None and not element.text.strip() and len(element):
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
        path = element.get("d")
        if path is not None:
            element.set("d", " ".join(path.split()))


def _unwrap_marker_groups(root: etree._Element, key: str) -> None:
    """Matplotlib wraps a line's markers in a ``<g>``; lift them to be the line group's own children.

    The ``<g>`` may carry the clip path, which each lifted marker takes over.
    """
    lines = [g for g in root.iter(f"{{{SVG}}}g") if g.get("id", "").startswith(f"{key}-line-")]
    for line in lines:
        for group in line.findall(f"{{{SVG}}}g"):
            clip = group.get("clip-path")
            position = line.index(group)
            for offset, child in enumerate(list(group)):
                if clip is not None:
                    child.set("clip-path", clip)
                line.insert(position + offset, child)
            line.remove(group)
