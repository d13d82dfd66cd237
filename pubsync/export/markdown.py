"""The hand-kept publication list: a Markdown list (academicpages `_pages/publications.md`, any Jekyll/Hugo page)
or an HTML fragment (a plain `index.html`).

The render gives only the list; the writer puts it between `<!-- pubsync:start -->` and `<!-- pubsync:end -->` in
the existing page, so the rest of the page is never touched.

    * [Title](best link) [[code](…) / [website](…)]<br>
      **Owner Name\\***, Co Author\\*<br>
      *Venue 2025*
"""
from __future__ import annotations

from pubsync.export.markup import authors_html, authors_markdown, h, md, plain, rich_html, rich_md
from pubsync.export.view import View, best_link, short_venue, view
from pubsync.records import RELATED_LINKS, Work

BUTTONS = ("arxiv", "pdf", "code", "website", "slides", "poster", "video", "blog", "supp", "dataset", *RELATED_LINKS)


def render_markdown(works: list[Work], ctx) -> dict[str, bytes]:
    blocks = []
    for heading, members in _groups(works, ctx.options):
        items = "\n".join(markdown_item(work, ctx) for work in members)
        blocks.append(f"### {md(heading)}\n\n{items}" if heading else items)
    return {"": ("\n" + "\n\n".join(blocks) + "\n\n").encode("utf-8", "replace")}


def render_html(works: list[Work], ctx) -> dict[str, bytes]:
    blocks = []
    for heading, members in _groups(works, ctx.options):
        items = "\n".join(html_item(work, ctx) for work in members)
        head = f'<h3 class="pub-year">{h(heading)}</h3>\n\n' if heading else ""
        blocks.append(f'{head}<ul class="publications">\n{items}\n</ul>')
    return {"": ("\n\n".join(blocks) + "\n").encode("utf-8", "replace")}


def _groups(works: list[Work], opts: dict) -> list[tuple[str, list[Work]]]:
    """[(heading, works)] in display order; one group with an empty heading when not grouped."""
    if opts["selected_only"]:
        works = [w for w in works if w.extra.get("selected")]
    if opts.get("order") == "site":
        works = site_order(works)
    if opts["group_by"] == "year":
        years: dict[str, list[Work]] = {}
        for w in works:
            years.setdefault(str(w.year) if w.year else "Undated", []).append(w)
        return list(years.items())
    if opts["group_by"] == "selected":
        chosen = [w for w in works if w.extra.get("selected")]
        rest = [w for w in works if not w.extra.get("selected")]
        return [(head, group) for head, group in (("Selected publications", chosen), ("Other publications", rest))
                if group]
    return [("", works)]


def site_order(works: list[Work]) -> list[Work]:
    """Option `order = "site"`: entries adopted from the page in the owner's order (their place in it); works the
    page did not have first, newest first (the sort is stable over the date order the works come in)."""
    def place(work: Work) -> tuple:
        origin = work.extra.get("_site") or {}
        return (1, origin.get("file", ""), origin.get("position", 0)) if origin else (0, "", 0)
    return sorted(works, key=place)


def venue_line(work: Work, which: str, v: View) -> tuple:
    """The venue and year as sanitized markup (markup.rich)."""
    venue = short_venue(work) if which == "short" else v.venue_rich
    if not venue and work.type == "preprint":
        venue = ("arXiv preprint" if work.ids.get("arxiv") else "Preprint",)
    year = str(work.year) if work.year else ""
    if year and year not in plain(venue):
        return venue + (f" {year}",) if venue else (year,)
    return venue


def _buttons(available: dict[str, str], title_url: str) -> list[tuple[str, str]]:
    return [(kind.replace("_", " "), available[kind]) for kind in BUTTONS
            if kind in available and available[kind] != title_url]


def markdown_item(work: Work, ctx) -> str:
    v = view(work, ctx.people, ctx.site_kind)
    url = best_link(work, v.links, ctx.options["link_order"])
    title = rich_md(v.title_rich) or "Untitled"
    line = f"* [{title}]({url})" if url else f"* {title}"
    buttons = _buttons(v.links, url)
    if buttons:
        line += " [" + " / ".join(f"[{kind}]({u})" for kind, u in buttons) + "]"
    authors = authors_markdown(v, work.authors_complete)
    if authors:
        line += f"<br>\n  {authors}"
    venue = venue_line(work, ctx.options["venue"], v)
    if venue:
        line += f"<br>\n  *{rich_md(venue)}*"
    return line


def html_item(work: Work, ctx) -> str:
    v = view(work, ctx.people, ctx.site_kind)
    url = best_link(work, v.links, ctx.options["link_order"])
    title = rich_html(v.title_rich) or "Untitled"
    line = (f'<a class="pub-title" href="{h(url)}">{title}</a>' if url
            else f'<span class="pub-title">{title}</span>')
    buttons = _buttons(v.links, url)
    if buttons:
        line += " [" + " / ".join(f'<a href="{h(u)}">{kind}</a>' for kind, u in buttons) + "]"
    authors = authors_html(v, work.authors_complete)
    if authors:
        line += f'<br>\n    <span class="pub-authors">{authors}</span>'
    venue = venue_line(work, ctx.options["venue"], v)
    if venue:
        line += f'<br>\n    <em class="pub-venue">{rich_html(venue)}</em>'
    return f"  <li>\n    {line}\n  </li>"
