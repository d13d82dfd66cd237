"""Semantic Scholar (opt-in): an author's papers from the Graph API, `/author/{id}/papers` with offset paging.

Keyless Semantic Scholar answers 429 often: the shared HTTP session retries a bounded number of times, honouring
`Retry-After`, then the source fails with one line. A key in S2_API_KEY goes in the `x-api-key` header (http.py),
never into a URL or a message.
"""
from __future__ import annotations

import json
import math
import os
import re
from typing import Any

from pubsync.http import HttpSession, HttpStatusError, decode_body, json_body
from pubsync.names import split_name
from pubsync.records import Author, Record, canonical_arxiv, canonical_doi, canonical_pmid
from pubsync.sources import FetchResult, RawRecord, SourceError, Target

NAME = "semanticscholar"
LIMIT = 1000                   # the most /author/{id}/papers sends a page
API_KEY_ENV = "S2_API_KEY"
FIELDS = ("paperId,externalIds,title,abstract,venue,publicationVenue,journal,year,publicationDate,publicationTypes,"
          "authors,citationCount,url,openAccessPdf,fieldsOfStudy")
# publicationTypes, most telling first: "Attention is all you need" is [JournalArticle, Conference] at NeurIPS
TYPES = (("Conference", "conference-paper"), ("JournalArticle", "journal-article"), ("Review", "review"),
         ("MetaAnalysis", "review"), ("BookSection", "book-chapter"), ("Book", "book"), ("Dataset", "dataset"),
         ("Editorial", "editorial"), ("CaseReport", "journal-article"), ("ClinicalTrial", "journal-article"),
         ("Study", "journal-article"), ("LettersAndComments", "journal-article"), ("News", "other"))
_AUTHOR_ID = re.compile(r"^\d+$")


# ---- fetch -------------------------------------------------------------------------------------

def fetch(session: HttpSession, target: Target, known: dict[str, str]) -> FetchResult:
    author = (target.semanticscholar or "").strip()
    if not _AUTHOR_ID.match(author):
        raise SourceError(f"semanticscholar: {author!r} is not a Semantic Scholar author id (digits)")
    papers: dict[str, dict[str, Any]] = {}
    offset: int | None = 0
    while offset is not None:
        try:
            text = session.get(f"/author/{author}/papers", params={"fields": FIELDS, "offset": str(offset),
                                                                     "limit": str(LIMIT)},
                               accept="application/json").text
        except HttpStatusError as e:
            if e.status == 429 and not os.environ.get(API_KEY_ENV):
                raise HttpStatusError(f"{e}; Semantic Scholar limits keyless clients — set {API_KEY_ENV} "
                                      "(a free key from semanticscholar.org/product/api) or try later",
                                      e.status, e.body, e.headers) from None
            if e.status == 404:
                raise SourceError(f"semanticscholar: no author {author} (HTTP 404); check the id in the "
                                  "semanticscholar.org/author/… URL") from None
            raise
        page = json_body(text, f"semanticscholar: papers of author {author} from offset {offset}")
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise SourceError(f"semanticscholar: papers of author {author}: no data list in the answer")
        for paper in page["data"]:
            if isinstance(paper, dict) and paper.get("paperId"):
                papers.setdefault(paper["paperId"], paper)
        nxt = page.get("next")
        offset = nxt if isinstance(nxt, int) and nxt > offset and page["data"] else None
    return FetchResult(raws=[_raw(p) for p in papers.values()], complete=True, requests=session.requests)


def _raw(paper: dict[str, Any]) -> RawRecord:
    return RawRecord(NAME, str(paper["paperId"]), json.dumps(paper, ensure_ascii=False, sort_keys=True), "json")


# ---- load --------------------------------------------------------------------------------------

def load(data: bytes, name: str) -> list[RawRecord]:
    obj = json_body(decode_body(data, name), name)
    if isinstance(obj, dict) and isinstance(obj.get("data"), list):
        papers = obj["data"]                               # a page of /author/{id}/papers
    elif isinstance(obj, dict) and isinstance(obj.get("papers"), list):
        papers = obj["papers"]                             # an author object with its papers
    elif isinstance(obj, list):
        papers = obj
    elif isinstance(obj, dict) and obj.get("paperId"):
        papers = [obj]
    else:
        raise SourceError(f"{name}: not a Semantic Scholar paper, paper list or author with papers")
    bad = [i for i, p in enumerate(papers) if not isinstance(p, dict) or not p.get("paperId")]
    if bad:
        raise SourceError(f"{name}: item {bad[0]} is not a Semantic Scholar paper (no paperId)")
    return [_raw(p) for p in papers]


# ---- parse -------------------------------------------------------------------------------------

def parse(raw: RawRecord) -> list[Record]:
    paper = json.loads(raw.payload)
    if not isinstance(paper, dict):
        raise SourceError(f"semanticscholar:{raw.source_id}: payload is not a paper object")
    external = paper.get("externalIds") or {}
    ids: dict[str, str] = {"semanticscholar": str(paper.get("paperId") or raw.source_id)}
    doi = canonical_doi(external.get("DOI"))
    arxiv = canonical_arxiv(str(external.get("ArXiv") or ""))
    if doi.startswith("10.48550/arxiv."):
        arxiv, doi = arxiv or canonical_arxiv(doi), ""
    if doi:
        ids["doi"] = doi
    if arxiv:
        ids["arxiv"] = arxiv
    for key, name in (("DBLP", "dblp"), ("ACL", "acl"), ("PubMedCentral", "pmcid"), ("CorpusId", "s2corpus")):
        if external.get(key):
            ids[name] = str(external[key])
    pmid = canonical_pmid(str(external.get("PubMed") or ""))
    if pmid:
        ids["pmid"] = pmid
    venue_obj = paper.get("publicationVenue") or {}
    journal = paper.get("journal") or {}
    journal_name = str(journal.get("name") or "") if isinstance(journal, dict) else ""
    venue = " ".join(str(venue_obj.get("name") or paper.get("venue") or journal_name or "").split())
    kinds = paper.get("publicationTypes") or []
    kind = next((t for name, t in TYPES if name in kinds), "other")
    if "arxiv" in (journal_name.lower(), venue.lower().removesuffix(".org")) and kind in ("other", "journal-article") \
            and not doi:
        kind, venue = "preprint", venue if venue.lower() != "arxiv.org" else "arXiv"
    year = paper.get("year")
    extra: dict[str, Any] = {}
    if venue_obj.get("issn"):
        extra["issn"] = str(venue_obj["issn"])
    if isinstance(journal, dict):
        for key in ("volume", "pages"):
            if journal.get(key):
                extra[key] = " ".join(str(journal[key]).split())
    fields_of_study = [f for f in paper.get("fieldsOfStudy") or [] if isinstance(f, str)]
    if fields_of_study:
        extra["field"] = fields_of_study[0]       # attribution's field evidence, as OpenAlex's primary topic field
    pdf = (paper.get("openAccessPdf") or {}).get("url") or ""
    return [Record(
        source=NAME,
        source_id=raw.source_id or ids["semanticscholar"],
        title=" ".join(str(paper.get("title") or "").split()),
        authors=[_author(a) for a in paper.get("authors") or [] if isinstance(a, dict) and a.get("name")],
        year=year if isinstance(year, int) else None,
        date=str(paper.get("publicationDate") or (year or "")),
        venue=venue,
        type=kind,
        ids=ids,
        url=str(paper.get("url") or ""),
        abstract=" ".join(str(paper.get("abstract") or "").split()),
        citations=paper.get("citationCount") if isinstance(paper.get("citationCount"), int) else None,
        links={"pdf": pdf} if pdf else {},
        extra=extra,
    )]


def _author(a: dict[str, Any]) -> Author:
    name = " ".join(str(a["name"]).split())
    family, given = split_name(name)
    return Author(name=name, family=family, given=given)


def requests_bound(n_papers: int) -> int:
    return max(1, math.ceil(n_papers / LIMIT))
