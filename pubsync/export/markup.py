"""Escaping for Markdown and HTML output, and the author line with the owner(s) marked.

Braces always become entities: Jekyll runs Liquid over pages (`{{`, `{%`) and Hugo runs shortcodes (`{{<`), and an
entity is the one spelling both leave alone while the browser still shows the brace.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from pubsync.export.names import author_parts, owners
from pubsync.export.workview import one_line
from pubsync.records import Work
from pubsync.settings import Person

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|$~^])")
_MD_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def md(text: object) -> str:
    """Plain text → Markdown (kramdown/Goldmark) that shows exactly that text, on one line, with no raw HTML."""
    text = one_line(text)
    if _MD_ANY.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("{", "&#123;").replace("}", "&#125;")
        text = _MD_SPECIAL.sub(_backslashed, text)
    if _MD_LINE_START.match(text):
        text = _MD_LINE_START.sub(_backslashed, text)
    return text


# Any character md() changes; most names and titles have none, and then md() only checks the line start.
_MD_ANY = re.compile(r"[&<>{}\\`*_\[\]|$~^]")


def _backslashed(m: re.Match[str]) -> str:
    return "\\" + m.group(1)


def h(text: object) -> str:
    """Plain text → HTML text or attribute value, on one line."""
    text = one_line(text)
    if _H_ANY.search(text):
        text = html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")
    return text


_H_ANY = re.compile(r"[&<>\"'{}]")


def author_names(work: Work, people: list[Person]) -> list[tuple[str, str, bool]]:
    """(name, marks, is_owner) per author; an owner is written as the Person's own name."""
    out = []
    for author, person in zip(work.authors, owners(work, people)):
        _, _, name, marks = author_parts(author.name, author.family, author.given)
        if person:
            name = _person_display(person.name)
        if name:
            out.append((name, marks, person is not None))
    return out


@lru_cache(maxsize=256)
def _person_display(name: str) -> str:
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        name = f"{given.strip()} {family.strip()}"
    return name


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
