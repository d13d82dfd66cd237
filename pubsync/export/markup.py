"""Escaping for Markdown and HTML output, and the author line with the owner(s) marked.

Braces always become entities: Jekyll runs Liquid over pages (`{{`, `{%`) and Hugo runs shortcodes (`{{<`), and an
entity is the one spelling both leave alone while the browser still shows the brace.
"""
from __future__ import annotations

import html
import re

from pubsync.export.names import display, marks_of, owners
from pubsync.export.workview import one_line
from pubsync.records import Work
from pubsync.settings import Person

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|$~^])")
_MD_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def md(text: object) -> str:
    """Plain text → Markdown (kramdown/Goldmark) that shows exactly that text, on one line, with no raw HTML."""
    text = one_line(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("{", "&#123;").replace("}", "&#125;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(r"\\\1", text)


def h(text: object) -> str:
    """Plain text → HTML text or attribute value, on one line."""
    text = html.escape(one_line(text), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def author_names(work: Work, people: list[Person]) -> list[tuple[str, str, bool]]:
    """(name, marks, is_owner) per author; an owner is written as the Person's own name."""
    out = []
    for author, person in zip(work.authors, owners(work, people)):
        name = " ".join(person.name.split()) if person else display(author)
        if "," in name and person:
            family, _, given = name.partition(",")
            name = f"{given.strip()} {family.strip()}"
        if name:
            out.append((name, marks_of(author), person is not None))
    return out


def authors_markdown(work: Work, people: list[Person]) -> str:
    """'**Yifei He\\***, Pranit Chawla\\*, …' — owners bold, equal-contribution marks kept."""
    parts = []
    for name, marks, mine in author_names(work, people):
        text = md(name) + md(marks) if marks else md(name)
        parts.append(f"**{text}**" if mine else text)
    if parts and not work.authors_complete:
        parts.append("et al.")
    return ", ".join(parts)


def authors_html(work: Work, people: list[Person]) -> str:
    parts = []
    for name, marks, mine in author_names(work, people):
        text = h(name + marks)
        parts.append(f'<strong class="author-self">{text}</strong>' if mine else text)
    if parts and not work.authors_complete:
        parts.append("et al.")
    return ", ".join(parts)
