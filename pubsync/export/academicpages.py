"""academicpages' `_publications/<YYYY-MM-DD>-<slug>.md`: one page per work, front matter as its template has it.

Every page carries `generated_by: pubsync` in its front matter: that is how a later run knows which pages it may
replace or remove; pages without it are never touched. Values academicpages passes through markdownify (title,
excerpt, venue, citation) are HTML-escaped, and the body's braces are entities, so no Liquid or HTML gets in.
"""
from __future__ import annotations

import html
import re

from pubsync.export import yamlout
from pubsync.export.markup import HTML_TAGS, h, html_names, one_line, render_rich, rich_html, rich_md
from pubsync.export.view import View, best_link, view
from pubsync.names import slugify
from pubsync.records import Work

MARKER_KEY = "generated_by"
MARKER_VALUE = "pubsync"
_MARKER_LINE = re.compile(rb'^generated_by:\s*["\']?pubsync["\']?\s*$')
CATEGORIES = {"conference-paper": "conferences", "book": "books", "book-chapter": "books"}


def render(works: list[Work], ctx) -> dict[str, bytes]:
    """{file name: page}. A name is the work's date and slug; a clash gets the key, then a number."""
    files: dict[str, bytes] = {}
    for work in works:
        v = view(work, ctx.people, ctx.site_kind)
        origin = work.extra.get("_site") or {}
        if origin.get("form") == "academicpages" and origin.get("file"):
            files[origin["file"].rsplit("/", 1)[-1]] = adopted_page(work, origin)
            continue
        slug = slugify(work.key if ctx.options["slug"] == "key" else v.title, fallback=work.key)
        stem = f"{v.iso_date}-{slug}"
        if f"{stem}.md" in files:
            stem = f"{stem}-{slugify(work.key, max_len=40)}"
        n = 2
        while f"{stem}.md" in files:          # same title, date and key prefix: only in broken data
            stem, n = f"{v.iso_date}-{slug}-{n}", n + 1
        files[f"{stem}.md"] = page(work, v, ctx, stem)
    return files


def adopted_page(work: Work, origin: dict) -> bytes:
    """A page adopted from the site (`pubsync adopt`) written back under its own name: the owner's front-matter keys
    in their order, title/venue/date as merged, every other key and the body as the owner wrote them; marked
    `generated_by: pubsync` and `adopted: true` (so this run, and later ones, may replace it)."""
    own = {"title": work.title, "venue": work.venue, "date": work.date if len(work.date) == 10 else None}
    lines = ["---"]
    for name in [*origin.get("front_matter", []), *[k for k in work.extra if k not in origin.get("front_matter", [])
                                                    and not k.startswith("_") and k != "body"
                                                    and f"extra.{k}" in work.provenance]]:
        if name in (MARKER_KEY, "adopted"):
            continue
        value = own.get(name) or work.extra.get(name)
        if value in (None, ""):
            continue
        if name == "date" and re.fullmatch(r"\d{4}-\d\d-\d\d", str(value)):
            lines.append(f"date: {value}")       # a YAML date, as academicpages writes it
        else:
            lines.append(yamlout.dump({name: value}).rstrip("\n"))
    lines += [f"{MARKER_KEY}: {MARKER_VALUE}", "adopted: true", "---"]
    body = work.extra.get("body") or "\n"
    return ("\n".join(lines) + "\n" + body).encode("utf-8", "replace")


def is_adopted(data: bytes) -> bool:
    """A page render made of a page adopted from the site: it may replace the owner's original."""
    return is_ours(data) and re.search(rb"^adopted: true$", data, re.M) is not None


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


def page(work: Work, v: View, ctx, stem: str) -> bytes:
    """The page of a work whose file is `<stem>.md` (its permalink)."""
    q = yamlout.quote
    paperurl = v.links.get("pdf") or best_link(work, v.links)
    cite = citation(work, v)
    excerpt = _excerpt(work, ctx.options["excerpt_length"], v)
    title = render_rich(v.title_rich, lambda t: t.replace('<', '&lt;').replace('>', '&gt;'), HTML_TAGS)
    fm = [f"---\ntitle: {q(title)}\ncollection: publications\n"
          f"category: {CATEGORIES.get(work.type, 'manuscripts')}\npermalink: /publication/{stem}\n"]
    if excerpt:
        fm.append(f"excerpt: {q(_html_text(excerpt))}\n")
    fm.append(f"date: {v.iso_date}\n")
    if work.venue:
        fm.append(f"venue: {q(render_rich(v.venue_rich, _html_text, HTML_TAGS))}\n")
    if paperurl:
        fm.append(f"paperurl: {q(paperurl)}\n")
    if v.links.get("slides"):
        fm.append(f"slidesurl: {q(v.links['slides'])}\n")
    fm.append(f"citation: {q(cite)}\n{MARKER_KEY}: {MARKER_VALUE}\n---\n\n")
    if paperurl:
        fm.append(f'<a href="{h(paperurl)}">Download paper here</a>\n\n')
    if work.abstract:
        fm.append(rich_md(v.abstract_rich) + "\n\n")
    fm.append(f"Recommended citation: {cite}\n")
    return "".join(fm).encode("utf-8", "replace")


def citation(work: Work, v: View) -> str:
    """'Yifei He, Yuzheng Hu. (2024). &quot;Title.&quot; <i>Venue</i>.' — HTML, as academicpages' generator writes."""
    names = ", ".join([text for text, _ in html_names(v)])
    if names and not work.authors_complete:
        names += ", et al."
    head = (names if names.endswith(".") else names + ".") + " " if names else ""
    year = f"({work.year}). " if work.year else ""
    venue = f" <i>{rich_html(v.venue_rich)}</i>." if work.venue else ""
    title = v.title_rich
    if title and isinstance(title[-1], str):
        title = title[:-1] + (title[-1].rstrip("."),)
    return f"{head}{year}&quot;{rich_html(title)}.&quot;{venue}"


def _excerpt(work: Work, length: int, v: View) -> str:
    excerpt = work.extra.get("excerpt")
    text = one_line(excerpt) if excerpt else v.abstract
    if length == 0 or not text:
        return ""
    if len(text) > length:
        cut = text[:length]
        text = (cut[:cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"
    return text


def _html_text(text: str) -> str:
    """HTML-escaped, quotes kept: these values are never inside an attribute, and &#x27; would show in a
    double-escaped <title>."""
    return html.escape(text, quote=False)
