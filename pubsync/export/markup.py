"""Escaping for Markdown and HTML output, and the author line with the site's people marked.

Braces always become entities: Jekyll runs Liquid over pages (`{{`, `{%`) and Hugo runs shortcodes (`{{<`), and an
entity is the one spelling both leave alone while the browser still shows the brace.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pubsync.export.view import View

INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|$~^])")
_MD_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def one_line(text: object) -> str:
    """Text on one line, whitespace collapsed, control characters and lone surrogates dropped."""
    if text is None:
        return ""
    text = str(text)
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text                # already one line: printable text holds no whitespace but the ASCII space
    return " ".join(INVISIBLE.sub("", text).split())


def md(text: object) -> str:
    """Plain text → Markdown (kramdown/Goldmark) that shows exactly that text, on one line, with no raw HTML."""
    return _MD_LINE_START.sub(r"\\\1", _md_piece(one_line(text)))


def _md_piece(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text.replace("{", "&#123;").replace("}", "&#125;"))


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


# ---- inline markup from the sources: sanitized once, rendered per format ------------------------------------
#
# Titles, venues and abstracts arrive with inline HTML (Crossref/OpenAlex: <i>, <sub>, JATS <scp>, MathML) and
# sometimes with hostile HTML (anyone can type a title into ORCID). sanitize() keeps the allowed inline markup and
# nothing else; rich() parses that into a small tree each format renders in its own syntax.

ALLOWED_TAGS = {"i", "em", "b", "strong", "sub", "sup", "span"}
SMALL_CAPS_STYLE = "font-variant:small-caps"
_TAG_NAMES = {"i": "i", "em": "i", "b": "b", "strong": "b", "sub": "sub", "sup": "sup"}   # the tree's names
# MathML: the element names whose text is dropped (a TeX or other encoding of what is already shown).
_MATH_DROPPED = {"annotation", "annotation-xml", "none", "mprescripts"}

Rich = tuple   # of nodes: str (text) or (name, Rich) with name in i, b, sub, sup, sc


def _keep_small_caps(tag: str, attr: str, value: str) -> str | None:
    if tag == "span" and attr == "style" and "small-caps" in value.replace(" ", "").lower():
        return SMALL_CAPS_STYLE
    return None


class _MathFlattener(HTMLParser):
    """MathML and JATS small caps → the inline HTML nh3 keeps: <msub>/<msup> become <sub>/<sup> around their
    second child, other MathML elements their text, <scp> a small-caps span. Everything else is passed on as
    written, for nh3 to judge."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.math: list[list] = []      # open MathML elements: [local name, children seen, closing tag to emit]
        self.dropped = 0

    @staticmethod
    def _local(tag: str) -> str:
        return tag.split(":", 1)[1] if tag.startswith("mml:") else tag

    def _is_math(self, tag: str) -> bool:
        return tag.startswith("mml:") or tag == "math" or bool(self.math)

    def handle_starttag(self, tag, attrs):
        if tag == "scp":
            self.out.append(f'<span style="{SMALL_CAPS_STYLE}">')
            return
        if not self._is_math(tag):
            self.out.append(self.get_starttag_text() or "")
            return
        name = self._local(tag)
        close = ""
        if self.math:
            parent = self.math[-1]
            parent[1] += 1
            if parent[0] in ("msub", "msup") and parent[1] == 2:
                wrap = "sub" if parent[0] == "msub" else "sup"
                self.out.append(f"<{wrap}>")
                close = f"</{wrap}>"
        if name in _MATH_DROPPED:
            self.dropped += 1
        self.math.append([name, 0, close])

    def handle_startendtag(self, tag, attrs):
        if self._is_math(tag) or tag == "scp":
            return
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        if tag == "scp":
            self.out.append("</span>")
        elif self.math and self._local(tag) == self.math[-1][0]:
            name, _, close = self.math.pop()
            if name in _MATH_DROPPED:
                self.dropped -= 1
            self.out.append(close)
        elif not self.math:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.dropped:
            self.out.append(data.replace("<", "&lt;") if self.math else data)

    def handle_entityref(self, name):
        if not self.dropped:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.dropped:
            self.out.append(f"&#{name};")

    def handle_comment(self, data):
        pass


def sanitize(text: object) -> str:
    """Source text → HTML holding only the allowed inline markup, on one line. Scripts and styles go with their
    content, every other tag goes and its text stays, MathML becomes its text (sub/superscripts kept)."""
    return _sanitize(one_line(text))


@lru_cache(maxsize=1 << 14)
def _sanitize(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text
    if "<" in text:
        flattener = _MathFlattener()
        flattener.feed(text)
        flattener.close()
        text = "".join(flattener.out)
    import nh3       # here, not at the top: most titles hold no markup, and keys and sorting need no extension
    cleaned = nh3.clean(text, tags=ALLOWED_TAGS, attributes={"span": {"style"}}, attribute_filter=_keep_small_caps,
                        clean_content_tags={"script", "style"}, strip_comments=True, link_rel=None,
                        url_schemes=set())
    return one_line(cleaned)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, list]] = [("", [])]

    def handle_starttag(self, tag, attrs):
        name = "sc" if tag == "span" and dict(attrs).get("style") == SMALL_CAPS_STYLE else _TAG_NAMES.get(tag, "")
        self.stack.append((name, []))

    def handle_endtag(self, tag):
        if len(self.stack) > 1:
            name, kids = self.stack.pop()
            parent = self.stack[-1][1]
            if name:
                parent.append((name, tuple(kids)))
            else:                       # a span without small caps: its text only
                parent.extend(kids)

    def handle_data(self, data):
        kids = self.stack[-1][1]
        if kids and isinstance(kids[-1], str):
            kids[-1] += data
        else:
            kids.append(data)


def rich(text: object) -> Rich:
    """Source text → its sanitized inline markup as a tree: ('plain ', ('i', ('Pinus radiata',)), ' text')."""
    return _rich(one_line(text))


@lru_cache(maxsize=1 << 14)
def _rich(text: str) -> Rich:
    clean = _sanitize(text)
    if "<" not in clean and "&" not in clean:
        return (clean,) if clean else ()
    builder = _TreeBuilder()
    builder.feed(clean)
    builder.close()
    while len(builder.stack) > 1:
        builder.handle_endtag("")
    return tuple(builder.stack[0][1])


def plain(nodes: Rich) -> str:
    """The text alone: slugs, file names, citation keys, citations.yml."""
    return "".join(n if isinstance(n, str) else plain(n[1]) for n in nodes)


def render_rich(nodes: Rich, text, tags: dict[str, tuple[str, str]]) -> str:
    """Each text piece through `text`, each element between its (open, close) pair from `tags`."""
    out = []
    for n in nodes:
        if isinstance(n, str):
            out.append(text(n))
        else:
            start, end = tags[n[0]]
            out.append(start + render_rich(n[1], text, tags) + end)
    return "".join(out)


HTML_TAGS = {"i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "sub": ("<sub>", "</sub>"), "sup": ("<sup>", "</sup>"),
             "sc": (f'<span style="{SMALL_CAPS_STYLE}">', "</span>")}
# CSL's rich-text tags (CSL-JSON specification, "HTML-like formatting tags").
CSL_TAGS = {**HTML_TAGS, "sc": ('<span style="font-variant:small-caps;">', "</span>")}


def _html_piece(text: str) -> str:
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def rich_html(nodes: Rich) -> str:
    """HTML with the allowed tags; text escaped, braces as entities (Liquid, Hugo shortcodes)."""
    return render_rich(nodes, _html_piece, HTML_TAGS)


def rich_html_value(nodes: Rich) -> str:
    """HTML for a value in a data file (papers.yml): like rich_html, braces kept (templates print data values, they
    never run them)."""
    return render_rich(nodes, lambda t: html.escape(t, quote=True), HTML_TAGS)


def rich_md(nodes: Rich) -> str:
    """Markdown: the allowed tags as inline HTML, the text escaped as md() escapes it."""
    if len(nodes) == 1 and isinstance(nodes[0], str):
        return md(nodes[0])
    return _MD_LINE_START.sub(r"\\\1", render_rich(nodes, _md_piece, HTML_TAGS))


def rich_csl(nodes: Rich) -> str:
    """CSL-JSON rich text: CSL's tags; the text as it is but for < and >, as entities, so no text reads as a tag."""
    return render_rich(nodes, lambda t: t.replace("<", "&lt;").replace(">", "&gt;"), CSL_TAGS)
