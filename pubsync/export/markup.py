"""Escaping for Markdown and HTML output, and the author line with the site's people marked.

Braces always become entities: Jekyll runs Liquid over pages (`{{`, `{%`) and Hugo runs shortcodes (`{{<`), and an
entity is the one spelling both leave alone while the browser still shows the brace.
"""
from __future__ import annotations

import html
import re

from pubsync.export.view import View, one_line

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|$~^])")
_MD_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def md(text: object) -> str:
    """Plain text → Markdown (kramdown/Goldmark) that shows exactly that text, on one line, with no raw HTML."""
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text.replace("{", "&#123;").replace("}", "&#125;"))
    return _MD_LINE_START.sub(r"\\\1", text)


def h(text: object) -> str:
    """Plain text → HTML text or attribute value, on one line."""
    return html.escape(one_line(text), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def authors_markdown(v: View, complete: bool) -> str:
    """'**Yifei He\\***, Pranit Chawla\\*, …' — the site's people bold, equal-contribution marks kept."""
    parts = []
    for a in v.authors:
        if a.display:
            text = md(a.display) + md(a.marks)
            parts.append(f"**{text}**" if a.mine else text)
    if parts and not complete:
        parts.append("et al.")
    return ", ".join(parts)


def authors_html(v: View, complete: bool) -> str:
    parts = [f'<strong class="author-self">{text}</strong>' if mine else text for text, mine in html_names(v)]
    if parts and not complete:
        parts.append("et al.")
    return ", ".join(parts)


def html_names(v: View) -> list[tuple[str, bool]]:
    """(escaped name with marks, is one of the site's people) per named author."""
    return [(h(a.display + a.marks), a.mine) for a in v.authors if a.display]
