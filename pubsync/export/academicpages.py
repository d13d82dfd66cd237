"""academicpages' `_publications/<YYYY-MM-DD>-<slug>.md`: one page per work, front matter as its template has it.

Every page carries `generated_by: pubsync` in its front matter: that is how a later run knows which pages it may
replace or remove; pages without it are never touched. Values academicpages passes through markdownify (title,
excerpt, venue, citation) are HTML-escaped, and the body's braces are entities, so no Liquid or HTML gets in.
"""
from __future__ import annotations

import html
import re

from pubsync.export import yamlout
from pubsync.export.markup import author_names, h, md
from pubsync.export.slug import slugify
from pubsync.export.workview import best_link, iso_date, links, one_line, sort_works
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


def _escape(text: str) -> str:
    # Quotes stay: these values are never inside an attribute, and &#x27; would show in a double-escaped <title>.
    return html.escape(one_line(text), quote=False)


def _escape_tags(text: str) -> str:
    """For the title: only < and >, which could open a tag once markdownified; '&' stays for a clean <title>."""
    return one_line(text).replace("<", "&lt;").replace(">", "&gt;")


def citation(work: Work, ctx) -> str:
    """'Yifei He, Yuzheng Hu. (2024). &quot;Title.&quot; <i>Venue</i>.' — HTML, as academicpages' generator writes."""
    names = ", ".join(h(name + marks) for name, marks, _ in author_names(work, ctx.people))
    if names and not work.authors_complete:
        names += ", et al."
    parts = [names + ("" if names.endswith(".") else ".") if names else ""]
    if work.year:
        parts.append(f"({work.year}).")
    parts.append(f"&quot;{h(work.title.rstrip('.'))}.&quot;")
    if work.venue:
        parts.append(f"<i>{h(work.venue)}</i>.")
    return " ".join(p for p in parts if p)


def _excerpt(work: Work, length: int) -> str:
    text = one_line(work.extra.get("excerpt") or work.abstract)
    if length == 0 or not text:
        return ""
    if len(text) > length:
        cut = text[:length]
        text = (cut[:cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"
    return text


def page(work: Work, stem: str, ctx) -> bytes:
    opts = ctx.options
    work_links = links(work, ctx.site_kind)
    paperurl = work_links.get("pdf") or best_link(work, ctx.site_kind, available=work_links)
    cite = citation(work, ctx)
    fm = [("title", yamlout.quote(_escape_tags(work.title))), ("collection", "publications"),
          ("category", CATEGORIES.get(work.type, "manuscripts")), ("permalink", f"/publication/{stem}")]
    excerpt = _excerpt(work, opts["excerpt_length"])
    if excerpt:
        fm.append(("excerpt", yamlout.quote(_escape(excerpt))))
    fm.append(("date", iso_date(work)))
    if work.venue:
        fm.append(("venue", yamlout.quote(_escape(work.venue))))
    if paperurl:
        fm.append(("paperurl", yamlout.quote(paperurl)))
    if work_links.get("slides"):
        fm.append(("slidesurl", yamlout.quote(work_links["slides"])))
    fm.append(("citation", yamlout.quote(cite)))
    fm.append((MARKER_KEY, MARKER_VALUE))
    body = []
    if paperurl:
        body.append(f'<a href="{h(paperurl)}">Download paper here</a>')
    if work.abstract:
        body.append(md(work.abstract))
    body.append(f"Recommended citation: {cite}")
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in fm) + "---\n\n" + "\n\n".join(body) + "\n"
    return text.encode("utf-8", "replace")


def render(works: list[Work], ctx) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for work in sort_works(works):
        date = iso_date(work)
        slug = slugify(work.key if ctx.options["slug"] == "key" else work.title, fallback=work.key)
        stem = f"{date}-{slug}"
        if f"{stem}.md" in files:
            stem = f"{stem}-{slugify(work.key, max_len=40)}"
        n = 2
        while f"{stem}.md" in files:          # same title, date and key prefix: only in broken data
            stem, n = f"{date}-{slug}-{n}", n + 1
        files[f"{stem}.md"] = page(work, stem, ctx)
    return files
