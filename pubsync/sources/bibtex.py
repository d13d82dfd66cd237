"""BibTeX: `pubsync import bibtex FILE` for any .bib a user has (a reference manager's export, a colleague's list),
and the entry reader the site source uses for a site's own `.bib` files.

One raw record per entry: the entry's text as written in the file (plus the file's @string macros, so it parses
alone), source_id the citation key. Parsing is pybtex's; LaTeX in text fields is decoded to Unicode by pylatexenc.
Every field the record has no place for is kept in `extra["fields"]` under its own name, verbatim.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pubsync.records import Author, Record, canonical_arxiv, canonical_doi
from pubsync.sources import RawRecord, SourceError

NAME = "bibtex"

# Text fields written in LaTeX: decoded to Unicode. Every other field is kept as written (URLs, ids, page ranges,
# al-folio's Markdown/HTML fields, fields a site invented).
TEXT_FIELDS = {"title", "journal", "booktitle", "howpublished", "school", "institution", "publisher", "address",
               "location", "series", "note", "abstract", "organization", "edition",
               # the standard fields the BibTeX export writes escaped (export/bibtex.py STANDARD_EXTRAS)
               "volume", "number", "pages", "isbn", "issn", "pmid"}
# Fields the record holds in its own attributes (not repeated in extra["fields"]).
RECORD_FIELDS = {"title", "author", "year", "month", "journal", "booktitle", "howpublished", "school", "institution",
                 "doi", "url", "abstract"}
ARXIV_EPRINT_FIELDS = {"eprint", "archiveprefix"}   # the record's arXiv id when they name one; else kept as written
URL_FIELDS = {"url", "doi", "eprint"}     # written with LaTeX escapes by some exports (DBLP: 10.1007/…-5\\_37)
BOOLEAN_FIELDS = {"selected", "bibtex_show"}
ARXIV_DOI_PREFIX = "10.48550/"      # arXiv's own DOIs name the preprint, not a publication
_VENUE_FIELDS = ("journal", "booktitle", "howpublished", "school", "institution")
_TYPES = {"article": "journal-article", "inproceedings": "conference-paper", "conference": "conference-paper",
          "incollection": "book-chapter", "inbook": "book-chapter", "book": "book", "phdthesis": "thesis",
          "mastersthesis": "thesis", "techreport": "report", "unpublished": "preprint"}
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), 1)}
_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])", re.M)
_ARXIV_IN_TEXT = re.compile(r"(?:arXiv[:\s]*|arxiv\.org/(?:abs|pdf)/|abs/)(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})",
                            re.I)


@dataclass
class Entry:
    type: str                       # lower-case BibTeX type: article, inproceedings, …
    key: str
    fields: dict[str, str]          # lower-case name -> value as written (LaTeX), one line
    persons: dict[str, list[Any]]   # role -> pybtex Persons (author, editor)
    text: str                       # the entry as written in the file, after the file's @string macros


def split(text: str) -> list[Entry]:
    """Every entry of a .bib file, in file order, each with its own text. @string macros are kept with each entry
    that needs them; @comment and @preamble are skipped. Raises SourceError on the first entry pybtex cannot read."""
    entries, problems = split_lenient(text)
    if problems:
        raise SourceError(problems[0])
    return entries


def split_lenient(text: str) -> tuple[list[Entry], list[str]]:
    """(the entries pybtex reads, one line per entry it cannot read): one broken entry does not hide the others."""
    chunks: list[tuple[str, str]] = []
    problems: list[str] = []
    pos = 0
    for m in _ENTRY_START.finditer(text):
        if m.start() < pos:
            continue
        end = _closing(text, m.end() - 1)
        if end < 0:
            line = text.count("\n", 0, m.start()) + 1
            problems.append(f"line {line}: the entry @{m.group(1)} is never closed (unbalanced braces)")
            pos = m.end()                  # read on from the next @entry
            continue
        chunks.append((m.group(1).lower(), text[m.start():end + 1]))
        pos = end + 1
    macros = "\n".join(chunk for kind, chunk in chunks if kind == "string")
    entries = []
    for kind, chunk in chunks:
        if kind in ("string", "comment", "preamble"):
            continue
        try:
            entries.append(_parse_one(chunk, macros))
        except SourceError as e:
            problems.append(str(e))
    return entries, problems


def _closing(text: str, open_at: int) -> int:
    """Index of the bracket closing the one at `open_at`, or -1."""
    opener = text[open_at]
    closer = "}" if opener == "{" else ")"
    depth = 0
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch == "{" or (opener == "(" and ch == "("):
            depth += 1
        elif ch == "}" or (opener == "(" and ch == ")"):
            depth -= 1
            if depth == 0 and ch == closer:
                return i
    return -1


def _parse_one(chunk: str, macros: str) -> Entry:
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexError
    try:
        data = parse_string(f"{macros}\n{chunk}" if macros else chunk, "bibtex")
    except PybtexError as e:
        raise SourceError(f"{chunk.splitlines()[0][:60]}: {' '.join(str(e).split())}") from None
    if not data.entries:
        raise SourceError(f"{chunk.splitlines()[0][:60]}: no entry pybtex can read")
    key, entry = next(iter(data.entries.items()))
    fields = {name.lower(): " ".join(str(value).split()) for name, value in entry.fields.items()}
    return Entry(type=entry.type.lower(), key=key, fields=fields,
                 persons={role.lower(): list(people) for role, people in entry.persons.items()},
                 text=f"{macros}\n{chunk}" if macros else chunk)


@lru_cache(maxsize=1)
def _decoder():
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
    context = get_default_latex_context_db()
    # \mbox{0} keeps its text (DBLP's AC\({}^{\mbox{0}}\) reads AC^0); math is read as text: \oplus is ⊕
    context.add_context_category("pubsync", macros=[MacroTextSpec("mbox", simplify_repl="%(1)s")], prepend=True)
    return LatexNodes2Text(latex_context=context)


def decode(value: str) -> str:
    """LaTeX text -> Unicode: {\\"o} -> ö, {LLM} -> LLM, \\& -> &; text without LaTeX is returned as it is."""
    if not re.search(r"[\\{}$~]", value):
        return value
    return " ".join(_decoder().latex_to_text(value).split())


def person_name(person: Any) -> tuple[str, str, str]:
    """(display name, family, given) of a pybtex Person, decoded."""
    given = decode(" ".join(person.first_names + person.middle_names))
    family = decode(" ".join(person.prelast_names + person.last_names + person.lineage_names))
    return " ".join(p for p in (given, family) if p), family, given


def entry_record(entry: Entry, source: str, source_id: str) -> Record:
    """A BibTeX entry as a Record. Fields the record has no attribute for stay in extra["fields"], verbatim
    (al-folio's selected/preview/pdf/…, editor, pages, and whatever a site invented), with selected/bibtex_show
    as booleans and editors as 'Family, Given and …'."""
    f = {name: _unescape_url(value) if name in URL_FIELDS else value for name, value in entry.fields.items()}
    rec = Record(source=source, source_id=source_id, title=decode(f.get("title", "")))
    people = entry.persons.get("author", [])
    for person in people:
        name, family, given = person_name(person)
        if name.lower() == "others":
            rec.authors_complete = False
            continue
        rec.authors.append(Author(name=name, family=family, given=given))
    year = re.match(r"\d{4}", f.get("year", ""))
    if year:
        rec.year = int(year.group())
        month = _month(f.get("month", ""))
        rec.date = f"{rec.year}-{month:02d}" if month else str(rec.year)
    venue_field = next((name for name in _VENUE_FIELDS if f.get(name)), "")
    rec.venue = decode(f[venue_field]) if venue_field else ""
    rec.type = _TYPES.get(entry.type, "other")
    doi = canonical_doi(f.get("doi", ""))
    if doi:
        rec.ids["doi"] = doi
    arxiv = _arxiv(f)
    published_doi = doi and not doi.startswith(ARXIV_DOI_PREFIX)
    if arxiv:
        rec.ids["arxiv"] = arxiv
        if rec.type in ("other", "journal-article") and not published_doi and _is_arxiv_venue(rec.venue):
            rec.type = "preprint"           # DBLP's CoRR entries, `journal = {arXiv preprint arXiv:…}`
    if rec.type == "other" and arxiv and not published_doi:
        rec.type = "preprint"
    rec.url = f.get("url", "")
    rec.abstract = decode(f.get("abstract", ""))
    extra: dict[str, Any] = {}
    for name, value in f.items():
        if name in RECORD_FIELDS or (name in ARXIV_EPRINT_FIELDS and arxiv and _eprint_is_arxiv(f)):
            continue
        if name in BOOLEAN_FIELDS and value.lower() in ("true", "false"):
            extra[name] = value.lower() == "true"
        elif name in TEXT_FIELDS:
            extra[name] = decode(value)
        else:
            extra[name] = value
    for role, persons in sorted(entry.persons.items()):
        if role != "author":
            extra[role] = " and ".join(f"{family}, {given}" if given else family
                                       for _, family, given in map(person_name, persons))
    rec.extra = {"fields": extra, "entry_type": entry.type, "key": entry.key, "venue_field": venue_field}
    return rec


def _unescape_url(value: str) -> str:
    return re.sub(r"\\([_%&#$~])", r"\1", value)


def _month(value: str) -> int:
    value = value.strip().lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    return _MONTHS.get(value[:3], 0)


def _is_arxiv_venue(venue: str) -> bool:
    v = venue.lower()
    return not v or "arxiv" in v or v.startswith("corr") or v == "preprint"


def _eprint_is_arxiv(f: dict[str, str]) -> bool:
    return (f.get("archiveprefix") or f.get("eprinttype") or "").lower() == "arxiv"


def _arxiv(f: dict[str, str]) -> str:
    if f.get("eprint") and _eprint_is_arxiv(f):
        return canonical_arxiv(f["eprint"])
    if f.get("arxiv"):
        return canonical_arxiv(f["arxiv"])
    for name in ("journal", "volume", "url", "howpublished"):
        m = _ARXIV_IN_TEXT.search(f.get(name, ""))
        if m and (name != "volume" or "corr" in f.get("journal", "").lower()):
            return canonical_arxiv(m.group(1))
    return ""


# ---- the `bibtex` source: `pubsync import bibtex FILE` ---------------------------------------------------------

def load(data: bytes, name: str) -> list[RawRecord]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError("not UTF-8 text; save the .bib as UTF-8") from None
    entries = split(text)
    if not entries and text.strip():
        raise SourceError("no @entry{…} found")
    return [RawRecord(source=NAME, source_id=entry.key, payload=json.dumps({"bibtex": entry.text}, ensure_ascii=False),
                      content_type="json") for entry in entries]


def parse(raw: RawRecord) -> list[Record]:
    entries = split(json.loads(raw.payload)["bibtex"])
    rec = entry_record(entries[0], NAME, raw.source_id)
    for kind in ("pdf", "code", "html"):
        value = rec.extra["fields"].get(kind, "")
        if value.startswith(("http://", "https://")):
            rec.links[kind] = value
    return [rec]
