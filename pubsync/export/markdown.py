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

from pubsync.export.markup import authors_html, authors_markdown, h, md
from pubsync.export.prepared import View, views
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


def groups(works: list[Work], ctx) -> list[tuple[str, list[tuple[Work, View]]]]:
    """[(heading, [(work, view)])], in display order; one group with an empty heading when not grouped."""
    opts = ctx.options
    ordered = views(works, ctx.people)
    if opts["selected_only"]:
        ordered = [(w, v) for w, v in ordered if w.extra.get("selected")]
    if opts["group_by"] == "year":
        out: dict[str, list[tuple[Work, View]]] = {}
        for w, v in ordered:
            out.setdefault(str(w.year) if w.year else "Undated", []).append((w, v))
        return list(out.items())
    if opts["group_by"] == "selected":
        chosen = [(w, v) for w, v in ordered if w.extra.get("selected")]
        rest = [(w, v) for w, v in ordered if not w.extra.get("selected")]
        return [(head, ws) for head, ws in (("Selected publications", chosen), ("Other publications", rest)) if ws]
    return [("", ordered)]


def markdown_item(work: Work, ctx, view: View | None = None) -> str:
    if view is None:
        view = View(work, ctx.people)
    opts = ctx.options
    available = view.links(work, ctx.site_kind)
    url = best_link(work, ctx.site_kind, opts["link_order"], available)
    title = md(view.title) or "Untitled"
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
    title = h(view.title) or "Untitled"
    line = f'<a class="pub-title" href="{h(url)}">{title}</a>' if url else f'<span class="pub-title">{title}</span>'
    extra = buttons(available, url) if available else None
    if extra:
        line += " [" + " / ".join([f'<a href="{h(u)}">{kind}</a>' for kind, u in extra]) + "]"
    authors = authors_html(work, ctx.people, view)
    if authors:
        line += f'<br>\n    <span class="pub-authors">{authors}</span>'
    venue = venue_line(work, opts["venue"], view)
    if venue:
        line += f'<br>\n    <em class="pub-venue">{h(venue)}</em>'
    return f"  <li>\n    {line}\n  </li>"


def _render(works: list[Work], ctx, item: Callable[[Work, Any, View], str], heading: Callable[[str], str],
            wrap: Callable[[list[str]], str]) -> str:
    blocks = []
    for head, group in groups(works, ctx):
        items = wrap([item(w, ctx, v) for w, v in group])
        blocks.append(f"{heading(head)}\n\n{items}" if head else items)
    return "\n\n".join(blocks)


def render_markdown(works: list[Work], ctx) -> dict[str, bytes]:
    body = _render(works, ctx, markdown_item, lambda head: f"### {md(head)}", "\n".join)
    return {"": f"\n{body}\n\n".encode("utf-8", "replace")}


def render_html(works: list[Work], ctx) -> dict[str, bytes]:
    body = _render(works, ctx, html_item, lambda head: f'<h3 class="pub-year">{h(head)}</h3>',
                   lambda items: '<ul class="publications">\n' + "\n".join(items) + "\n</ul>")
    return {"": f"{body}\n".encode("utf-8", "replace")}
