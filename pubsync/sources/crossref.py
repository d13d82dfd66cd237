"""Crossref works by DOI (optional source): fills venue, type, date, authors and title where others lack them.
A 404 means "no such DOI at Crossref" (DataCite DOIs, typos): no record, not a failure of the source."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from pubsync.http import HttpSession, HttpStatusError, decode_body, json_body
from pubsync.records import Author, Record, canonical_doi, canonical_orcid
from pubsync.sources import FetchResult, RawRecord, SourceError, Target

NAME = "crossref"
TYPE_MAP = {
    "journal-article": "journal-article", "proceedings-article": "conference-paper", "book-chapter": "book-chapter",
    "book-part": "book-chapter", "book-section": "book-chapter", "reference-entry": "book-chapter",
    "book": "book", "monograph": "book", "edited-book": "book", "reference-book": "book", "book-set": "book",
    "book-series": "book", "proceedings": "book", "posted-content": "preprint", "dissertation": "thesis",
    "report": "report", "report-series": "report", "standard": "report", "dataset": "dataset",
    "peer-review": "peer-review", "component": "supplementary", "journal-issue": "paratext", "journal": "paratext",
    "retraction": "retraction", "other": "other",
}


def fetch(session: HttpSession, target: Target, known: dict[str, str]) -> FetchResult:
    raws, missing = [], []
    for doi in dict.fromkeys(canonical_doi(d) for d in target.dois):
        if not doi:
            continue
        params = {"mailto": session.settings.mailto} if session.settings.mailto else None
        try:
            response = session.get(f"/works/{quote(doi, safe='/')}", params=params, accept="application/json")
        except HttpStatusError as e:
            if e.status == 404:
                missing.append(doi)
                continue
            raise
        raws.extend(raws_from_json(json_body(response.text, f"crossref: /works/{doi}"), f"crossref: /works/{doi}"))
    return FetchResult(raws=raws, complete=False, requests=session.requests, discovered={"not_found": missing})


def load(data: bytes, name: str) -> list[RawRecord]:
    text = decode_body(data, name)
    if text.strip() == "Resource not found.":
        raise SourceError(f"{name}: Crossref answered 'Resource not found.' (unknown DOI)")
    return raws_from_json(json_body(text, name), name)


def raws_from_json(obj: Any, name: str) -> list[RawRecord]:
    if isinstance(obj, dict) and "message" in obj:
        if obj.get("status") not in (None, "ok"):
            raise SourceError(f"{name}: Crossref error: {obj.get('message')}")
        message = obj["message"]
        items = message.get("items") if isinstance(message, dict) and "items" in message else [message]
    elif isinstance(obj, dict) and "DOI" in obj:
        items = [obj]
    elif isinstance(obj, dict) and obj and all(isinstance(v, dict) and "DOI" in v for v in obj.values()):
        items = list(obj.values())          # a saved {doi-url: message} map
    elif isinstance(obj, list):
        items = obj
    else:
        raise SourceError(f"{name}: not a Crossref work, works list or message")
    out = []
    for item in items:
        doi = canonical_doi((item or {}).get("DOI")) if isinstance(item, dict) else ""
        if not doi:
            raise SourceError(f"{name}: a Crossref item without a DOI")
        out.append(RawRecord(NAME, doi, json.dumps(item, ensure_ascii=False, sort_keys=True), "json",
                             str(((item.get("indexed") or {}).get("date-time")) or "")))
    return out


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value or "").split())


def _date(item: dict[str, Any]) -> str:
    for key in ("issued", "published", "published-print", "published-online", "created"):
        parts = ((item.get(key) or {}).get("date-parts") or [[]])[0] or []
        parts = [p for p in parts if isinstance(p, int) or (isinstance(p, str) and p.isdigit())]
        if parts:
            y, *rest = [int(p) for p in parts]
            return "-".join([f"{y:04d}"] + [f"{p:02d}" for p in rest[:2]])
    return ""


def strip_jats(text: str) -> str:
    text = re.sub(r"<jats:title>\s*Abstract\s*</jats:title>", " ", text or "", flags=re.I)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def parse(raw: RawRecord) -> list[Record]:
    item = json.loads(raw.payload)
    if not isinstance(item, dict):
        raise SourceError(f"crossref:{raw.source_id}: payload is not a work object")
    doi = canonical_doi(item.get("DOI")) or raw.source_id
    date = _date(item)
    authors = []
    for a in item.get("author") or []:
        a = a or {}
        family, given = str(a.get("family") or "").strip(), str(a.get("given") or "").strip()
        name = " ".join(p for p in (given, family) if p) or str(a.get("name") or "").strip()
        affiliations = [str(aff["name"]) for aff in a.get("affiliation") or [] if isinstance(aff, dict) and aff.get("name")]
        if name:
            authors.append(Author(name=name, family=family or name, given=given, orcid=canonical_orcid(a.get("ORCID")),
                                  affiliations=affiliations))
    extra = {k: str(item[k]) for k in ("volume", "issue", "page", "publisher") if item.get(k)}
    relation = item.get("relation") or {}
    for key in ("is-preprint-of", "has-preprint", "is-version-of"):
        related = [canonical_doi(r.get("id")) for r in relation.get(key) or [] if (r or {}).get("id-type") == "doi"]
        if any(related):
            extra[key] = [r for r in related if r]
    if any((u or {}).get("type") == "retraction" for u in item.get("updated-by") or []):
        extra["retracted"] = True
    kind = str(item.get("type") or "")
    if any((u or {}).get("type") == "retraction" for u in item.get("update-to") or []):
        kind = "retraction"                    # the notice that retracts another work
    cites = item.get("is-referenced-by-count")
    return [Record(
        source=NAME,
        source_id=doi,
        title=_first(item.get("title")),
        authors=authors,
        year=int(date[:4]) if date else None,
        date=date,
        venue=_first(item.get("container-title")),
        type=TYPE_MAP.get(kind, "other"),
        ids={"doi": doi},
        url=f"https://doi.org/{doi}",
        abstract=strip_jats(item.get("abstract") or ""),
        citations=cites if isinstance(cites, int) else None,
        extra=extra,
    )]
