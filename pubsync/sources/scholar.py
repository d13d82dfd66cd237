"""Google Scholar profile pages (opt-in; no API). Parsed with the standard library's html.parser.

Scholar has no API: a 403/429 or a captcha page means "go away". `blocked` recognises such an answer, and the
HttpSession given it raises `Blocked` at once, without sleeping or retrying (retrying only deepens the block).
`load()` reads a profile page saved from the browser, a bare table-rows fragment, and the JSON the `scholarly`
package writes (author fill, publication fills, AcadHomepage's dict keyed by author_pub_id).
"""
from __future__ import annotations

import html
import json
import math
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pubsync.http import Blocked, HttpSession, decode_body
from pubsync.names import split_name
from pubsync.records import Author, Record
from pubsync.sources import FetchResult, RawRecord, SourceError, Target

NAME = "scholar"
PAGE = 100
PUBLIC_BASE = "https://scholar.google.com"
_ROW_START = re.compile(r"<tr\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bgsc_a_tr\b[^\"']*[\"'][^>]*>", re.I)
_ROW_END = re.compile(r"</tr\s*>", re.I)
_TRAILING_YEAR = re.compile(r",?\s*(1[5-9]\d\d|20\d\d)\s*$")
CAPTCHA_MARKERS = ("gs_captcha", "unusual traffic from your computer", "/sorry/index", "not a robot")


# ---- blocks ------------------------------------------------------------------------------------

def looks_like_captcha(text: str) -> bool:
    low = text[:200_000].lower()
    return any(marker in low for marker in CAPTCHA_MARKERS)


def blocked(status: int, final_url: str, text: str) -> str | None:
    """Why an answer is Scholar refusing automated access (403, 429, a redirect to /sorry/, a captcha page), or None.
    The HttpSession hook: a page with publication rows is never a block, whatever its text mentions."""
    if status in (403, 429) or "/sorry/" in final_url or (status == 200 and "gsc_a_tr" not in text
                                                         and looks_like_captcha(text)):
        what = f"HTTP {status}" if status != 200 else "a captcha page"
        return f"{what} — import a profile page saved from your browser instead"
    return None


# ---- fetch -------------------------------------------------------------------------------------

def fetch(session: HttpSession, target: Target, known: dict[str, str]) -> FetchResult:
    user = target.scholar
    if not re.fullmatch(r"[A-Za-z0-9_-]{12}", user or ""):
        raise SourceError(f"scholar: {user!r} is not a Google Scholar user id (12 characters)")
    raws: dict[str, RawRecord] = {}
    person_name = ""
    start = 0
    while True:
        page = session.get("/citations", params={"user": user, "cstart": str(start), "pagesize": str(PAGE),
                                                  "hl": "en"}, accept="text/html").text
        rows = split_rows(page)
        if not rows and looks_like_captcha(page):
            raise Blocked(f"scholar: blocked (a captcha page) for user {user}; stopped without retrying")
        if start == 0:
            person_name = profile_name(page)
            if not rows and "gsc_a_t" not in page and "gsc_prf" not in page:
                raise SourceError(f"scholar: the answer for user {user} is not a Scholar profile page")
        for raw in rows:
            raws.setdefault(raw.source_id, raw)
        start += PAGE
        if len(rows) < PAGE or not more_available(page):
            break
    return FetchResult(raws=list(raws.values()), complete=True, requests=session.requests, person_name=person_name)


def more_available(page: str) -> bool:
    """False when the page's "Show more" button is disabled; True when absent (a fragment) or enabled."""
    m = re.search(r"<button\b[^>]*\bid\s*=\s*[\"']gsc_bpf_more[\"'][^>]*>", page, re.I)
    return not (m and re.search(r"\bdisabled\b", m.group(0), re.I))


def profile_name(page: str) -> str:
    m = re.search(r"<div\b[^>]*\bid\s*=\s*[\"']gsc_prf_in[\"'][^>]*>(.*?)</div>", page, re.I | re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))).split()) if m else ""


def split_rows(page: str) -> list[RawRecord]:
    """Every `tr.gsc_a_tr` as its own text, keyed by the paper id of its citation_for_view link."""
    out = []
    for m in _ROW_START.finditer(page):
        end = _ROW_END.search(page, m.end())
        row = page[m.start(): end.end() if end else len(page)]
        _user, paper = _ids_of(_RowParser.run(row))
        if paper:
            out.append(RawRecord(NAME, paper, row, "html"))
    return out


# ---- load --------------------------------------------------------------------------------------

def load(data: bytes, name: str) -> list[RawRecord]:
    text = decode_body(data, name)
    if text.lstrip().startswith(("{", "[")):
        try:
            obj = json.loads(text)
        except ValueError as e:
            raise SourceError(f"{name}: broken JSON ({e.msg} at line {e.lineno})") from None
        return _raws_from_scholarly(obj, name)
    rows = split_rows(text)
    if rows:
        return rows
    if looks_like_captcha(text):
        raise Blocked(f"{name}: a Scholar captcha page, not a profile; solve it in the browser and save the profile")
    if "gsc_prf" in text or "gsc_a_t" in text:
        return []        # a profile without publications
    raise SourceError(f"{name}: no Scholar publication rows (tr.gsc_a_tr) found; save the profile page after "
                      "'Show more' has loaded every row")


def _raws_from_scholarly(obj: Any, name: str) -> list[RawRecord]:
    if isinstance(obj, dict) and "publications" in obj:
        pubs = obj["publications"]
        pubs = list(pubs.values()) if isinstance(pubs, dict) else list(pubs or [])
    elif isinstance(obj, list):
        pubs = obj
    elif isinstance(obj, dict) and obj.get("container_type") == "Publication":
        pubs = [obj]
    else:
        raise SourceError(f"{name}: JSON that is neither a scholarly author (with publications) nor publications")
    if pubs and all(isinstance(p, dict) and p.get("container_type") == "Author" for p in pubs):
        raise SourceError(f"{name}: scholarly author search results, not publications; fill one author first")
    out = []
    for pub in pubs:
        if not isinstance(pub, dict):
            continue
        pub_id = str(pub.get("author_pub_id") or "")
        paper = pub_id.split(":", 1)[1] if ":" in pub_id else pub_id
        if paper:
            out.append(RawRecord(NAME, paper, json.dumps(pub, ensure_ascii=False, sort_keys=True), "json"))
    return out


# ---- parse -------------------------------------------------------------------------------------

class _RowParser(HTMLParser):
    """Collects the cells of one publication row: title link, the two gray lines, citations, year."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href = ""
        self.title: list[str] = []
        self.grays: list[list[str]] = []
        self.citations: list[str] = []
        self.year: list[str] = []
        self.merged_with = ""
        self._in: list[str] = []          # open elements we collect text for, innermost last
        self._stack: list[str | None] = []

    @classmethod
    def run(cls, row: str) -> "_RowParser":
        parser = cls()
        parser.feed(row)
        parser.close()
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        role = None
        if tag == "a" and "gsc_a_at" in classes:
            role = "title"
            self.href = a.get("href") or a.get("data-href") or ""
            if "citation_for_view" not in self.href and "citation_for_view" in a.get("data-href", ""):
                self.href = a["data-href"]
        elif tag == "div" and "gs_gray" in classes:
            role = "gray"
            self.grays.append([])
        elif tag == "span" and "gs_oph" in classes:
            role = "oph"
        elif tag == "a" and "gsc_a_ac" in classes:
            role = "cites"
            self.merged_with = a.get("data-eud", "")
        elif tag == "span" and "gsc_a_h" in classes:
            role = "year"
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        self._stack.append(role)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        roles = [r for r in self._stack if r]
        if not roles:
            return
        role = roles[-1]
        if role == "title":
            self.title.append(data)
        elif role == "gray" and self.grays:
            self.grays[-1].append(data)
        elif role == "cites":
            self.citations.append(data)
        elif role == "year":
            self.year.append(data)
        # "oph" (", 1935" after the venue) is dropped: the year has its own cell


def _ids_of(row: _RowParser) -> tuple[str, str]:
    query = parse_qs(urlsplit(html.unescape(row.href)).query)
    value = (query.get("citation_for_view") or [""])[0]
    if ":" in value:
        user, paper = value.split(":", 1)
        return user, paper
    return "", ""


def parse(raw: RawRecord) -> list[Record]:
    if raw.content_type == "json":
        return [_parse_scholarly(raw)]
    row = _RowParser.run(raw.payload)
    user, paper = _ids_of(row)
    paper = paper or raw.source_id
    if not paper:
        raise SourceError("scholar: a row without a citation_for_view id")
    title = " ".join("".join(row.title).split())
    author_text = " ".join("".join(row.grays[0]).split()) if row.grays else ""
    venue = " ".join("".join(row.grays[1]).split()) if len(row.grays) > 1 else ""
    venue = venue.rstrip(" ,")          # the ", 1935" of span.gs_oph is not collected
    year_text = "".join(row.year).strip()
    cites_text = "".join(row.citations).strip().replace(",", "")
    authors, complete = split_authors(author_text)
    extra: dict[str, Any] = {}
    if user:
        extra["scholar_user"] = user
    if row.merged_with:        # Scholar merged this version's count into another row's paper
        extra["merged_with"] = row.merged_with.split(":", 1)[-1]
    return [Record(
        source=NAME,
        source_id=paper,
        title=title,
        authors=authors,
        authors_complete=complete,
        year=int(year_text) if year_text.isdigit() else None,
        date=year_text if year_text.isdigit() else "",
        venue=venue,
        type=guess_type(venue),
        ids={"scholar": scholar_id(user, paper)},
        url=citation_url(user, paper),
        citations=int(cites_text) if cites_text.isdigit() else None,
        extra=extra,
    )]


def _parse_scholarly(raw: RawRecord) -> Record:
    pub = json.loads(raw.payload)
    bib = pub.get("bib") or {}
    pub_id = str(pub.get("author_pub_id") or "")
    user, _, paper = pub_id.partition(":")
    paper = paper or raw.source_id
    year = str(bib.get("pub_year") or "").strip()
    author_text = str(bib.get("author") or "")
    names = [n.strip() for n in re.split(r"\s+and\s+", author_text) if n.strip()]
    complete = bool(names) and not any(n in ("...", "…", "others") for n in names)
    names = [n for n in names if n not in ("...", "…", "others")]
    venue = str(bib.get("citation") or bib.get("journal") or bib.get("conference") or bib.get("booktitle")
                or bib.get("venue") or "")
    venue = _TRAILING_YEAR.sub("", venue).rstrip(" ,")
    cites = pub.get("num_citations")
    extra: dict[str, Any] = {}
    if user:
        extra["scholar_user"] = user
    for key in ("publisher", "pages", "volume", "number"):
        if bib.get(key):
            extra[key] = str(bib[key])
    return Record(
        source=NAME,
        source_id=paper,
        title=" ".join(str(bib.get("title") or "").split()),
        authors=[_author(n) for n in names],
        authors_complete=complete,
        year=int(year) if year.isdigit() else None,
        date=year if year.isdigit() else "",
        venue=" ".join(venue.split()),
        type=guess_type(venue),
        ids={"scholar": scholar_id(user, paper)},
        url=citation_url(user, paper),
        abstract=" ".join(str(bib.get("abstract") or "").split()),
        citations=cites if isinstance(cites, int) else None,
        counts_by_year={int(y): int(c) for y, c in (pub.get("cites_per_year") or {}).items()
                        if str(y).isdigit() and str(c).isdigit()},
        links={"html": pub["pub_url"]} if pub.get("pub_url") else {},
        extra=extra,
    )


def split_authors(text: str) -> tuple[list[Author], bool]:
    """'A Einstein, B Podolsky, ...' → authors as shown, and whether the list is complete."""
    text = text.strip()
    complete = not text.endswith(("...", "…"))
    text = text.rstrip(".… ").rstrip(",")
    authors = []
    for name in (n.strip() for n in text.split(",")):
        if not name or name in ("...", "…"):
            continue
        authors.append(_author(name))
    return authors, complete and bool(authors)


def _author(name: str) -> Author:
    family, given = split_name(name)
    return Author(name=name, family=family, given=given)


def guess_type(venue: str) -> str:
    low = venue.lower()
    if re.search(r"\b(arxiv|biorxiv|medrxiv|ssrn|preprint|research square)\b", low):
        return "preprint"
    if re.search(r"\b(proceedings|conference|workshop|symposium)\b", low):
        return "conference-paper"
    if re.search(r"\b(thesis|dissertation)\b", low):
        return "thesis"
    if re.search(r"\bpatent\b", low):
        return "other"
    return "other"


def scholar_id(user: str, paper: str) -> str:
    """'USER:PAPER', Scholar's own citation_for_view id, whenever the page or file names the user: a saved page
    carries it in every row, and al-folio's citations.yml is keyed by it."""
    return f"{user}:{paper}" if user else paper


def citation_url(user: str, paper: str) -> str:
    if not user:
        return ""
    return f"{PUBLIC_BASE}/citations?view_op=view_citation&hl=en&user={user}&citation_for_view={user}:{paper}"


def requests_bound(n_works: int) -> int:
    return max(1, math.ceil(n_works / PAGE))
