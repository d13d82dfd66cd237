"""OpenAlex works: by author id or ORCID and by DOI batch. Every API era in the recordings parses
(pre-2023 `host_venue`, 2023+ `primary_location`/`locations`, 2025+ `raw_source_name`, `primary_location.id`).

The 2026 rules: at most 100 works a page; cursor paging only with an API key (OPENALEX_API_KEY, free since
2026-02; without one OpenAlex answers cursor requests with 401), else basic paging (`page=1…`), which reaches the
first 10,000 results only. A `select` field OpenAlex no longer knows is dropped and the request retried once."""
from __future__ import annotations

import json
import logging
import math
import os
import re
from typing import Any

from pubsync.http import HttpSession, HttpStatusError, decode_body, json_body, one_line
from pubsync.records import (Author, Record, canonical_arxiv, canonical_doi, canonical_openalex, canonical_orcid,
                             canonical_pmid)
from pubsync.sources import FetchResult, RawRecord, SourceError, Target, doi_fields, readable_records

log = logging.getLogger(__name__)

NAME = "openalex"
PER_PAGE = 100                 # OpenAlex answers per_page > 100 with HTTP 400 (2026)
KEYLESS_LIMIT = 10_000         # basic paging (no API key) reaches this many results, no more
DOI_BATCH = 100
API_KEY_ENV = "OPENALEX_API_KEY"
# Only what parse() reads: a page of works shrinks several-fold.
SELECT = ("id,doi,title,display_name,publication_year,publication_date,ids,type,type_crossref,authorships,"
          "primary_location,locations,best_oa_location,cited_by_count,counts_by_year,abstract_inverted_index,"
          "biblio,language,updated_date,is_retracted,primary_topic")

TYPE_MAP = {
    "article": "journal-article", "journal-article": "journal-article", "letter": "journal-article",
    "preprint": "preprint", "posted-content": "preprint",
    "book-chapter": "book-chapter", "reference-entry": "book-chapter", "book-section": "book-chapter",
    "book": "book", "monograph": "book", "edited-book": "book", "reference-book": "book",
    "dissertation": "thesis", "dataset": "dataset", "report": "report", "standard": "report",
    "review": "review", "editorial": "editorial", "software": "software",
    "proceedings-article": "conference-paper", "proceedings": "book",
    "paratext": "paratext", "erratum": "erratum", "retraction": "retraction", "peer-review": "peer-review",
    "other": "other", "libguides": "paratext", "supplementary-materials": "supplementary", "grant": "other",
    "component": "supplementary",
    # types OpenAlex added in 2025-2026
    "conference-paper": "conference-paper", "software-paper": "journal-article",   # JOSS/SoftwareX-style papers
    "review-article": "review", "presentation": "other", "poster": "other",
}
_unknown_types_logged: set[str] = set()
_ARXIV_IN_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:\.pdf)?(?:[?#].*)?$", re.I)
_ARXIV_OAI = re.compile(r"oai:arxiv\.org:(.+)$", re.I)


# ---- fetch -------------------------------------------------------------------------------------

def fetch(session: HttpSession, target: Target, known: dict[str, str]) -> FetchResult:
    """All works of the author (by OpenAlex id, else by ORCID), then works of `target.dois` not already seen."""
    author = canonical_openalex(target.openalex, "A")
    orcid = canonical_orcid(target.orcid)
    query = _Query(session)
    works: dict[str, dict[str, Any]] = {}
    complete = False
    unchanged: list[str] = []
    if author or orcid:
        filt = f"author.id:{author}" if author else f"author.orcid:{orcid}"
        since = max((m for m in known.values() if m), default="")[:10]
        listed = _updated_since(query, filt, since) if session.settings.incremental and since else None
        if listed is None:
            listed, complete = query.listing(filt)
        else:
            unchanged = sorted(set(known) - {work_id(w) for w in listed})
        for work in listed:
            works.setdefault(work_id(work), work)
    seen_dois = {canonical_doi(w.get("doi")) for w in works.values()}
    wanted = [d for d in dict.fromkeys(canonical_doi(d) for d in target.dois) if d and d not in seen_dois]
    for start in range(0, len(wanted), DOI_BATCH):
        batch = wanted[start:start + DOI_BATCH]
        page = query.page({"filter": "doi:" + "|".join(batch), "per_page": str(DOI_BATCH)}, "DOI batch")
        for work in page.get("results") or []:
            works.setdefault(work_id(work), work)
    raws = [_raw(w) for w in works.values() if work_id(w)]
    discovered = {**discover(list(works.values()), orcid), "doi_fields": doi_fields(readable_records(raws, parse))}
    return FetchResult(raws=raws, complete=complete, unchanged=unchanged, requests=session.requests,
                       discovered=discovered)


def _updated_since(query: "_Query", filt: str, since: str) -> list[dict[str, Any]] | None:
    """Works changed on or after `since` (the newest updated_date stored); None when OpenAlex refuses the filter
    (it has been limited to some plans), so the caller lists everything instead."""
    try:
        return query.listing(f"{filt},from_updated_date:{since}")[0]
    except HttpStatusError as e:
        if e.status not in (400, 403):
            raise
        log.info("openalex: from_updated_date refused (HTTP %s); listing every work", e.status)
        return None


def has_api_key() -> bool:
    return bool(os.environ.get(API_KEY_ENV))


class _Query:
    """The /works requests of one fetch: the `select` list (minus fields OpenAlex rejected) and the paging rule."""

    def __init__(self, session: HttpSession):
        self.session = session
        self.select = SELECT.split(",")

    def listing(self, filt: str) -> tuple[list[dict[str, Any]], bool]:
        """Every work matching `filt`, and whether that is the whole list: cursor paging with an API key, else
        basic paging up to KEYLESS_LIMIT results (a longer list is cut there, with a one-line note)."""
        if has_api_key():
            return list(self._cursor_pages(filt)), True
        works: list[dict[str, Any]] = []
        for number in range(1, KEYLESS_LIMIT // PER_PAGE + 1):
            page = self.page({"filter": filt, "per_page": str(PER_PAGE), "page": str(number)}, f"works page {number}")
            results = page.get("results") or []
            works.extend(results)
            count = (page.get("meta") or {}).get("count")
            if not results or len(results) < PER_PAGE or (isinstance(count, int) and len(works) >= count):
                return works, True
        count = (page.get("meta") or {}).get("count")
        log.warning("openalex: %s lists %s works; without %s paging stops at the first %s — set %s (a free key "
                    "from openalex.org) to fetch them all", filt, count if isinstance(count, int) else "more",
                    API_KEY_ENV, f"{KEYLESS_LIMIT:,}", API_KEY_ENV)
        return works, False

    def _cursor_pages(self, filt: str):
        cursor, fetched = "*", 0
        while cursor:
            page = self.page({"filter": filt, "per_page": str(PER_PAGE), "cursor": cursor},
                             f"works page {fetched // PER_PAGE + 1}")
            results = page.get("results") or []
            yield from results
            fetched += len(results)
            count = (page.get("meta") or {}).get("count")
            # The cursor protocol ends on an extra, empty page; the count (or a short page) says so one request earlier.
            if not results or len(results) < PER_PAGE or (isinstance(count, int) and fetched >= count):
                break
            cursor = (page.get("meta") or {}).get("next_cursor")

    def page(self, params: dict[str, str], what: str) -> dict[str, Any]:
        """One /works page with the current `select`; a field OpenAlex rejects (HTTP 400 naming it) is dropped for
        this and every later request, and the request retried once."""
        for attempt in (1, 2):
            try:
                return _get_page(self.session, {**params, "select": ",".join(self.select)}, what)
            except HttpStatusError as e:
                rejected = _rejected_select_field(e) if e.status == 400 else ""
                if attempt == 2 or rejected not in self.select:
                    raise
                self.select.remove(rejected)
                log.warning("openalex: OpenAlex no longer accepts the select field %r; retrying without it", rejected)
        raise AssertionError("unreachable")


# "DOESNTEXIST is not a valid select field. Valid fields for select are: …" (2026); the other wordings, in case
_REJECTED_SELECT = (re.compile(r"\b([A-Za-z_.]+) is not a valid select field"),
                    re.compile(r"(?:invalid|unknown|unsupported) select field:?\s*['\"]?([A-Za-z_.]+)", re.I))


def _rejected_select_field(error: HttpStatusError) -> str:
    for pattern in _REJECTED_SELECT:
        m = pattern.search(error.body) or pattern.search(str(error))
        if m:
            return m.group(1)
    return ""


def _get_page(session: HttpSession, params: dict[str, str], what: str) -> dict[str, Any]:
    if session.settings.mailto:
        params = {**params, "mailto": session.settings.mailto}
    try:
        text = session.get("/works", params=params, accept="application/json").text
    except HttpStatusError as e:
        if e.status in (401, 403):
            told = (f"OpenAlex refused the key in {API_KEY_ENV}; check it" if has_api_key() else
                    f"OpenAlex asks for an API key; set {API_KEY_ENV} (free at openalex.org)")
            raise HttpStatusError(f"openalex: {what}: HTTP {e.status} — {told}", e.status, e.body, e.headers) from None
        raise
    page = json_body(text, f"openalex: {what}")
    if not isinstance(page, dict) or not isinstance(page.get("results", []), list) or "results" not in page:
        raise SourceError(f"openalex: {what}: {_error_text(page) or 'no results list in the answer'}")
    return page


def _raw(work: dict[str, Any]) -> RawRecord:
    return RawRecord(NAME, work_id(work), json.dumps(work, ensure_ascii=False, sort_keys=True), "json",
                     str(work.get("updated_date") or ""))


def work_id(work: dict[str, Any]) -> str:
    return canonical_openalex(work.get("id"), "W") or canonical_openalex((work.get("ids") or {}).get("openalex"), "W")


def discover(works: list[dict[str, Any]], orcid: str = "") -> dict[str, object]:
    found: dict[str, object] = {"arxiv_ids": [], "dois": []}
    for work in works:
        aid = _arxiv_id(work)
        if aid and aid not in found["arxiv_ids"]:
            found["arxiv_ids"].append(aid)
        doi = canonical_doi(work.get("doi"))
        if doi and not doi.startswith("10.48550/arxiv.") and doi not in found["dois"]:
            found["dois"].append(doi)
        if orcid and "openalex" not in found:
            for a in work.get("authorships") or []:
                person = (a or {}).get("author") or {}
                if canonical_orcid(person.get("orcid")) == orcid and canonical_openalex(person.get("id"), "A"):
                    found["openalex"] = canonical_openalex(person.get("id"), "A")
    return found


def _error_text(obj: Any) -> str:
    if isinstance(obj, dict) and ("error" in obj or "message" in obj) and "results" not in obj:
        return one_line(f"{obj.get('error', 'error')}: {obj.get('message', '')}".strip(": "), 240)
    return ""


# ---- load --------------------------------------------------------------------------------------

def load(data: bytes, name: str) -> list[RawRecord]:
    obj = json_body(decode_body(data, name), name)
    if isinstance(obj, dict) and "results" in obj:
        works = obj.get("results") or []
    elif isinstance(obj, list):
        works = obj
    elif isinstance(obj, dict) and work_id(obj):
        works = [obj]
    elif _error_text(obj):
        raise SourceError(f"{name}: OpenAlex error: {_error_text(obj)}")
    elif isinstance(obj, dict) and canonical_openalex(obj.get("id"), "A"):
        raise SourceError(f"{name}: an OpenAlex author, not works; save {obj.get('works_api_url') or '/works?filter=author.id:…'}")
    else:
        raise SourceError(f"{name}: not an OpenAlex work, work list or results array")
    bad = [i for i, w in enumerate(works) if not isinstance(w, dict) or not work_id(w)]
    if bad:
        raise SourceError(f"{name}: item {bad[0]} of the list is not an OpenAlex work (no W id)")
    return [_raw(w) for w in works]


# ---- parse -------------------------------------------------------------------------------------

def parse(raw: RawRecord) -> list[Record]:
    work = json.loads(raw.payload)
    if not isinstance(work, dict):
        raise SourceError(f"openalex:{raw.source_id}: payload is not a work object")
    primary = work.get("primary_location") or {}
    host = work.get("host_venue") or {}
    source = primary.get("source") or {}
    ids = _ids(work)
    year = work.get("publication_year")
    doi = canonical_doi(work.get("doi"))
    links = {}
    pdf = (work.get("best_oa_location") or {}).get("pdf_url") or primary.get("pdf_url")
    if pdf:
        links["pdf"] = pdf
    landing = primary.get("landing_page_url") or host.get("url") or ""
    if landing:
        links["html"] = landing
    extra: dict[str, Any] = {}
    biblio = {k: v for k, v in (work.get("biblio") or {}).items() if v}
    if biblio:
        extra["biblio"] = biblio
    if work.get("language"):
        extra["language"] = work["language"]
    if work.get("type"):
        extra["openalex_type"] = work["type"]
    if work.get("is_retracted") is True:
        extra["retracted"] = True
    if source.get("issn_l"):
        extra["issn"] = str(source["issn_l"])
    if canonical_openalex(source.get("id"), "S"):
        extra["openalex_source"] = canonical_openalex(source.get("id"), "S")
    field = ((work.get("primary_topic") or {}).get("field") or {}).get("display_name")
    if field:
        extra["field"] = field
    # An authorship's ORCID iD here is its OpenAlex author's, i.e. of the cluster OpenAlex built by name matching,
    # not one the publisher deposited with this work.
    extra["author_ids_from_cluster"] = True
    return [Record(
        source=NAME,
        source_id=raw.source_id or work_id(work),
        title=" ".join(str(work.get("title") or work.get("display_name") or "").split()),
        authors=_authors(work),
        year=year if isinstance(year, int) else None,
        date=str(work.get("publication_date") or (year or "")),
        venue=" ".join(str(source.get("display_name") or host.get("display_name") or primary.get("raw_source_name")
                           or "").split()),
        type=_type(work, source or host),
        ids=ids,
        url=(f"https://doi.org/{doi}" if doi and "doi" in ids else "") or landing,
        abstract=rebuild_abstract(work.get("abstract_inverted_index")),
        citations=work.get("cited_by_count") if isinstance(work.get("cited_by_count"), int) else None,
        counts_by_year={int(c["year"]): int(c.get("cited_by_count") or 0) for c in work.get("counts_by_year") or []
                        if isinstance(c, dict) and str(c.get("year", "")).isdigit()},
        links=links,
        extra=extra,
    )]


def _type(work: dict[str, Any], source: dict[str, Any]) -> str:
    kind = str(work.get("type") or "").lower()
    crossref_kind = str(work.get("type_crossref") or "").lower()
    if crossref_kind == "proceedings-article" or (kind == "article" and source.get("type") == "conference"):
        return "conference-paper"
    if kind == "article" and source.get("type") == "repository" and not canonical_doi(work.get("doi")):
        return "preprint"
    mapped = TYPE_MAP.get(kind) or TYPE_MAP.get(crossref_kind)
    if mapped:
        return mapped
    if kind and kind not in _unknown_types_logged:
        _unknown_types_logged.add(kind)
        log.warning("openalex: unknown work type %r (e.g. %s) read as \"other\"; please report it", kind,
                    work_id(work) or "a work")
    return "other"


def _ids(work: dict[str, Any]) -> dict[str, str]:
    given = work.get("ids") or {}
    ids: dict[str, str] = {}
    doi = canonical_doi(work.get("doi") or given.get("doi"))
    if doi.startswith("10.48550/arxiv."):        # arXiv's DataCite DOI names the preprint, not a published version
        ids["arxiv"] = canonical_arxiv(doi)
    elif doi:
        ids["doi"] = doi
    wid = work_id(work)
    if wid:
        ids["openalex"] = wid
    pmid = canonical_pmid(given.get("pmid"))
    if pmid:
        ids["pmid"] = pmid
    pmcid = str(given.get("pmcid") or "").rstrip("/").rsplit("/", 1)[-1]
    if pmcid:
        ids["pmcid"] = pmcid if pmcid.upper().startswith("PMC") else f"PMC{pmcid}"
    if given.get("mag"):
        ids["mag"] = str(given["mag"])
    aid = _arxiv_id(work)
    if aid:
        ids.setdefault("arxiv", aid)
    return ids


def _arxiv_id(work: dict[str, Any]) -> str:
    doi = canonical_doi(work.get("doi"))
    if doi.startswith("10.48550/arxiv."):
        return canonical_arxiv(doi)
    locations = list(work.get("locations") or []) + [work.get("primary_location") or {}, work.get("host_venue") or {}]
    locations += list(work.get("alternate_host_venues") or [])
    for loc in locations:
        if not isinstance(loc, dict):
            continue
        m = _ARXIV_OAI.search(str(loc.get("id") or ""))
        if m and canonical_arxiv(m.group(1)):
            return canonical_arxiv(m.group(1))
        for key in ("landing_page_url", "pdf_url", "url"):
            m = _ARXIV_IN_URL.search(str(loc.get(key) or ""))
            if m and canonical_arxiv(m.group(1)):
                return canonical_arxiv(m.group(1))
        loc_doi = canonical_doi(str(loc.get("id") or "").removeprefix("doi:"))
        if loc_doi.startswith("10.48550/arxiv."):
            return canonical_arxiv(loc_doi)
    return ""


def _authors(work: dict[str, Any]) -> list[Author]:
    out = []
    for a in work.get("authorships") or []:
        a = a or {}
        person = a.get("author") or {}
        printed = " ".join(str(a.get("raw_author_name") or "").split())
        name = " ".join(str(person.get("display_name") or "").split()) or printed
        if not name:
            continue
        affiliations = [" ".join(str(text).split()) for text in a.get("raw_affiliation_strings") or [] if text]
        affiliations += [str(i["display_name"]) for i in a.get("institutions") or []
                         if isinstance(i, dict) and i.get("display_name")]
        out.append(Author(name=name, orcid=canonical_orcid(person.get("orcid")),
                          openalex=canonical_openalex(person.get("id"), "A"),
                          printed=printed if printed != name else "", affiliations=affiliations))
    return out


def rebuild_abstract(index: Any) -> str:
    """{word: [positions]} → the text, words in position order."""
    if not isinstance(index, dict) or not index:
        return ""
    placed = []
    for word, positions in index.items():
        for pos in positions or []:
            if isinstance(pos, int):
                placed.append((pos, word))
    placed.sort()
    return " ".join(word for _, word in placed)


def requests_bound(n_works: int, n_dois: int) -> int:
    return math.ceil(n_works / PER_PAGE) + math.ceil(n_dois / DOI_BATCH)
