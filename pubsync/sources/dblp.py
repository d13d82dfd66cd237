"""DBLP person lists (`/pid/{pid}.xml`), and the same list saved from a browser: the person XML or a DBLP BibTeX
export (standard, condensed or with crossref entries). Parsed with the standard library's ElementTree and pybtex.

One raw record is one publication element of the person XML (`<inproceedings>`, `<article>`, `<proceedings>`,
`<incollection>`, …) keyed by its DBLP key; a BibTeX entry is turned into that same element, so `parse` reads one
shape. CoRR entries (`<journal>CoRR</journal><volume>abs/1901.10553</volume>`) are arXiv preprints with their arXiv
id. Authors keep DBLP's person id (`pid`); the "0001" that tells namesakes apart leaves the displayed name.

Since 2026-09 DBLP may answer scripts with an Anubis proof-of-work page ("Making sure you're not a bot!"); `blocked`
recognises it and the source fails at once, saying how to save the page and import it.
"""
from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from typing import Any

from pubsync.http import Blocked, HttpSession, decode_body
from pubsync.names import split_name
from pubsync.normalize import latex_to_unicode
from pubsync.records import Author, Record, canonical_arxiv, canonical_doi, canonical_orcid
from pubsync.sources import FetchResult, RawRecord, SourceError, Target

log = logging.getLogger(__name__)

NAME = "dblp"
PUBLIC_BASE = "https://dblp.org"
ELEMENTS = ("article", "inproceedings", "proceedings", "incollection", "book", "phdthesis", "mastersthesis", "data")
TYPES = {"inproceedings": "conference-paper", "article": "journal-article", "proceedings": "book",
         "incollection": "book-chapter", "book": "book", "phdthesis": "thesis", "mastersthesis": "thesis",
         "data": "dataset"}
PID = re.compile(r"^(?:[a-z]/[\w-]+|\d+/[\w-]+)$")          # 62/2078, 51/3710-3, l/BuSungLee
_NAMESAKE = re.compile(r"\s+\d{4}$")                         # "Bo An 0001"
_ARXIV_URL = re.compile(r"arxiv\.org/abs/(.+)$", re.I)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\..+)$", re.I)
ANUBIS_MARKERS = ("anubis_challenge", "making sure you&#39;re not a bot", "making sure you're not a bot",
                  "making sure you’re not a bot", "making sure you&rsquo;re not a bot")


# ---- blocks ------------------------------------------------------------------------------------

def looks_like_anubis(text: str) -> bool:
    low = text[:200_000].lower()
    return any(marker in low for marker in ANUBIS_MARKERS)


def blocked(status: int, final_url: str, text: str) -> str | None:
    """DBLP's Anubis proof-of-work interstitial (status 200 or 401): a page a script cannot pass."""
    if looks_like_anubis(text) and "<dblpperson" not in text[:5000]:
        return ("DBLP answered with its 'Making sure you're not a bot!' check (Anubis) — open the person page in a "
                "browser, save it (the XML at dblp.org/pid/…xml, or Export → BibTeX) and run "
                "`pubsync import dblp FILE`")
    return None


# ---- fetch -------------------------------------------------------------------------------------

def person_pid(value: str) -> str:
    """A DBLP pid from '62/2078', 'https://dblp.org/pid/62/2078.html' or '…/pid/62/2078.xml'; '' when none."""
    v = (value or "").strip()
    m = re.search(r"/pid/(.+?)(?:\.html|\.xml|\.bib)?/?$", v)
    if m:
        v = m.group(1)
    return v if PID.match(v) else ""


def fetch(session: HttpSession, target: Target, known: dict[str, str]) -> FetchResult:
    """The whole person list in one request."""
    pid = person_pid(target.dblp)
    if not pid:
        raise SourceError(f"dblp: {target.dblp!r} is not a DBLP person id (like 62/2078)")
    text = session.get(f"/pid/{pid}.xml", accept="application/xml").text
    raws, name, orcids = _split_person(text, f"dblp: /pid/{pid}.xml")
    if target.orcid and orcids and target.orcid not in orcids:
        log.warning("dblp: the DBLP person %s lists ORCID iD %s, not %s; check the dblp pid in the config", pid,
                    ", ".join(orcids), target.orcid)
    return FetchResult(raws=raws, complete=True, requests=session.requests, person_name=name)


# ---- load --------------------------------------------------------------------------------------

def load(data: bytes, name: str) -> list[RawRecord]:
    text = decode_body(data, name)
    head = text.lstrip()[:2000]
    if looks_like_anubis(text):
        raise Blocked(f"{name}: DBLP's 'Making sure you're not a bot!' page, not the list; let the browser pass the "
                      "check, then save the person page again")
    if "<dblpperson" not in head and re.search(r"^\s*@\w+\s*\{", text, re.M):
        return _raws_from_bibtex(text, name)
    if re.match(r"\s*(?:<!doctype html|<html)", text, re.I):
        raise SourceError(f"{name}: an HTML page; save the person list as XML (dblp.org/pid/…xml, the 'XML' link "
                          "under the export icon) or as BibTeX, and import that")
    return _split_person(text, name)[0]


def _split_person(text: str, what: str) -> tuple[list[RawRecord], str, list[str]]:
    """The publication records of a person XML, the person's name, and the ORCID iDs DBLP's editors verified for
    them (`<person><url>https://orcid.org/…</url>`)."""
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        raise SourceError(f"{what}: not XML ({e})") from None
    if root.tag != "dblpperson":
        raise SourceError(f"{what}: not a DBLP person list (<{root.tag}>, expected <dblpperson>)")
    raws = []
    for r in root.findall("r"):
        for element in r:
            key = element.get("key", "")
            if element.tag in ELEMENTS and key:
                raws.append(RawRecord(NAME, key, ET.tostring(element, encoding="unicode"), "xml",
                                      element.get("mdate", "")))
    person = root.find("person")
    urls = [u.text or "" for u in person.findall("url")] if person is not None else []
    orcids = [o for o in (canonical_orcid(u) for u in urls if "orcid.org" in u) if o]
    return raws, _NAMESAKE.sub("", root.get("name", "")), orcids


def _raws_from_bibtex(text: str, name: str) -> list[RawRecord]:
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexError
    try:
        bib = parse_string(text, "bibtex")
    except PybtexError as e:
        raise SourceError(f"{name}: not BibTeX pybtex can read: {' '.join(str(e).split())}") from None
    raws = []
    # a "with crossref" export adds the proceedings its papers cite: not publications of the person
    cited = {str(e.fields.get("crossref", "")).lower() for e in bib.entries.values()} - {""}
    for key, entry in bib.entries.items():
        dblp_key = key.removeprefix("DBLP:")
        tag = entry.type.lower()
        if tag not in ELEMENTS or key.lower() in cited:
            continue
        element = ET.Element(tag, {"key": dblp_key})
        if entry.fields.get("journal") == "CoRR" or entry.fields.get("eprinttype", "").lower() == "arxiv":
            element.set("publtype", "informal")
        for role in ("author", "editor"):
            for person in entry.persons.get(role, []):
                ET.SubElement(element, role).text = _text(str(person_display(person)))
        for field in ("title", "booktitle", "journal", "volume", "number", "pages", "year", "publisher", "school"):
            if entry.fields.get(field):
                ET.SubElement(element, field).text = _text(entry.fields[field])
        for field in ("doi", "url"):
            value = entry.fields.get(field, "")
            if value:
                ET.SubElement(element, "ee").text = f"https://doi.org/{value}" if field == "doi" else value
        if entry.fields.get("eprint") and entry.fields.get("eprinttype", "").lower() == "arxiv":
            ET.SubElement(element, "ee").text = f"https://arxiv.org/abs/{entry.fields['eprint']}"
        raws.append(RawRecord(NAME, dblp_key, ET.tostring(element, encoding="unicode"), "xml"))
    if not raws and bib.entries:
        raise SourceError(f"{name}: BibTeX without any publication entry DBLP exports (@article, @inproceedings, …)")
    if not raws:
        raise SourceError(f"{name}: neither a DBLP person list (XML) nor a DBLP BibTeX export")
    return raws


def person_display(person: Any) -> str:
    """A pybtex Person as 'First Middle Last' (DBLP writes names in that order)."""
    parts = person.first_names + person.middle_names + person.prelast_names + person.last_names + person.lineage_names
    return " ".join(parts)


def _text(value: str) -> str:
    return " ".join(latex_to_unicode(value).replace("{", "").replace("}", "").split())


# ---- parse -------------------------------------------------------------------------------------

def parse(raw: RawRecord) -> list[Record]:
    try:
        element = ET.fromstring(raw.payload)
    except ET.ParseError as e:
        raise SourceError(f"dblp:{raw.source_id}: not XML ({e})") from None
    key = element.get("key") or raw.source_id
    informal = element.get("publtype") in ("informal", "withdrawn")
    journal = _field(element, "journal")
    volume = _field(element, "volume")
    links = [" ".join((ee.text or "").split()) for ee in element.findall("ee") if (ee.text or "").strip()]
    ids: dict[str, str] = {"dblp": key}
    arxiv = canonical_arxiv(volume.removeprefix("abs/")) if journal == "CoRR" and volume.startswith("abs/") else ""
    for link in links:
        doi_match = _DOI_URL.match(link)
        doi = canonical_doi(doi_match.group(1)) if doi_match else ""
        arxiv_match = _ARXIV_URL.search(link)
        if doi.startswith("10.48550/arxiv."):
            arxiv = arxiv or canonical_arxiv(doi)
        elif doi and "doi" not in ids:
            ids["doi"] = doi
        elif arxiv_match:
            arxiv = arxiv or canonical_arxiv(arxiv_match.group(1))
    if arxiv:
        ids["arxiv"] = arxiv
    year_text = _field(element, "year")
    venue = journal or _field(element, "booktitle")
    if element.tag == "proceedings" and not venue:
        venue = _field(element, "series")
    kind = "preprint" if journal == "CoRR" or (informal and element.tag == "article" and not ids.get("doi")) \
        else TYPES.get(element.tag, "other")
    if element.get("publtype") == "encyclopedia":
        kind = "book-chapter"
    extra: dict[str, Any] = {"dblp_stream": stream(key)}
    for name in ("volume", "number", "pages", "publisher"):
        if _field(element, name):
            extra[name] = _field(element, name)
    if informal:
        extra["dblp_informal"] = True
    else:       # DBLP's editors list each publication once: two published DBLP records are two publications
        extra["distinct_within_source"] = True
    link_map = {}
    for link in links:
        if "openreview.net" in link:
            link_map.setdefault("openreview", link)
        elif not _DOI_URL.match(link) and not _ARXIV_URL.search(link):
            link_map.setdefault("html", link)
    role = "author" if element.find("author") is not None else "editor"
    return [Record(
        source=NAME,
        source_id=raw.source_id or key,
        title=_title(element),
        authors=[_author(a) for a in element.findall(role)],
        year=int(year_text) if year_text.isdigit() else None,
        date=year_text if year_text.isdigit() else "",
        venue="arXiv" if journal == "CoRR" else venue,
        type=kind,
        ids=ids,
        url=links[0] if links else f"{PUBLIC_BASE}/rec/{key}.html",
        links=link_map,
        extra=extra,
    )]


def stream(key: str) -> str:
    """'conf/iclr/XuL20' → 'conf/iclr': DBLP's venue stream, the key venues.py looks up."""
    parts = key.split("/")
    return "/".join(parts[:2]) if len(parts) >= 3 else ""


def _field(element: ET.Element, name: str) -> str:
    return " ".join("".join(element.find(name).itertext()).split()) if element.find(name) is not None else ""


def _title(element: ET.Element) -> str:
    title = _field(element, "title")
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title


def _author(node: ET.Element) -> Author:
    name = _NAMESAKE.sub("", " ".join("".join(node.itertext()).split()))
    family, given = split_name(name)
    return Author(name=name, family=family, given=given, orcid=canonical_orcid(node.get("orcid")),
                  dblp=node.get("pid", ""))


def requests_bound(n_people: int = 1) -> int:
    return n_people
