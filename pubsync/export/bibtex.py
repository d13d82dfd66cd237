"""al-folio's `_bibliography/papers.bib`, also a plain BibTeX file for LaTeX (pybtex- and bibtex-clean).

One field per line, `key = {value}`, in a fixed order; al-folio's custom fields each on one line so its
hideCustomBibtex filter can strip them. No value contains `{{` or `{%`, so Liquid never sees a tag either.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pubsync.export import latex
from pubsync.export.prepared import View
from pubsync.export.workview import arxiv_link, one_line, safe_url
from pubsync.records import Work
from pubsync.settings import Person

# Standard fields a curation file may add (kept as text, after the generated ones).
STANDARD_EXTRAS = ("volume", "number", "pages", "publisher", "address", "location", "edition", "series", "editor",
                   "note", "isbn", "issn", "pmid")
# al-folio's custom fields, in the order they are written; link-like ones are URLs or bare file names.
ALFOLIO_FIELDS = ("arxiv", "google_scholar_id", "selected", "abbr", "preview", "pdf", "code", "html", "award",
                  "award_name", "bibtex_show", "additional_info", "annotation", "supp", "poster", "slides",
                  "website", "blog", "video", "hal", "altmetric", "dimensions", "inspirehep_id")
LINK_FIELDS = {"preview", "pdf", "code", "html", "supp", "poster", "slides", "website", "blog", "video"}
_AND = re.compile(r"\band\b", re.I)
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.+/\-]")
_GENERATED = {"title", "author", "key", "journal", "booktitle", "school", "institution", "howpublished", "year", "month",
              "doi", "url", "eprint", "archiveprefix", "primaryclass", "abstract", "publisher"}


def bib_key(key: str) -> str:
    return _KEY_UNSAFE.sub("-", key) or "untitled"


def _name_part(text: str, enc: bool) -> str:
    escaped = latex.escape(text, enc)
    # A comma or a lone "and" inside a part would split the name list: brace the part.
    return "{" + escaped + "}" if ("," in text or _AND.search(text)) else escaped


@lru_cache(maxsize=1 << 16)
def _bib_name(family: str, given: str, enc: bool) -> str:
    if not family and not given:
        return ""
    if not given:
        return "{" + latex.escape(family, enc) + "}"    # an organisation or a mononym, kept whole
    if _plain_part(family, enc) and _plain_part(given, enc):
        return f"{family}, {given}"
    return f"{_name_part(family, enc)}, {_name_part(given, enc)}"


# Anything _name_part() would change or brace: TeX specials, braces, a comma, doubled spaces, a lone "and".
_NOT_PLAIN = re.compile(r"[&%$#_~^\\{}<>,]")


def _plain_part(text: str, enc: bool) -> bool:
    """True when _name_part(text, enc) is text itself."""
    return (text.isprintable() and text[:1] != " " and text[-1:] != " " and (not enc or text.isascii())
            and not _NOT_PLAIN.search(text) and "  " not in text
            and not ("and" in text.lower() and _AND.search(text)))    # a regex with re.I tries every position


def _value(value: Any) -> str:
    if value is True:
        return "true"
    if isinstance(value, (list, tuple)):
        return ", ".join(one_line(v) for v in value)
    return one_line(value)


def fields(work: Work, ctx_people: list[Person], opts: dict[str, Any],
           view: View | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and its (name, encoded value) pairs in output order; a month is a bare macro name."""
    if view is None:
        view = View(work, ctx_people)
    enc = opts["encoding"] == "latex"
    extra = work.extra
    publisher = _value(extra["publisher"]) if "publisher" in extra else ""
    etype, venue_field = _entry_type(work, view.venue, opts["preprint_type"], bool(publisher))
    arxiv = work.ids.get("arxiv", "")
    escape = latex.escape
    out: list[tuple[str, str]] = []
    add = out.append

    title = latex.title_line(view.title, enc)
    if title:
        add(("title", title))
    authors = _author_field(view.authors, work.authors_complete, enc)
    if authors:
        add(("author", authors))
    else:
        key = escape(work.key, enc)    # what `plain` sorts by when there is no author
        if key:
            add(("key", key))
    venue = view.venue
    if not venue and arxiv and etype in ("article", "misc") and (etype == "misc" or work.type == "preprint"):
        venue = f"arXiv preprint arXiv:{arxiv}"
    elif etype == "article" and not venue and work.type == "preprint":
        venue = "Preprint"
    if venue_field and venue:
        value = escape(venue, enc)
        if value:
            add((venue_field, value))
    if publisher:
        value = escape(publisher, enc)
        if value:
            add(("publisher", value))
    if work.year:
        add(("year", str(work.year)))
        if view.month:
            add(("month", view.month))
    doi = work.ids.get("doi", "")
    if doi:
        doi = latex.raw_id(doi)
        if doi:
            add(("doi", doi))
    url = safe_url(work.url) or _fallback_url(work, view)
    if url:
        url = latex.raw_id(url)
        if url:
            add(("url", url))
    if arxiv:
        value = latex.raw_id(arxiv)
        if value:
            add(("eprint", value))
        add(("archiveprefix", "arXiv"))
        if "primaryclass" in extra:
            value = latex.raw_id(_value(extra["primaryclass"]))
            if value:
                add(("primaryclass", value))
    if opts["abstract"] and work.abstract:
        value = latex.escape_line(view.abstract, enc)
        if value:
            add(("abstract", value))
    if extra:
        for name in STANDARD_EXTRAS:
            if name != "publisher" and extra.get(name) not in (None, "", False):
                value = escape(_value(extra[name]), enc)
                if value:
                    add((name, value))
    if opts["custom_fields"]:
        out.extend(_custom_fields(work, opts))
    return etype, out


def _fallback_url(work: Work, view: View) -> str:
    """The `url` of a work without its own: its landing page, else its arXiv page, as a plain site lists them. Only
    a landing page needs the links worked out; the arXiv page is the same for every site kind."""
    if work.extra.get("html") or work.links.get("html"):
        work_links = view.links(work, "plain")
        return work_links.get("html") or work_links.get("arxiv", "")
    return arxiv_link(work)


def _entry_type(work: Work, venue: str, preprint_type: str, has_publisher: bool) -> tuple[str, str]:
    """(BibTeX type, the field holding the venue), the venue already on one line. Falls back to `misc` when a field
    the `plain` style requires is missing, so real bibtex never warns."""
    t = work.type
    if t == "preprint":
        if preprint_type == "article" and work.year and work.authors:
            return "article", "journal"
        return "misc", "howpublished"
    if not (work.year and work.authors):
        return "misc", "howpublished"
    if venue:
        kind = _VENUE_TYPES.get(t)
        if kind is not None and (t != "book-chapter" or has_publisher):
            return kind
    if t == "book" and (venue or has_publisher):
        return "book", "" if has_publisher else "publisher"
    return "misc", "howpublished"


_VENUE_TYPES = {"journal-article": ("article", "journal"), "review": ("article", "journal"),
                "editorial": ("article", "journal"), "conference-paper": ("inproceedings", "booktitle"),
                "book-chapter": ("incollection", "booktitle"), "thesis": ("phdthesis", "school"),
                "report": ("techreport", "institution")}


def _author_field(authors: list[tuple[str, str, str, str, bool]], complete: bool, enc: bool) -> str:
    bib_name = _bib_name
    names = [name for family, given, _, marks, _ in authors if (name := bib_name(family + marks, given, enc))]
    if names and not complete:
        names.append("others")
    return " and ".join(names)


def _custom_fields(work: Work, opts: dict[str, Any]) -> list[tuple[str, str]]:
    extra = work.extra
    ids = work.ids
    if not extra:
        return _derived_custom_fields(work, ids, opts)
    values: dict[str, Any] = {k: v for k, v in extra.items() if v not in (None, "", False, [], {})}
    if ids.get("arxiv"):
        values.setdefault("arxiv", ids["arxiv"])
    scholar = ids.get("scholar", "")
    if scholar:
        values.setdefault("google_scholar_id", scholar.rsplit(":", 1)[-1])
    if opts["bibtex_show"]:
        values.setdefault("bibtex_show", True)
    for kind in ("pdf", "code", "html"):
        if kind not in values and work.links.get(kind):
            values[kind] = work.links[kind]
    taken = _GENERATED | set(STANDARD_EXTRAS) | {"primaryclass"}
    names = [n for n in ALFOLIO_FIELDS if n in values]
    names += sorted(n for n in values if n not in ALFOLIO_FIELDS and n not in taken and _FIELD_NAME.match(n))
    out = []
    for name in names:
        value = values[name]
        if name in LINK_FIELDS:
            text = latex.raw_id(safe_url(_value(value)))
        elif name in ("arxiv", "google_scholar_id", "inspirehep_id", "altmetric", "dimensions", "hal"):
            text = latex.raw_id(_value(value))
        else:
            text = latex.markup(_value(value))
        if text:
            out.append((name, text))
    return out


def _derived_custom_fields(work: Work, ids: dict[str, str], opts: dict[str, Any]) -> list[tuple[str, str]]:
    """_custom_fields() of a work without curated extras: only arxiv, google_scholar_id, the pdf/code/html links and
    bibtex_show can appear, in ALFOLIO_FIELDS order."""
    out = []
    arxiv = ids.get("arxiv")
    if arxiv:
        text = latex.raw_id(_value(arxiv))
        if text:
            out.append(("arxiv", text))
    scholar = ids.get("scholar", "")
    if scholar:
        text = latex.raw_id(_value(scholar.rsplit(":", 1)[-1]))
        if text:
            out.append(("google_scholar_id", text))
    work_links = work.links
    if work_links:
        for kind in ("pdf", "code", "html"):
            value = work_links.get(kind)
            if value:
                text = latex.raw_id(safe_url(_value(value)))
                if text:
                    out.append((kind, text))
    if opts["bibtex_show"]:
        out.append(("bibtex_show", "true"))
    return out


def entry(work: Work, people: list[Person], opts: dict[str, Any], view: View | None = None) -> str:
    etype, pairs = fields(work, people, opts, view)
    # A value starting with "{" or "%" gets a space after the brace: "{{" / "{%" would open a Liquid tag if a Jekyll
    # page ever ran this file through Liquid.
    lines = [(f"  {name} = {{{value}}}" if value[0] not in "{%" else f"  {name} = {{ {value}}}") if name != "month"
             else f"  month = {value}" for name, value in pairs]
    body = ",\n".join(lines) + "\n" if lines else ""
    return f"@{etype}{{{bib_key(work.key)},\n{body}}}\n"


class Renderer:
    def __init__(self, ctx) -> None:
        self.opts = ctx.options
        self.people = ctx.people

    def plan(self, works: list[Work]) -> None:
        from pubsync.export import ExportError
        seen: dict[str, str] = {}
        for work in works:
            key = bib_key(work.key)
            if key in seen:
                raise ExportError(f"bibtex: two works have the citation key {key!r} ({seen[key]!r} and "
                                  f"{work.title!r}); keys must be unique: run the key assignment "
                                  "(pubsync.citekeys.assign_keys) first")
            seen[key] = work.title

    def fragment(self, work: Work, view: View, arg: None) -> bytes:
        return entry(work, self.people, self.opts, view).encode("utf-8")

    def assemble(self, works: list[Work], fragments: list[bytes]) -> dict[str, bytes]:
        front = [b"---\n---\n"] if self.opts["front_matter"] else []
        if not fragments:
            return {"": b"---\n---\n" if front else b"\n"}
        return {"": b"\n".join(front + fragments)}          # every entry ends with "}\n"
