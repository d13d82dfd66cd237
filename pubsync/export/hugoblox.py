"""Hugo Blox (formerly Wowchemy "Academic") page bundles: `content/publication/<slug>/index.md` + `cite.bib`.

Front matter as Hugo Blox's publication template has it (docs: site-formats.md §3): `title`, `authors` (a person of
the site by their author page name when `author_pages` maps them, e.g. "admin"), `author_notes` (equal
contribution), `date`, `publication_types` (the CSL type, as current Hugo Blox reads it), `publication`, `publication_short`, `abstract`, `doi` (and Hugo Blox
2024's `hugoblox.ids.doi`), `featured` (curation `selected`), `url_pdf`/`url_code`/… for the buttons both
Wowchemy and Hugo Blox know, `links` for the others, `tags`. `title`, `publication` and `abstract` are HTML (the
sources' sanitized inline markup), which Hugo Blox prints through markdownify; braces are entities, because
markdownify runs shortcodes (`{{% notice %}}` in a title fails the build).

Every index.md carries `generated_by: pubsync`: a later run replaces or removes only bundles whose index.md has it
(writer.py), and only the two files it writes; a bundle's other files (featured.png, index.pdf) stay.
"""
from __future__ import annotations

from dataclasses import replace

from pubsync.export import bibtex, validate_options, yamlout
from pubsync.export.csl import CSL_TYPES
from pubsync.export.markup import rich_html
from pubsync.export.view import View, safe_id, short_venue, view
from pubsync.names import owners, slugify
from pubsync.records import Work

# Link types with a front matter field of their own in both Wowchemy and Hugo Blox; the others go to `links`.
URL_FIELDS = ("pdf", "code", "dataset", "poster", "slides", "video")
AUTHOR_NOTES = {"*": "Equal contribution", "†": "Corresponding author"}
LINK_NAMES = {"arxiv": "arXiv", "html": "Publisher", "website": "Website", "supp": "Supplementary", "blog": "Blog"}


def render(works: list[Work], ctx) -> dict[str, bytes]:
    """{"<slug>/index.md": page, "<slug>/cite.bib": entry}; a slug two works share gets the key appended."""
    bib_ctx = replace(ctx, site_kind="plain",
                      options=validate_options("bibtex", {"custom_fields": False, "front_matter": False}))
    files: dict[str, bytes] = {}
    for work in works:
        v = view(work, ctx.people, ctx.site_kind)
        slug = slugify(v.title, fallback=work.key)
        if f"{slug}/index.md" in files:
            slug = f"{slug}-{slugify(work.key, max_len=40)}"
        n = 2
        while f"{slug}/index.md" in files:
            slug, n = f"{slugify(v.title, fallback=work.key)}-{n}", n + 1
        files[f"{slug}/index.md"] = page(work, v, ctx)
        files[f"{slug}/cite.bib"] = bibtex.entry(work, bib_ctx).encode("utf-8")
    return files


def page(work: Work, v: View, ctx) -> bytes:
    pages = ctx.options["author_pages"]
    fm: dict = {"title": rich_html(v.title_rich)}
    authors, notes = [], []
    for a, person in zip(v.authors, owners(work, ctx.people)):      # view() keeps one AuthorView per author
        if a.display:
            page_name = (pages.get(person.key) or pages.get(person.name)) if person else ""
            authors.append(page_name or a.display)
            notes.append(AUTHOR_NOTES.get(a.marks, a.marks))
    if authors and not work.authors_complete:
        authors.append("et al.")
        notes.append("")
    fm["authors"] = authors
    if any(notes):
        fm["author_notes"] = notes
    fm["date"] = f"{v.iso_date}T00:00:00Z"
    fm["publication_types"] = [CSL_TYPES.get(work.type, "document")]
    if work.venue:
        fm["publication"] = rich_html(v.venue_rich)
    short = short_venue(work)
    if work.extra.get("abbr") and short:
        fm["publication_short"] = rich_html(short)
    if v.abstract:
        fm["abstract"] = rich_html(v.abstract_rich)
    doi = safe_id(work.ids.get("doi", ""))
    if doi:
        fm["doi"] = doi
    fm["featured"] = bool(work.extra.get("selected"))
    for kind in URL_FIELDS:
        if kind in v.links:
            fm[f"url_{kind}"] = v.links[kind]
    others = [{"type": kind, "name": LINK_NAMES.get(kind, kind.replace("_", " ").capitalize()), "url": url}
              for kind, url in v.links.items() if kind not in URL_FIELDS and kind != "doi"]
    if others:
        fm["links"] = others
    tags = work.extra.get("tags")
    if isinstance(tags, list) and tags:
        fm["tags"] = [str(t) for t in tags]
    if doi:
        fm["hugoblox"] = {"ids": {"doi": doi}}
    fm["generated_by"] = "pubsync"
    return ("---\n" + yamlout.dump(fm) + "---\n").encode("utf-8")


def is_ours(data: bytes) -> bool:
    """True for an index.md whose front matter has `generated_by: pubsync` (the academicpages rule)."""
    from pubsync.export.academicpages import is_ours as marked
    return marked(data)
