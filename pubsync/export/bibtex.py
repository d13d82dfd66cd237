"""al-folio's `_bibliography/papers.bib`, also a plain BibTeX file for LaTeX (pybtex- and bibtex-clean).

One field per line, `key = {value}`, in a fixed order; al-folio's custom fields each on one line so its
hideCustomBibtex filter can strip them. No value contains `{{` or `{%`, so Liquid never sees a tag either.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from pubsync.export import default_path, latex
from pubsync.errors import ExportError
from pubsync.export.markup import one_line
from pubsync.export.view import View, safe_url, view
from pubsync.records import RELATED_LINKS, Work

# Standard fields a curation file may add (kept as text, after the generated ones).
STANDARD_EXTRAS = ("volume", "number", "pages", "publisher", "address", "location", "edition", "series", "editor",
                   "note", "isbn", "issn", "pmid")
# al-folio's custom fields, in the order they are written; link-like ones are URLs or bare file names.
ALFOLIO_FIELDS = ("arxiv", "google_scholar_id", "selected", "abbr", "preview", "pdf", "code", "html", "award",
                  "award_name", "bibtex_show", "additional_info", "annotation", "supp", "poster", "slides",
                  "website", "blog", "video", "hal", "altmetric", "dimensions", "inspirehep_id")
LINK_FIELDS = {"preview", "pdf", "code", "html", "supp", "poster", "slides", "website", "blog", "video"}
ID_FIELDS = {"arxiv", "google_scholar_id", "inspirehep_id", "altmetric", "dimensions", "hal"}
_NOT_BIBTEX = {"body"}    # an adopted academicpages page's Markdown body: the page's, not a field
_AND = re.compile(r"\band\b", re.I)
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.+/\-]")
_GENERATED = {"title", "author", "key", "journal", "booktitle", "school", "institution", "howpublished", "year", "month",
              "doi", "url", "eprint", "archiveprefix", "primaryclass", "abstract", "publisher"}
_VENUE_TYPES = {"journal-article": ("article", "journal"), "review": ("article", "journal"),
                "editorial": ("article", "journal"), "conference-paper": ("inproceedings", "booktitle"),
                "book-chapter": ("incollection", "booktitle"), "thesis": ("phdthesis", "school"),
                "report": ("techreport", "institution")}


def render(works: list[Work], ctx) -> dict[str, bytes]:
    """{"": the target file, "<name>.bib": a file beside it}: an entry adopted from a site's .bib goes back to the
    file it came from, a new work to the file `[export.bibtex] files` maps its type to (else the target)."""
    seen: dict[str, str] = {}
    for work in works:
        key = bib_key(work.key)
        if key in seen:
            raise ExportError(f"two works have the citation key {key!r} ({seen[key]!r} and {work.title!r}); "
                              "keys must be unique: run the key assignment (pubsync.citekeys.assign_keys) first")
        seen[key] = work.title
    front = ["---\n---\n"] if ctx.options["front_matter"] else []
    main = PurePosixPath(ctx.options.get("path") or default_path("bibtex", ctx.site_kind)).name
    by_file: dict[str, list[str]] = {"": []}
    for work in works:
        name = file_of(work, ctx.options.get("files") or {}, main)
        by_file.setdefault("" if name == main else name, []).append(entry(work, ctx))
    out = {}
    for name, entries in sorted(by_file.items()):
        if not entries:
            out[name] = b"---\n---\n" if front else b"\n"
        else:
            out[name] = "\n".join(front + entries).encode("utf-8")          # every entry ends with "}\n"
    return out


def file_of(work: Work, files: dict[str, str], main: str) -> str:
    """The name of the .bib file the work's entry goes to: the site file it was adopted from, else the one its type
    maps to in `files` ({work type or "default": file name}), else `main`."""
    origin = work.extra.get("_site") or {}
    if origin.get("form") == "bibtex" and origin.get("file"):
        return PurePosixPath(origin["file"]).name
    return files.get(work.type) or files.get("default") or main


def bib_key(key: str) -> str:
    return _KEY_UNSAFE.sub("-", key) or "untitled"


def entry(work: Work, ctx) -> str:
    etype, pairs = fields(work, ctx)
    # A value starting with "{" or "%" gets a space after the brace: "{{" / "{%" would open a Liquid tag if a Jekyll
    # page ever ran this file through Liquid.
    lines = [f"  month = {value}" if name == "month" else
             f"  {name} = {{ {value}}}" if value[0] in "{%" else f"  {name} = {{{value}}}" for name, value in pairs]
    body = ",\n".join(lines) + "\n" if lines else ""
    return f"@{etype}{{{bib_key(work.key)},\n{body}}}\n"


def fields(work: Work, ctx) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and its (name, encoded value) pairs in output order; a month is a bare macro name."""
    opts = ctx.options
    v = view(work, ctx.people, "plain")
    enc = opts["encoding"] == "latex"
    extra = work.extra
    publisher = _value(extra["publisher"]) if "publisher" in extra else ""
    etype, venue_field = _entry_type(work, v.venue, opts["preprint_type"], bool(publisher))
    origin = work.extra.get("_site") or {}
    if origin.get("entry_type") and (not work.venue or work.provenance.get("venue", "").startswith("site:")):
        etype, venue_field = origin["entry_type"], origin.get("venue_field") or venue_field   # as the owner wrote it
    arxiv = work.ids.get("arxiv", "")
    out: list[tuple[str, str]] = []

    def add(name: str, value: str) -> None:
        if value:
            out.append((name, value))

    add("title", latex.rich(v.title_rich, enc, protect=True))
    authors = _author_field(v, work.authors_complete, enc)
    if authors:
        add("author", authors)
    else:
        add("key", latex.escape(work.key, enc))    # what `plain` sorts by when there is no author
    venue = latex.rich(v.venue_rich, enc)
    if not venue and arxiv and etype in ("article", "misc") and (etype == "misc" or work.type == "preprint"):
        venue = latex.escape(f"arXiv preprint arXiv:{arxiv}", enc)
    elif etype == "article" and not venue and work.type == "preprint":
        venue = "Preprint"
    if venue_field and venue:
        add(venue_field, venue)
    if publisher:
        add("publisher", latex.escape(publisher, enc))
    if work.year:
        add("year", str(work.year))
        add("month", v.month)
    add("doi", latex.raw_id(work.ids.get("doi", "")))
    add("url", latex.raw_id(safe_url(work.url) or v.links.get("html") or v.links.get("arxiv", "")))
    if arxiv:
        add("eprint", latex.raw_id(arxiv))
        if "eprinttype" not in extra:         # biblatex's name for it, when the site wrote that one
            add("archiveprefix", "arXiv")
        if "primaryclass" in extra:
            add("primaryclass", latex.raw_id(_value(extra["primaryclass"])))
    elif extra.get("eprint"):                 # another repository's id (ECCC, HAL), adopted as written
        add("eprint", latex.raw_id(_value(extra["eprint"])))
    if opts["abstract"]:
        add("abstract", latex.rich(v.abstract_rich, enc))
    for name in STANDARD_EXTRAS:
        if name != "publisher" and extra.get(name) not in (None, "", False):
            add(name, latex.escape(_value(extra[name]), enc))
    if opts["custom_fields"]:
        out.extend(_custom_fields(work, opts))
    return etype, out


def _value(value: Any) -> str:
    if value is True:
        return "true"
    if isinstance(value, (list, tuple)):
        return ", ".join(one_line(v) for v in value)
    return one_line(value)


def _entry_type(work: Work, venue: str, preprint_type: str, has_publisher: bool) -> tuple[str, str]:
    """(BibTeX type, the field holding the venue). Falls back to `misc` when a field the `plain` style requires is
    missing, so real bibtex never warns."""
    t = work.type
    if t == "preprint":
        if preprint_type == "article" and work.year and work.authors:
            return "article", "journal"
        return "misc", "howpublished"
    if not (work.year and work.authors):
        return "misc", "howpublished"
    if venue and t in _VENUE_TYPES and (t != "book-chapter" or has_publisher):
        return _VENUE_TYPES[t]
    if t == "book" and (venue or has_publisher):
        return "book", "" if has_publisher else "publisher"
    return "misc", "howpublished"


def _author_field(v: View, complete: bool, enc: bool) -> str:
    names = [name for a in v.authors if (name := _bib_name(a.family + a.marks, a.given, enc))]
    if names and not complete:
        names.append("others")
    return " and ".join(names)


def _bib_name(family: str, given: str, enc: bool) -> str:
    if not family and not given:
        return ""
    if not given:
        return "{" + latex.escape(family, enc) + "}"    # an organisation or a mononym, kept whole
    return f"{_name_part(family, enc)}, {_name_part(given, enc)}"


def _name_part(text: str, enc: bool) -> str:
    escaped = latex.escape(text, enc)
    # A comma or a lone "and" inside a part would split the name list: brace the part.
    return "{" + escaped + "}" if ("," in text or _AND.search(text)) else escaped


def _custom_fields(work: Work, opts: dict[str, Any]) -> list[tuple[str, str]]:
    values: dict[str, Any] = {k: v for k, v in work.extra.items() if v not in (None, "", False, [], {})
                              and not isinstance(v, dict) and k not in _NOT_BIBTEX}
    if work.ids.get("arxiv") and not work.provenance.get("arxiv", "").startswith("site:"):
        values.setdefault("arxiv", work.ids["arxiv"])      # (an adopted entry already names it as its owner did)
    if work.ids.get("scholar"):
        values.setdefault("google_scholar_id", work.ids["scholar"].rsplit(":", 1)[-1])
    if opts["bibtex_show"]:
        values.setdefault("bibtex_show", True)
    for kind in ("pdf", "code", "html"):
        if kind not in values and work.links.get(kind):
            values[kind] = work.links[kind]
    if "additional_info" not in values and not work.extra.get("_site") and (versions := _version_links(work)):
        values["additional_info"] = versions         # (an entry adopted from the site stays as its owner wrote it)
    taken = _GENERATED | set(STANDARD_EXTRAS) | {"primaryclass"}
    names = [n for n in ALFOLIO_FIELDS if n in values]
    names += sorted(n for n in values if n not in ALFOLIO_FIELDS and n not in taken and _FIELD_NAME.match(n))
    out = []
    for name in names:
        value = _value(values[name])
        if name in LINK_FIELDS:
            text = latex.raw_id(safe_url(value))
        elif name in ID_FIELDS:
            text = latex.raw_id(value)
        else:
            text = latex.markup(value)
        if text:
            out.append((name, text))
    return out


def _version_links(work: Work) -> str:
    """The other works of the paper (merge links them: versions, short and full versions), as the Markdown
    al-folio appends to the venue line: ". [Extended version](https://doi.org/…)"."""
    links = [f"[{kind.replace('_', ' ').capitalize()}]({url.replace('(', '%28').replace(')', '%29')})"
             for kind in RELATED_LINKS if (url := safe_url(work.links.get(kind, "")))]
    return ". " + ", ".join(links) if links else ""
