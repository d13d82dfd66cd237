"""The hand-kept publication list: a Markdown list (academicpages `_pages/publications.md`, any Jekyll/Hugo page)
or an HTML fragment (a plain `index.html`).

render gives only the list; write() puts it between `<!-- pubsync:start -->` and `<!-- pubsync:end -->` in the
existing page, so the rest of the page is never touched.

    * [Title](best link) [[code](…) / [website](…)]<br>
      **Owner Name\\***, Co Author\\*<br>
      *Venue 2025*
"""
from __future__ import annotations

from typing import Any, Callable

from pubsync.export.markup import authors_html, authors_markdown, h, h_line, md, md_line
from pubsync.export.engine import SKIP
from pubsync.export.prepared import View
from pubsync.export.workview import best_link, one_line, short_venue
from pubsync.records import Work

BUTTONS = ("arxiv", "pdf", "code", "website", "slides", "poster", "video", "blog", "supp", "dataset")


def venue_line(work: Work, which: str, view: View | None = None) -> str:
    if which == "short":
        venue = short_venue(work)
    else:
        venue = view.venue if view is not None else one_line(work.venue)
    if not venue and work.type == "preprint":
        venue = "arXiv preprint" if work.ids.get("arxiv") else "Preprint"
    year = str(work.year) if work.year else ""
    if year and year not in venue:
        return f"{venue} {year}".strip()
    return venue


def buttons(available: dict[str, str], title_url: str) -> list[tuple[str, str]]:
    return [(kind, available[kind]) for kind in BUTTONS if kind in available and available[kind] != title_url]


def markdown_item(work: Work, ctx, view: View | None = None) -> str:
    if view is None:
        view = View(work, ctx.people)
    opts = ctx.options
    available = view.links(work, ctx.site_kind)
    url = best_link(work, ctx.site_kind, opts["link_order"], available)
    title = md_line(view.title) or "Untitled"
    line = f"* [{title}]({url})" if url else f"* {title}"
    extra = buttons(available, url) if available else None
    if extra:
        line += " [" + " / ".join([f"[{kind}]({u})" for kind, u in extra]) + "]"
    authors = authors_markdown(work, ctx.people, view)
    if authors:
        line += f"<br>\n  {authors}"
    venue = venue_line(work, opts["venue"], view)
    if venue:
        line += f"<br>\n  *{md(venue)}*"
    return line


def html_item(work: Work, ctx, view: View | None = None) -> str:
    if view is None:
        view = View(work, ctx.people)
    opts = ctx.options
    available = view.links(work, ctx.site_kind)
    url = best_link(work, ctx.site_kind, opts["link_order"], available)
    title = h_line(view.title) or "Untitled"
    line = (f'<a class="pub-title" href="{h_line(url)}">{title}</a>' if url
            else f'<span class="pub-title">{title}</span>')
    extra = buttons(available, url) if available else None
    if extra:
        line += " [" + " / ".join([f'<a href="{h_line(u)}">{kind}</a>' for kind, u in extra]) + "]"
    authors = authors_html(work, ctx.people, view)
    if authors:
        line += f'<br>\n    <span class="pub-authors">{authors}</span>'
    venue = venue_line(work, opts["venue"], view)
    if venue:
        line += f'<br>\n    <em class="pub-venue">{h(venue)}</em>'
    return f"  <li>\n    {line}\n  </li>"


class _ListRenderer:
    """The list's items (works left out by `selected_only` get none), grouped under headings as `group_by` says."""
    item: Callable[[Work, Any, View], str]

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.opts = ctx.options

    def plan(self, works: list[Work]) -> list[Any] | None:
        if not self.opts["selected_only"]:
            return None
        return [None if work.extra.get("selected") else SKIP for work in works]

    def fragment(self, work: Work, view: View, arg: None) -> bytes:
        return self.item(work, self.ctx, view).encode("utf-8", "replace")

    def groups(self, works: list[Work], fragments: list[bytes | None]) -> list[tuple[str, list[bytes]]]:
        """[(heading, items)] in display order; one group with an empty heading when not grouped."""
        pairs = [(w, text) for w, text in zip(works, fragments) if text is not None]
        by = self.opts["group_by"]
        if by == "year":
            out: dict[str, list[bytes]] = {}
            for w, text in pairs:
                out.setdefault(str(w.year) if w.year else "Undated", []).append(text)
            return list(out.items())
        if by == "selected":
            chosen = [text for w, text in pairs if w.extra.get("selected")]
            rest = [text for w, text in pairs if not w.extra.get("selected")]
            return [(head, items) for head, items in (("Selected publications", chosen), ("Other publications", rest))
                    if items]
        return [("", [text for _, text in pairs])]


class MarkdownRenderer(_ListRenderer):
    item = staticmethod(markdown_item)

    def assemble(self, works: list[Work], fragments: list[bytes | None]) -> dict[str, bytes]:
        blocks = [f"### {md(head)}\n\n".encode("utf-8", "replace") + b"\n".join(items) if head else b"\n".join(items)
                  for head, items in self.groups(works, fragments)]
        return {"": b"\n" + b"\n\n".join(blocks) + b"\n\n"}


class HtmlRenderer(_ListRenderer):
    item = staticmethod(html_item)

    def assemble(self, works: list[Work], fragments: list[bytes | None]) -> dict[str, bytes]:
        blocks = []
        for head, items in self.groups(works, fragments):
            block = b'<ul class="publications">\n' + b"\n".join(items) + b"\n</ul>"
            heading = f'<h3 class="pub-year">{h(head)}</h3>\n\n'.encode("utf-8", "replace") if head else b""
            blocks.append(heading + block)
        return {"": b"\n\n".join(blocks) + b"\n"}
