"""ORCID public API (v3.0; v2.0 data with upper-case enums parses too).

One RawRecord per work summary (put-code): each summary is one source's claim ("Crossref", "Scopus", the person).
The payload is the full work from the bulk endpoint when fetched, else the summary itself.
"""
from __future__ import annotations

import json
import logging
import math
import re
from typing import Any

from pubsync.http import HttpSession, decode_body, json_body, one_line
from pubsync.names import split_name
from pubsync.records import (Author, Record, canonical_arxiv, canonical_doi, canonical_orcid, canonical_pmid)
from pubsync.sources import FetchResult, RawRecord, SourceError, Target, doi_fields, readable_records

NAME = "orcid"
BULK_MAX = 100            # ORCID answers HTTP 400 (error 9042) to more put-codes in one bulk call
ACCEPT = "application/json"
log = logging.getLogger(__name__)

TYPE_MAP = {
    "journal-article": "journal-article", "magazine-article": "journal-article", "newspaper-article": "other",
    "conference-paper": "conference-paper", "conference-abstract": "conference-paper",
    "conference-poster": "other", "conference-presentation": "other", "conference-proceedings": "book",
    "conference-output": "conference-paper",
    "book-chapter": "book-chapter", "book": "book", "edited-book": "book", "book-review": "review",
    "dissertation": "thesis", "dissertation-thesis": "thesis", "supervised-student-publication": "thesis",
    "preprint": "preprint", "working-paper": "report", "report": "report", "research-technique": "other",
    "data-set": "dataset", "data-management-plan": "other", "software": "software", "review": "review",
    "annotation": "other", "translation": "other", "encyclopedia-entry": "book-chapter",
    "dictionary-entry": "book-chapter", "online-resource": "other", "website": "other", "patent": "other",
    "standards-and-policy": "report", "technical-standard": "report", "lecture-speech": "other",
    "test": "other", "other": "other", "manual": "report", "spin-off-company": "other",
    "registered-copyright": "other", "trademark": "other", "license": "other", "disclosure": "other",
    "invention": "other", "artistic-performance": "other", "research-tool": "other", "physical-object": "other",
    "cartographic-material": "other", "public-speech": "other", "learning-object": "other", "blog-post": "other",
}
EDITOR_ROLES = {"editor", "chair-or-translator", "translator"}
ID_KEYS = {"doi": "doi", "arxiv": "arxiv", "pmid": "pmid", "pmc": "pmcid", "eid": "eid", "wosuid": "wos",
           "handle": "handle", "dblp": "dblp", "bibcode": "bibcode"}


# ---- small accessors (every level of ORCID JSON can be null) ------------------------------------

def _value(node: Any) -> str:
    if isinstance(node, dict):
        node = node.get("value")
    return "" if node is None else str(node).strip()


def _enum(text: Any) -> str:
    """v2.0 'JOURNAL_ARTICLE' / v3.0 'journal-article' → 'journal-article'."""
    return str(text or "").strip().lower().replace("_", "-")


def _external_ids(node: dict[str, Any] | None) -> list[dict[str, Any]]:
    ids = (node or {}).get("external-ids") or {}
    return [e for e in (ids.get("external-id") or []) if isinstance(e, dict)]


def _date(node: dict[str, Any] | None) -> str:
    node = node or {}
    parts = []
    for key, width in (("year", 4), ("month", 2), ("day", 2)):
        text = _value(node.get(key))
        if not text.isdigit():
            break
        parts.append(text.zfill(width))
    return "-".join(parts)


def _modified(node: dict[str, Any]) -> str:
    return _value(node.get("last-modified-date"))


def put_code(node: dict[str, Any]) -> str:
    code = node.get("put-code")
    return "" if code is None else str(code)


# ---- fetch -------------------------------------------------------------------------------------

def fetch(session: HttpSession, target: Target, known: dict[str, str]) -> FetchResult:
    orcid = canonical_orcid(target.orcid)
    if not orcid:
        raise SourceError(f"orcid: {target.orcid!r} is not a valid ORCID iD")
    listing = json_body(session.get(f"/{orcid}/works", accept=ACCEPT).text, f"orcid: /{orcid}/works")
    if not isinstance(listing, dict) or "group" not in listing:
        raise SourceError(f"orcid: /{orcid}/works: {_error_text(listing) or 'no work groups in the answer'}")
    summaries = summaries_of(listing)
    todo = [s for s in summaries if known.get(put_code(s)) != _modified(s) or not _modified(s)]
    unchanged = [put_code(s) for s in summaries if s not in todo]
    full: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for start in range(0, len(todo), BULK_MAX):
        codes = [put_code(s) for s in todo[start:start + BULK_MAX]]
        path = f"/{orcid}/works/{','.join(codes)}"
        answer = json_body(session.get(path, accept=ACCEPT).text, f"orcid: bulk of {len(codes)} works")
        works, errors = split_bulk(answer)
        if errors and not works:
            raise SourceError(f"orcid: bulk call for {len(codes)} works returned only errors: {errors[0]}")
        for work in works:
            full[put_code(work)] = work
        failed.extend(errors)
    if failed:
        log.warning("orcid %s: %d work(s) could not be read in full (first: %s)", orcid, len(failed), failed[0])
    raws = []
    for summary in todo:
        code = put_code(summary)
        if code not in full and code in known:
            unchanged.append(code)             # a bulk error: keep the full work stored earlier; retried next time
            continue
        payload = full.get(code, summary)      # a new work whose bulk entry failed (private, deleted meanwhile)
        raws.append(RawRecord(NAME, code, json.dumps(payload, ensure_ascii=False, sort_keys=True), "json",
                              _modified(summary)))
    discovered = {**discover(summaries), "doi_fields": doi_fields(readable_records(raws, parse))}
    return FetchResult(raws=raws, complete=True, unchanged=unchanged, requests=session.requests,
                       discovered=discovered)


def summaries_of(listing: dict[str, Any]) -> list[dict[str, Any]]:
    """Every work summary of every group, in ORCID's order (one per put-code)."""
    out, seen = [], set()
    for group in listing.get("group") or []:
        for summary in (group or {}).get("work-summary") or []:
            code = put_code(summary or {})
            if code and code not in seen:
                seen.add(code)
                out.append(summary)
    return out


def split_bulk(answer: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """A bulk answer → (works, one-line error texts). A bare error object (HTTP 400 body) raises SourceError."""
    if not isinstance(answer, dict) or "bulk" not in answer:
        raise SourceError(f"orcid: bulk answer: {_error_text(answer) or 'no bulk list in the answer'}")
    works, errors = [], []
    for item in answer.get("bulk") or []:
        item = item or {}
        if isinstance(item.get("work"), dict):
            works.append(item["work"])
        elif isinstance(item.get("error"), dict):
            errors.append(_error_text(item["error"]))
    return works, errors


def _error_text(obj: Any) -> str:
    if not isinstance(obj, dict):
        return ""
    if "response-code" in obj or "developer-message" in obj or "error-code" in obj:
        msg = obj.get("developer-message") or obj.get("user-message") or "error"
        return one_line(f"ORCID error {obj.get('error-code', '?')} (HTTP {obj.get('response-code', '?')}): {msg}", 240)
    return ""


def discover(summaries: list[dict[str, Any]]) -> dict[str, object]:
    arxiv_ids, dois = [], []
    for summary in summaries:
        for ext in _external_ids(summary):
            kind = _enum(ext.get("external-id-type"))
            value = _id_value(ext)
            if kind == "arxiv" and canonical_arxiv(value) and canonical_arxiv(value) not in arxiv_ids:
                arxiv_ids.append(canonical_arxiv(value))
            if kind == "doi" and _enum(ext.get("external-id-relationship")) in ("self", ""):
                doi = canonical_doi(value)
                if doi.startswith("10.48550/arxiv."):
                    aid = canonical_arxiv(doi)
                    if aid and aid not in arxiv_ids:
                        arxiv_ids.append(aid)
                elif doi and doi not in dois:
                    dois.append(doi)
    return {"arxiv_ids": arxiv_ids, "dois": dois}


# ---- load (saved responses) ----------------------------------------------------------------------

def load(data: bytes, name: str) -> list[RawRecord]:
    text = decode_body(data, name)
    if text.lstrip().startswith("<"):
        raise SourceError(f"{name}: ORCID XML is not read; save the JSON answer (Accept: application/json)")
    obj = json_body(text, name)
    return raws_from_json(obj, name)


def raws_from_json(obj: Any, name: str) -> list[RawRecord]:
    if isinstance(obj, dict) and ("activities-summary" in obj or "works" in obj and "group" in (obj.get("works") or {})):
        obj = (obj.get("activities-summary") or obj).get("works") or {}
        if "group" not in obj:
            return []
    if isinstance(obj, dict) and "group" in obj:
        return [RawRecord(NAME, put_code(s), json.dumps(s, ensure_ascii=False, sort_keys=True), "json", _modified(s))
                for s in summaries_of(obj)]
    if isinstance(obj, dict) and "bulk" in obj:
        works, errors = split_bulk(obj)
        if not works and errors:
            raise SourceError(f"{name}: {errors[0]}")
        for error in errors:
            log.warning("%s: skipped a bulk error: %s", name, error)
        return [RawRecord(NAME, put_code(w), json.dumps(w, ensure_ascii=False, sort_keys=True), "json", _modified(w))
                for w in works]
    if isinstance(obj, dict) and put_code(obj) and "title" in obj:
        return [RawRecord(NAME, put_code(obj), json.dumps(obj, ensure_ascii=False, sort_keys=True), "json",
                          _modified(obj))]
    if _error_text(obj):
        raise SourceError(f"{name}: {_error_text(obj)}")
    raise SourceError(f"{name}: not an ORCID works list, bulk answer or work (keys: "
                      f"{', '.join(sorted(obj)[:6]) if isinstance(obj, dict) else type(obj).__name__})")


# ---- parse -------------------------------------------------------------------------------------

def parse(raw: RawRecord) -> list[Record]:
    work = json.loads(raw.payload)
    if not isinstance(work, dict):
        raise SourceError(f"orcid:{raw.source_id}: payload is not a work object")
    title_node = work.get("title") or {}
    title = " ".join(_value(title_node.get("title")).split())
    date = _date(work.get("publication-date"))
    kind = _enum(work.get("type"))
    ids, url = _ids(work)
    authors = _authors(work)
    has_contributors = "contributors" in work
    extra: dict[str, Any] = {}
    subtitle = _value(title_node.get("subtitle"))
    if subtitle:
        extra["subtitle"] = subtitle
    citation = work.get("citation") or {}
    if _value(citation.get("citation-value")):
        extra["citation_type"] = _enum(citation.get("citation-type"))
        extra["citation"] = citation.get("citation-value")
    if not has_contributors:
        extra["summary_only"] = True
    if work.get("display-index") is not None:
        extra["display_index"] = str(work.get("display-index"))
    source = work.get("source") or {}
    if (source.get("source-orcid") or {}).get("path") and not source.get("source-client-id"):
        extra["self_claimed"] = True          # entered by a person on the record, not by a harvesting member
    return [Record(
        source=NAME,
        source_id=raw.source_id or put_code(work),
        title=title,
        authors=authors,
        authors_complete=bool(authors),
        year=int(date[:4]) if date[:4].isdigit() else None,
        date=date,
        venue=" ".join(_value(work.get("journal-title")).split()),
        type=TYPE_MAP.get(kind, "other"),
        ids=ids,
        url=_value(work.get("url")) or url,
        abstract=" ".join(_value(work.get("short-description")).split()),
        claimed_by=_value(source.get("source-name")) or _value((source.get("source-orcid") or {}).get("path")),
        extra=extra,
    )]


def _id_value(ext: dict[str, Any]) -> str:
    normalized = ext.get("external-id-normalized")
    return _value(normalized) or _value(ext.get("external-id-value"))


def _ids(work: dict[str, Any]) -> tuple[dict[str, str], str]:
    ids: dict[str, str] = {}
    doi_url = ""
    for ext in _external_ids(work):
        kind = _enum(ext.get("external-id-type"))
        relation = _enum(ext.get("external-id-relationship"))
        if relation not in ("self", ""):         # part-of / version-of / funded-by name other works
            continue
        value = _id_value(ext)
        key = ID_KEYS.get(kind)
        if not key or not value or key in ids:
            continue
        if key == "doi":
            value = canonical_doi(value) or canonical_doi(_value(ext.get("external-id-value")))
            if value.startswith("10.48550/arxiv."):
                ids.setdefault("arxiv", canonical_arxiv(value))
                continue
            doi_url = f"https://doi.org/{value}" if value else ""
        elif key == "arxiv":
            value = canonical_arxiv(value)
        elif key == "pmid":
            value = canonical_pmid(value)
        elif key == "pmcid":
            digits = re.sub(r"(?i)^pmc", "", value.strip())
            value = f"PMC{digits}" if digits.isdigit() else ""
        if value:
            ids[key] = value
    return ids, doi_url


def _authors(work: dict[str, Any]) -> list[Author]:
    contributors = ((work.get("contributors") or {}).get("contributor") or [])
    people: list[tuple[str, str, str]] = []
    for c in contributors:
        c = c or {}
        name = " ".join(_value(c.get("credit-name")).split())
        orcid = canonical_orcid(_value((c.get("contributor-orcid") or {}).get("path"))) or \
            canonical_orcid(_value((c.get("contributor-orcid") or {}).get("uri")))
        role = _enum((c.get("contributor-attributes") or {}).get("contributor-role"))
        if name or orcid:
            people.append((name, orcid, role))
    if any(role not in EDITOR_ROLES for *_, role in people):
        people = [p for p in people if p[2] not in EDITOR_ROLES]
    authors, seen = [], set()
    for name, orcid, _ in people:          # one person listed once per CRediT role
        key = (name.lower(), orcid)
        if key in seen:
            continue
        seen.add(key)
        family, given = split_name(name)
        authors.append(Author(name=name, family=family, given=given, orcid=orcid))
    return authors


def requests_bound(n_works: int) -> int:
    return 1 + math.ceil(n_works / BULK_MAX)

