"""academicpages' `_publications/<YYYY-MM-DD>-<slug>.md`: one page per work, front matter as its template has it.

Every page carries `generated_by: pubsync` in its front matter: that is how a later run knows which pages it may
replace or remove; pages without it are never touched. Values academicpages passes through markdownify (title,
excerpt, venue, citation) are HTML-escaped, and the body's braces are entities, so no Liquid or HTML gets in.
"""
from __future__ import annotations

import html
import re

from pubsync.export import yamlout
from pubsync.export.markup import h, h_line, html_names, md_line
from pubsync.export.slug import slugify
from pubsync.export.prepared import View
from pubsync.export.workview import best_link, one_line
from pubsync.records import Work

MARKER_KEY = "generated_by"
MARKER_VALUE = "pubsync"
_MARKER_LINE = re.compile(rb'^generated_by:\s*["\']?pubsync["\']?\s*$')
CATEGORIES = {"conference-paper": "conferences", "book": "books", "book-chapter": "books"}


def is_ours(data: bytes) -> bool:
    """True for a page whose front matter has `generated_by: pubsync`."""
    lines = data.splitlines()
    if not lines or lines[0].strip() != b"---":
        return False
    for line in lines[1:]:
        if line.strip() == b"---":
            return False
        if _MARKER_LINE.match(line.strip()):
            return True
    return False


def citation(work: Work, ctx, view: View | None = None) -> str:
    """'Yifei He, Yuzheng Hu. (2024). &quot;Title.&quot; <i>Venue</i>.' — HTML, as academicpages' generator writes."""
    if view is None:
        view = View(work, ctx.people)
    names = ", ".join([text for text, _ in html_names(view)])
    if names and not work.authors_complete:
        names += ", et al."
    head = (names if names.endswith(".") else names + ".") + " " if names else ""
    year = f"({work.year}). " if work.year else ""
    venue = f" <i>{h_line(view.venue)}</i>." if work.venue else ""
    return f"{head}{year}&quot;{h(work.title.rstrip('.'))}.&quot;{venue}"


def _excerpt(work: Work, length: int, view: View) -> str:
    excerpt = work.extra.get("excerpt")
    text = one_line(excerpt) if excerpt else view.abstract
    if length == 0 or not text:
        return ""
    if len(text) > length:
        cut = text[:length]
        text = (cut[:cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"
    return text


def page(work: Work, ctx, stem: str, view: View | None = None) -> bytes:
    """The page of a work whose file is `<stem>.md` (only its permalink holds the stem)."""
    if view is None:
        view = View(work, ctx.people)
    q = yamlout.quote
    work_links = view.links(work, ctx.site_kind)
    paperurl = work_links.get("pdf") or best_link(work, ctx.site_kind, available=work_links)
    cite = citation(work, ctx, view)
    excerpt = _excerpt(work, ctx.options["excerpt_length"], view)
    title = view.title
    if "<" in title or ">" in title:
        title = title.replace("<", "&lt;").replace(">", "&gt;")
    fm = [f"---\ntitle: {q(title)}\ncollection: publications\ncategory: {CATEGORIES.get(work.type, 'manuscripts')}\n"
          f"permalink: /publication/{stem}\n"]
    if excerpt:
        fm.append(f"excerpt: {q(_html_text(excerpt))}\n")
    fm.append(f"date: {view.iso_date}\n")
    if work.venue:
        fm.append(f"venue: {q(_html_text(view.venue))}\n")
    if paperurl:
        fm.append(f"paperurl: {q(paperurl)}\n")
    slides = work_links.get("slides")
    if slides:
        fm.append(f"slidesurl: {q(slides)}\n")
    fm.append(f"citation: {q(cite)}\n{MARKER_KEY}: {MARKER_VALUE}\n---\n\n")
    if paperurl:
        fm.append(f'<a href="{h_line(paperurl)}">Download paper here</a>\n\n')
    if work.abstract:
        fm.append(md_line(view.abstract) + "\n\n")
    fm.append(f"Recommended citation: {cite}\n")
    return "".join(fm).encode("utf-8", "replace")


def _html_text(text: str) -> str:
    """HTML-escaped, quotes kept: these values are never inside an attribute, and &#x27; would show in a
    double-escaped <title>. The text is already on one line."""
    if "&" in text or "<" in text or ">" in text:
        return html.escape(text, quote=False)
    return text


class Renderer:
    """A page is rendered with the file name its date and slug give. The name of a work depends on the others (a
    clash gets the key, then a number), so names are settled in assemble(), which rewrites the one place a page
    holds its name (the permalink) for the few pages whose name changed."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.by_key = ctx.options["slug"] == "key"

    def plan(self, works: list[Work]) -> None:
        return None

    def fragment(self, work: Work, view: View, arg: None) -> tuple[str, str, bytes]:
        date = view.iso_date
        slug = slugify(work.key if self.by_key else work.title, fallback=work.key)
        return date, slug, page(work, self.ctx, f"{date}-{slug}", view)

    def assemble(self, works: list[Work], fragments: list[tuple[str, str, bytes]]) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for work, (date, slug, text) in zip(works, fragments):
            stem = first = f"{date}-{slug}"
            if f"{stem}.md" in files:
                stem = f"{stem}-{slugify(work.key, max_len=40)}"
            n = 2
            while f"{stem}.md" in files:          # same title, date and key prefix: only in broken data
                stem, n = f"{date}-{slug}-{n}", n + 1
            files[f"{stem}.md"] = text if stem == first else _renamed(text, first, stem)
        return files


_PERMALINK = b"\npermalink: /publication/"


def _renamed(text: bytes, old: str, new: str) -> bytes:
    # The permalink line is the page's only one: the title before it is quoted on one line, so cannot hold another.
    return text.replace(_PERMALINK + old.encode("utf-8") + b"\n", _PERMALINK + new.encode("utf-8") + b"\n", 1)
