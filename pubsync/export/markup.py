"""Escaping for Markdown and HTML output, and the author line with the owner(s) marked.

Braces always become entities: Jekyll runs Liquid over pages (`{{`, `{%`) and Hugo runs shortcodes (`{{<`), and an
entity is the one spelling both leave alone while the browser still shows the brace.
"""
from __future__ import annotations

import html
import re

from pubsync.export.prepared import View
from pubsync.export.workview import holds_any, one_line
from pubsync.records import Work
from pubsync.settings import Person

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|$~^])")
_MD_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def md(text: object) -> str:
    """Plain text → Markdown (kramdown/Goldmark) that shows exactly that text, on one line, with no raw HTML."""
    return md_line(one_line(text))


def md_line(text: str) -> str:
    """md() of text already on one line (workview.one_line)."""
    if holds_any(text, _MD_CHARS, _MD_ANY):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("{", "&#123;").replace("}", "&#125;")
        text = _MD_SPECIAL.sub(_backslashed, text)
    if _MD_LINE_START.match(text):
        text = _MD_LINE_START.sub(_backslashed, text)
    return text


# Any character md() changes; most names and titles have none, and then md() only checks the line start.
_MD_CHARS = "&<>{}\\`*_[]|$~^"
_MD_ANY = re.compile(r"[&<>{}\\`*_\[\]|$~^]")


def _backslashed(m: re.Match[str]) -> str:
    return "\\" + m.group(1)


def h(text: object) -> str:
    """Plain text → HTML text or attribute value, on one line."""
    return h_line(one_line(text))


def h_line(text: str) -> str:
    """h() of text already on one line (workview.one_line)."""
    if _H_ANY.search(text):
        text = html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")
    return text


_H_ANY = re.compile(r"[&<>\"'{}]")


def authors_markdown(work: Work, people: list[Person], view: View | None = None) -> str:
    """'**Yifei He\\***, Pranit Chawla\\*, …' — owners bold, equal-contribution marks kept."""
    if view is None:
        view = View(work, people)
    text = view.cached.get("authors_markdown")
    if text is None:
        parts = []
        for _, _, name, marks, mine in view.authors:
            if not name:
                continue
            text = md_line(name) + md_line(marks) if marks else md_line(name)
            parts.append(f"**{text}**" if mine else text)
        if parts and not work.authors_complete:
            parts.append("et al.")
        text = view.cached["authors_markdown"] = ", ".join(parts)
    return text


def authors_html(work: Work, people: list[Person], view: View | None = None) -> str:
    if view is None:
        view = View(work, people)
    text = view.cached.get("authors_html")
    if text is None:
        parts = [f'<strong class="author-self">{text}</strong>' if mine else text for text, mine in html_names(view)]
        if parts and not work.authors_complete:
            parts.append("et al.")
        text = view.cached["authors_html"] = ", ".join(parts)
    return text


def html_names(view: View) -> list[tuple[str, bool]]:
    """(h(name + marks), is_owner) per named author: the html list and academicpages' citation both write these."""
    names = view.cached.get("html_names")
    if names is None:
        names = view.cached["html_names"] = [(h_line(name + marks), mine) for _, _, name, marks, mine in view.authors
                                             if name]
    return names
