"""al-folio's `_bibliography/papers.bib`, also a plain BibTeX file for LaTeX (pybtex- and bibtex-clean).

One field per line, `key = {value}`, in a fixed order; al-folio's custom fields each on one line so its
hideCustomBibtex filter can strip them. No value contains `{{` or `{%`, so Liquid never sees a tag either.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pubsync.export import latex
from pubsync.export.names import author_parts, owners, person_family_given
from pubsync.export.workview import links, month_abbr, one_line, safe_url, sort_works
from pubsync.records import Author, Work
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


def entry_type(work: Work, preprint_type: str, has_publisher: bool) -> tuple[str, str]:
    """(BibTeX type, the field holding the venue). Falls back to `misc` when a field the `plain` style requires is
    missing, so real bibtex never warns."""
    venue = one_line(work.venue)
    complete = bool(work.year and work.authors)
    t = work.type
    if t in ("journal-article", "review", "editorial") and venue and complete:
        return "article", "journal"
    if t == "conference-paper" and venue and complete:
        return "inproceedings", "booktitle"
    if t == "preprint" and preprint_type == "article" and complete:
        return "article", "journal"
    if t == "book-chapter" and venue and complete and has_publisher:
        return "incollection", "booktitle"
    if t == "book" and (venue or has_publisher) and complete:
        return "book", "" if has_publisher else "publisher"
    if t == "thesis" and venue and complete:
        return "phdthesis", "school"
    if t == "report" and venue and complete:
        return "techreport", "institution"
    return "misc", "howpublished"


def _name_part(text: str, enc: bool) -> str:
    escaped = latex.escape(text, enc)
    # A comma or a lone "and" inside a part would split the name list: brace the part.
    return "{" + escaped + "}" if ("," in text or _AND.search(text)) else escaped


def author_field(work: Work, people: list[Person], enc: bool) -> str:
    names = []
    for author, person in zip(work.authors, owners(work, people)):
        family, given, _, marks = author_parts(author.name, author.family, author.given)
        if person:
            family, given = person_family_given(person)
        name = _bib_name(family + marks, given, enc)
        if name:
            names.append(name)
    if names and not work.authors_complete:
        names.append("others")
    return " and ".join(names)


@lru_cache(maxsize=1 << 16)
def _bib_name(family: str, given: str, enc: bool) -> str:
    if not family and not given:
        return ""
    if not given:
        return "{" + latex.escape(family, enc) + "}"    # an organisation or a mononym, kept whole
    return f"{_name_part(family, enc)}, {_name_part(given, enc)}"


def _value(value: Any) -> str:
    if value is True:
        return "true"
    if isinstance(value, (list, tuple)):
        return ", ".join(one_line(v) for v in value)
    return one_line(value)


def fields(work: Work, ctx_people: list[Person], opts: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and its (name, encoded value) pairs in output order; a month is a bare macro name."""
    enc = opts["encoding"] == "latex"
    extra = work.extra
    publisher = _value(extra.get("publisher", ""))
    etype, venue_field = entry_type(work, opts["preprint_type"], bool(publisher))
    arxiv = work.ids.get("arxiv", "")
    out: list[tuple[str, str]] = []

    def add(name: str, value: str) -> None:
        if value:
            out.append((name, value))

    add("title", latex.title(work.title, enc))
    authors = author_field(work, ctx_people, enc)
    add("author", authors)
    if not authors:
        add("key", latex.escape(work.key, enc))     # what `plain` sorts by when there is no author
    venue = one_line(work.venue)
    if etype == "article" and not venue and work.type == "preprint":
        venue = f"arXiv preprint arXiv:{arxiv}" if arxiv else "Preprint"
    if etype == "misc" and not venue and arxiv:
        venue = f"arXiv preprint arXiv:{arxiv}"
    if venue_field:
        add(venue_field, latex.escape(venue, enc))
    if publisher:
        add("publisher", latex.escape(publisher, enc))
    add("year", str(work.year) if work.year else "")
    if work.year:
        add("month", month_abbr(work))
    doi = work.ids.get("doi", "")
    add("doi", latex.raw_id(doi))
    work_links = links(work)
    url = safe_url(work.url) or work_links.get("html") or work_links.get("arxiv", "")
    add("url", latex.raw_id(url))
    if arxiv:
        add("eprint", latex.raw_id(arxiv))
        add("archiveprefix", "arXiv")
        add("primaryclass", latex.raw_id(_value(extra.get("primaryclass", ""))))
    if opts["abstract"]:
        add("abstract", latex.escape(work.abstract, enc))
    for name in STANDARD_EXTRAS:
        if name != "publisher" and extra.get(name) not in (None, "", False):
            add(name, latex.escape(_value(extra[name]), enc))
    if opts["custom_fields"]:
        out.extend(_custom_fields(work, opts))
    return etype, out


def _custom_fields(work: Work, opts: dict[str, Any]) -> list[tuple[str, str]]:
    extra = work.extra
    values: dict[str, Any] = {k: v for k, v in extra.items() if v not in (None, "", False, [], {})}
    if work.ids.get("arxiv"):
        values.setdefault("arxiv", work.ids["arxiv"])
    scholar = work.ids.get("scholar", "")
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


def _braced(value: str) -> str:
    # "{{" / "{%" would open a Liquid tag if a Jekyll page ever ran this file through Liquid.
    return "{ " + value + "}" if value.startswith(("{", "%")) else "{" + value + "}"


def entry(work: Work, people: list[Person], opts: dict[str, Any]) -> str:
    etype, pairs = fields(work, people, opts)
    lines = [f"@{etype}{{{bib_key(work.key)},"]
    for i, (name, value) in enumerate(pairs):
        text = value if name == "month" else _braced(value)
        lines.append(f"  {name} = {text}{',' if i < len(pairs) - 1 else ''}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(works: list[Work], ctx) -> dict[str, bytes]:
    from pubsync.export import ExportError
    opts = ctx.options
    seen: dict[str, str] = {}
    parts = ["---\n---\n\n"] if opts["front_matter"] else []
    for work in sort_works(works):
        key = bib_key(work.key)
        if key in seen:
            raise ExportError(f"bibtex: two works have the citation key {key!r} ({seen[key]!r} and {work.title!r}); "
                              "keys must be unique: run the key assignment (pubsync.citekeys.assign_keys) first")
        seen[key] = work.title
        parts.append(entry(work, ctx.people, opts))
        parts.append("\n")
    text = "".join(parts).rstrip("\n") + "\n"
    return {"": text.encode("utf-8")}
