"""arXiv API (Atom): look-ups by id_list in batches and a paged author query.

Parsed by namespace URI, never by prefix or element order, so the old (≤2025) and the 2026 feeds both read.
The arXiv DataCite DOI (10.48550/arxiv.<id>) is never the work DOI; `arxiv:doi` is the published version's DOI.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from pubsync.http import HttpSession, HttpStatusError, decode_body, one_line
from pubsync.names import split_name
from pubsync.records import Author, Record, canonical_doi, split_arxiv
from pubsync.sources import FetchResult, RawRecord, SourceError, Target

NAME = "arxiv"
BATCH = 100
PAGE = 100
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
_A, _X, _O = f"{{{ATOM}}}", f"{{{ARXIV}}}", f"{{{OPENSEARCH}}}"
ET.register_namespace("", ATOM)
ET.register_namespace("arxiv", ARXIV)
ET.register_namespace("opensearch", OPENSEARCH)


# ---- fetch -------------------------------------------------------------------------------------

def fetch(session: HttpSession, target: Target, known: dict[str, str]) -> FetchResult:
    """Ids not already known (by id_list, ≤ BATCH a call), then the author query (paged) when one is configured."""
    wanted, unchanged = [], []
    for value in target.arxiv_ids:
        aid = split_arxiv(value)[0]
        if not aid or aid in wanted or aid in unchanged:
            continue
        (unchanged if aid in known else wanted).append(aid)
    entries: dict[str, RawRecord] = {}
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start:start + BATCH]
        feed = _query(session, {"id_list": ",".join(batch), "start": "0", "max_results": str(len(batch))})
        for raw in raws_from_feed(feed):
            entries.setdefault(raw.source_id, raw)
    complete = False
    if target.arxiv_query:
        start, total = 0, None
        while total is None or start < total:
            feed = _query(session, {"search_query": target.arxiv_query, "start": str(start),
                                    "max_results": str(PAGE), "sortBy": "submittedDate", "sortOrder": "descending"})
            page = raws_from_feed(feed)
            for raw in page:
                entries.setdefault(raw.source_id, raw)
            total = _total(feed)
            start += PAGE
            if len(page) < PAGE:
                break
        complete = not target.arxiv_ids
    return FetchResult(raws=list(entries.values()), complete=complete,
                       unchanged=[u for u in unchanged if u not in entries], requests=session.requests)


def _query(session: HttpSession, params: dict[str, str]) -> ET.Element:
    try:
        response = session.get("/query", params=params, accept="application/atom+xml")
    except HttpStatusError as e:
        message = _feed_error(e.body)
        if message:
            raise HttpStatusError(f"arxiv: HTTP {e.status}: {message}", e.status, e.body, e.headers) from None
        raise
    return parse_feed(response.text, "arxiv: query answer")


# ---- feed handling -----------------------------------------------------------------------------

def parse_feed(text: str, name: str) -> ET.Element:
    try:
        root = ET.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    except ET.ParseError as e:
        head = one_line(text[:80]) if text.strip() else "an empty body"
        raise SourceError(f"{name}: not an Atom feed ({e}); it starts with {head!r}") from None
    if root.tag not in (f"{_A}feed", f"{_A}entry"):
        raise SourceError(f"{name}: not an Atom feed (root element {root.tag!r})")
    message = _error_entry(root)
    if message:
        raise SourceError(f"{name}: arXiv error: {message}")
    return root


def _error_entry(root: ET.Element) -> str:
    entries = [root] if root.tag == f"{_A}entry" else root.findall(f"{_A}entry")
    for entry in entries:
        if "/api/errors" in (entry.findtext(f"{_A}id") or ""):
            return one_line(entry.findtext(f"{_A}summary") or entry.findtext(f"{_A}title") or "error")
    return ""


def _feed_error(body: str) -> str:
    try:
        return _error_entry(ET.fromstring(body.encode("utf-8")))
    except ET.ParseError:
        return ""


def _total(feed: ET.Element) -> int:
    text = (feed.findtext(f"{_O}totalResults") or "").strip()
    return int(text) if text.isdigit() else 0


def raws_from_feed(feed: ET.Element) -> list[RawRecord]:
    entries = [feed] if feed.tag == f"{_A}entry" else feed.findall(f"{_A}entry")
    out = []
    for entry in entries:
        aid, _ = split_arxiv(_entry_id(entry))
        if not aid:
            continue
        payload = ET.tostring(entry, encoding="unicode")
        out.append(RawRecord(NAME, aid, payload, "xml", (entry.findtext(f"{_A}updated") or "").strip()))
    return out


def _entry_id(entry: ET.Element) -> str:
    return (entry.findtext(f"{_A}id") or "").strip()


# ---- load --------------------------------------------------------------------------------------

def load(data: bytes, name: str) -> list[RawRecord]:
    text = decode_body(data, name)
    stripped = text.lstrip()
    if stripped.startswith("{"):      # arxiv.py's recorded {"url", "status_code", "body"} wrapper
        try:
            wrapper = json.loads(text)
        except ValueError as e:
            raise SourceError(f"{name}: neither Atom nor a recorded-response JSON ({e.msg})") from None
        if not isinstance(wrapper, dict) or not isinstance(wrapper.get("body"), str):
            raise SourceError(f"{name}: JSON without an Atom 'body'")
        status = int(wrapper.get("status_code") or 200)
        if status >= 400:
            message = _feed_error(wrapper["body"]) or f"HTTP {status}"
            raise SourceError(f"{name}: arXiv error (HTTP {status}): {message}")
        text = wrapper["body"]
    return raws_from_feed(parse_feed(text, name))


# ---- parse -------------------------------------------------------------------------------------

def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


def parse(raw: RawRecord) -> list[Record]:
    try:
        entry = ET.fromstring(raw.payload.encode("utf-8"))
    except ET.ParseError as e:
        raise SourceError(f"arxiv:{raw.source_id}: payload is not an Atom entry ({e})") from None
    aid, version = split_arxiv(_entry_id(entry))
    published = (entry.findtext(f"{_A}published") or "").strip()
    date = published[:10] if re.match(r"\d{4}-\d{2}-\d{2}", published) else ""
    authors = []
    for node in entry.findall(f"{_A}author"):
        name = _squash(node.findtext(f"{_A}name"))
        if not name:
            continue
        family, given = split_name(name)
        affiliations = [_squash(a.text) for a in node.findall(f"{_X}affiliation") if _squash(a.text)]
        authors.append(Author(name=name, family=family, given=given, affiliations=affiliations))
    categories = [c.get("term", "") for c in entry.findall(f"{_A}category") if c.get("term")]
    primary = entry.find(f"{_X}primary_category")
    links: dict[str, str] = {}
    for link in entry.findall(f"{_A}link"):
        href, title, rel = link.get("href", ""), link.get("title", ""), link.get("rel", "")
        if title == "pdf" and href:
            links["pdf"] = href
        elif rel == "alternate" and href:
            links["html"] = href
    extra: dict[str, Any] = {"categories": categories}
    if primary is not None and primary.get("term"):
        extra["primary_category"] = primary.get("term")
    comment = _squash(entry.findtext(f"{_X}comment"))
    if comment:
        extra["comment"] = comment
    updated = (entry.findtext(f"{_A}updated") or "").strip()
    if updated:
        extra["updated"] = updated
    aid = aid or raw.source_id
    return [Record(
        source=NAME,
        source_id=aid,
        title=_squash(entry.findtext(f"{_A}title")),
        authors=authors,
        year=int(date[:4]) if date else None,
        date=date,
        venue="arXiv",
        type="preprint",
        ids={"arxiv": aid},
        url=f"https://arxiv.org/abs/{aid}",
        abstract=_squash(entry.findtext(f"{_A}summary")),
        links=links,
        published_doi=canonical_doi(entry.findtext(f"{_X}doi")),
        journal_ref=_squash(entry.findtext(f"{_X}journal_ref")),
        version=version,
        extra=extra,
    )]
