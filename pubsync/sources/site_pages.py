"""academicpages' `_publications/*.md`: one page per paper, YAML front matter (title, venue, date, paperurl,
excerpt, citation, permalink, …) and a Markdown body. Every front-matter key and the body are kept as written."""
from __future__ import annotations

import datetime
import re
from typing import Any

from pubsync.records import Author, Record, canonical_arxiv, canonical_doi
from pubsync.sources import SourceError
from pubsync.sources.site_lists import parse_authors


def jekyll_yaml():
    """A YAML 1.1 reader, as Jekyll's (Psych) reads data files and front matter: `selected: yes` is true."""
    from ruamel.yaml import YAML
    reader = YAML(typ="safe", pure=True)
    reader.version = (1, 1)
    return reader

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)(.*)\Z", re.S)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>]+)")
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s\"'<>?#]+?)(?:\.pdf)?(?:[?#\s\"'<>]|$)", re.I)
# Front-matter keys that are the record's own attributes; every other key passes through under its own name.
OWN_KEYS = {"title", "venue", "date", "year", "authors", "author"}   # (CSL keys a post may carry pass through too)
PUBSYNC_KEYS = {"generated_by", "adopted"}      # pubsync's marks on a page it wrote back, not the owner's


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a page; ({}, text) when it has none. Raises SourceError on broken YAML."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    from ruamel.yaml.error import YAMLError
    try:
        data = jekyll_yaml().load(m.group(1))
    except YAMLError as e:
        raise SourceError(f"front matter is not YAML: {' '.join(str(e).split())[:120]}") from None
    return (data if isinstance(data, dict) else {}), m.group(2)


def is_paper_page(text: str) -> bool:
    """One paper's page (academicpages `_publications/`, a lab's paper pages): front matter with a title and a
    venue, year or date, and no list of papers in the body."""
    try:
        fm, _ = front_matter(text)
    except SourceError:
        return False
    return bool(fm.get("title")) and any(fm.get(k) for k in ("venue", "year", "date", "paperurl", "citation")) \
        and fm.get("layout") not in ("archive", "page", "single")


def page_record(text: str, source: str, source_id: str) -> tuple[Record, dict[str, Any]]:
    fm, body = front_matter(text)
    rec = Record(source=source, source_id=source_id, title=" ".join(str(fm.get("title", "")).split()),
                 venue=" ".join(str(fm.get("venue", "") or "").split()))
    date = fm.get("date")
    if isinstance(date, (datetime.date, datetime.datetime)):
        rec.date, rec.year = date.isoformat()[:10], date.year
    elif re.match(r"\d{4}", str(date or fm.get("year", ""))):
        rec.date = str(date or fm.get("year"))[:10]
        rec.year = int(rec.date[:4])
    if not rec.venue:
        rec.venue = " ".join(str(fm.get("container-title") or fm.get("booktitle") or fm.get("journal")
                                 or fm.get("publication") or "").split())     # Hugo Blox: publication
    issued = fm.get("issued")
    if not rec.year and isinstance(issued, dict) and issued.get("date-parts"):     # CSL: issued: {date-parts: [[Y, M, D]]}
        parts = [int(p) for p in issued["date-parts"][0] if str(p).isdigit()]
        if parts:
            rec.year, rec.date = parts[0], "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts[:3]))
    authors = fm.get("authors") or fm.get("author")
    if isinstance(authors, list) and all(isinstance(a, dict) for a in authors):      # CSL: [{given, family}]
        rec.authors = [Author(name=f"{a.get('given', '')} {a.get('family', '')}".strip(),
                              family=str(a.get("family", "")), given=str(a.get("given", ""))) for a in authors]
    elif isinstance(authors, list):
        rec.authors, rec.authors_complete = parse_authors(", ".join(str(a) for a in authors))
    elif isinstance(authors, str):
        rec.authors, rec.authors_complete = parse_authors(authors)
    rec.abstract = " ".join(str(fm.get("excerpt", "") or "").split())
    url = str(fm.get("paperurl") or fm.get("paperURL") or "")
    rec.url = url
    for text_with_ids in (url, str(fm.get("doi", "")), str(fm.get("citation", ""))):
        doi = _DOI.search(text_with_ids)
        if doi and "doi" not in rec.ids:
            rec.ids["doi"] = canonical_doi(doi.group(1).rstrip(".,;)"))
        arxiv = _ARXIV.search(text_with_ids)
        if arxiv and "arxiv" not in rec.ids:
            rec.ids["arxiv"] = canonical_arxiv(arxiv.group(1))
    rec.type = "conference-paper" if fm.get("category") == "conferences" else "other"
    fields = {k: v if isinstance(v, (str, int, float, bool, list, dict)) else str(v)
              for k, v in fm.items() if k not in OWN_KEYS and k not in PUBSYNC_KEYS}
    if body.strip():
        fields["body"] = body
    rec.extra = {"fields": fields}
    return rec, {"key": source_id.rsplit("/", 1)[-1].removesuffix(".md").split("#")[-1],
                 "front_matter": [str(k) for k in fm if k not in PUBSYNC_KEYS]}
