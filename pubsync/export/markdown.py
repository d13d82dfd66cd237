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
from pubsync.export.workview import best_link, links, one_line, short_venue, sort_works
from pubsync.records import Work

BUTTONS = ("arxiv", "pdf", "code", "website", "slides", "poster", "video", "blog", "supp", "dataset")


def venue_line(work: Work, which: str) -> str:
    venue = short_venue(work) if which == "short" else one_line(work.venue)
    if not venue and work.type == "preprint":
        venue = "arXiv preprint" if work.ids.get("arxiv") else "Preprint"
    year = str(work.year) if work.year else ""
    if year and year not in venue:
        return f"{venue} {year}".strip()
    return venue


def buttons(available: dict[str, str], title_url: str) -> list[tuple[str, str]]:
    return [(kind, available[kind]) for kind in BUTTONS if kind in available and available[kind] != title_url]


def groups(works: list[Work], ctx) -> list[tuple[str, list[Work]]]:
    """[(heading, works)], in display order; one group with an empty heading when not grouped."""
    opts = ctx.options
    ordered = sort_works(works)
    if opts["selected_only"]:
        ordered = [w for w in ordered if w.extra.get("selected")]
    if opts["group_by"] == "year":
        out: dict[str, list[Work]] = {}
        for w in ordered:
            out.setdefault(str(w.year) if w.year else "Undated", []).append(w)
        return list(out.items())
    if opts["group_by"] == "selected":
        chosen = [w for w in ordered if w.extra.get("selected")]
        rest = [w for w in ordered if not w.extra.get("selected")]
        return [(head, ws) for head, ws in (("Selected publications", chosen), ("Other publications", rest)) if ws]
    return [("", ordered)]


def markdown_item(work: Work, ctx) -> str:
    available = links(work, ctx.site_kind)
    url = best_link(work, ctx.site_kind, ctx.options["link_order"], available)
    title = md(work.title) or "Untitled"
    line = f"* [{title}]({url})" if url else f"* {title}"
    extra = buttons(available, url)
    if extra:
        line += " [" + " / ".join(f"[{kind}]({u})" for kind, u in extra) + "]"
    lines = [line]
    authors = authors_markdown(work, ctx.people)
    if authors:
        lines.append(f"  {authors}")
    venue = venue_line(work, ctx.options["venue"])
    if venue:
        lines.append(f"  *{md(venue)}*")
    return "<br>\n".join(lines)


def html_item(work: Work, ctx) -> str:
    available = links(work, ctx.site_kind)
    url = best_link(work, ctx.site_kind, ctx.options["link_order"], available)
    title = h(work.title) or "Untitled"
    line = f'<a class="pub-title" href="{h(url)}">{title}</a>' if url else f'<span class="pub-title">{title}</span>'
    extra = buttons(available, url)
    if extra:
        line += " [" + " / ".join(f'<a href="{h(u)}">{kind}</a>' for kind, u in extra) + "]"
    lines = [line]
    authors = authors_html(work, ctx.people)
    if authors:
        lines.append(f'<span class="pub-authors">{authors}</span>')
    venue = venue_line(work, ctx.options["venue"])
    if venue:
        lines.append(f'<em class="pub-venue">{h(venue)}</em>')
    return "  <li>\n    " + "<br>\n    ".join(lines) + "\n  </li>"


def _render(works: list[Work], ctx, item: Callable[[Work, Any], str], heading: Callable[[str], str],
            wrap: Callable[[list[str]], str]) -> str:
    blocks = []
    for head, group in groups(works, ctx):
        items = wrap([item(w, ctx) for w in group])
        blocks.append(f"{heading(head)}\n\n{items}" if head else items)
    return "\n\n".join(blocks)


def render_markdown(works: list[Work], ctx) -> dict[str, bytes]:
    body = _render(works, ctx, markdown_item, lambda head: f"### {md(head)}", "\n".join)
    return {"": f"\n{body}\n\n".encode("utf-8", "replace")}


def render_html(works: list[Work], ctx) -> dict[str, bytes]:
    body = _render(works, ctx, html_item, lambda head: f'<h3 class="pub-year">{h(head)}</h3>',
                   lambda items: '<ul class="publications">\n' + "\n".join(items) + "\n</ul>")
    return {"": f"{body}\n".encode("utf-8", "replace")}
