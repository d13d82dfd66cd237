"""What every format reads off a work the same way: the order of the list, text on one line, dates, the authors
with the site's people found among them, links with safe URLs, the venue."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote as url_quote

from pubsync.export.markup import INVISIBLE, one_line, plain, rich
from pubsync.names import author_parts, owners, person_display, split_name
from pubsync.records import Work

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Link types in the order every format lists them; names match al-folio's buttons and Hugo Blox link types.
LINK_TYPES = ("arxiv", "pdf", "doi", "html", "code", "website", "slides", "poster", "supp", "video", "blog",
              "dataset")
_DERIVED_TYPES = ("arxiv", "doi")     # links built from ids, never taken from curation extras
_SITE_DIRS = {
    "al-folio": {"pdf": "/assets/pdf/", "supp": "/assets/pdf/", "poster": "/assets/pdf/", "slides": "/assets/pdf/",
                 "html": "/assets/html/", "preview": "/assets/img/publication_preview/"},
    "academicpages": {"pdf": "/files/", "supp": "/files/", "poster": "/files/", "slides": "/files/"},
}

_SAFE_SCHEMES = ("http", "https", "ftp", "mailto")
_URL_CLEAN = re.compile(r"[A-Za-z0-9/:?#\[\]@!$&'()*+,;=%\-._~]*")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


# ---- order and dates -----------------------------------------------------------------------------------

def sort_key(work: Work) -> tuple:
    """Newest first; works without a year last; then title and key, so the order never depends on the input's."""
    parts = _date_numbers(work.date)
    return (-(work.year or 0), tuple(-p for p in parts + [0] * (3 - len(parts))), plain(rich(work.title)).casefold(),
            work.key)


def _date_numbers(date: str) -> list[int]:
    return [int(p) for p in re.findall(r"\d+", date or "")[:3]]


def date_parts(work: Work) -> list[int]:
    """[year, month, day] as precise as known (CSL date-parts); [] when there is no year."""
    parts = _date_numbers(work.date)
    if work.year and (not parts or parts[0] != work.year):
        parts = [work.year]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        parts = parts[:1]
    if len(parts) == 3 and not 1 <= parts[2] <= 31:
        parts = parts[:2]
    return parts


def iso_date(parts: list[int]) -> str:
    """YYYY-MM-DD with missing parts as 01; 1900-01-01 without a year (academicpages' own default)."""
    if not parts:
        return "1900-01-01"
    year, month, day = (parts + [1, 1])[:3]
    return f"{year:04d}-{month:02d}-{day:02d}"


# ---- URLs and links -----------------------------------------------------------------------------------

def safe_url(value: object) -> str:
    """A URL safe to put in an attribute, a Markdown link or a BibTeX field; '' for javascript:, data:, etc.

    Relative paths are kept (al-folio resolves bare file names). Spaces, quotes, angle brackets, braces, backslashes
    and control characters are percent-encoded, so the value can break out of no syntax."""
    if not isinstance(value, str):
        return ""
    url = INVISIBLE.sub("", value).strip()
    if not url:
        return ""
    m = _SCHEME.match(url)
    if m and m.group(1).lower() not in _SAFE_SCHEMES:
        return ""
    if _URL_CLEAN.fullmatch(url):
        return url
    return url_quote(url, safe="/:?#[]@!$&'()*+,;=%-._~", errors="replace")


_ID_UNSAFE = {'"': "%22", "'": "%27", "<": "%3C", ">": "%3E", "`": "%60"}


def safe_id(value: object) -> str:
    """An identifier (DOI, arXiv id, …) that cannot break out of an attribute or form a tag when a template prints
    it unescaped: quotes, angle brackets and backticks percent-encoded, as a resolver reads them. DOIs may hold them
    (SICI DOIs have < and >), and any ORCID user can type one."""
    text = one_line(value)
    return "".join(_ID_UNSAFE.get(c, c) for c in text) if any(c in text for c in _ID_UNSAFE) else text


def site_file(value: str, kind: str, site_kind: str) -> str:
    """A bare file name where the site keeps such files: al-folio's own rule ('paper.pdf' in `pdf` means
    /assets/pdf/paper.pdf), academicpages' /files/ folder; other site kinds get the value as is."""
    if value and not _SCHEME.match(value) and not value.startswith(("/", "#", ".")):
        prefix = _SITE_DIRS.get(site_kind, {}).get(kind)
        if prefix:
            return prefix + value
    return value


def links(work: Work, site_kind: str = "plain") -> dict[str, str]:
    """type → URL, in LINK_TYPES order then any other link types the sources gave; curation extras win over
    source links."""
    out: dict[str, str] = {}
    for kind in LINK_TYPES:
        raw = work.extra.get(kind) if kind not in _DERIVED_TYPES else None
        if not isinstance(raw, str) or not raw.strip():
            raw = work.links.get(kind) or _derived(work, kind)
        url = safe_url(site_file(str(raw).strip(), kind, site_kind)) if raw else ""
        if url:
            out[kind] = url
    for kind in sorted(work.links):
        if kind not in out and kind not in LINK_TYPES and kind != "url":
            url = safe_url(work.links[kind])
            if url:
                out[kind] = url
    html = out.get("html")
    if html and not work.extra.get("html") and _same_place(html, out.get("doi", ""), out.get("arxiv", "")):
        del out["html"]           # a source's landing page that is just the DOI or arXiv link: one button, not two
    return out


def _derived(work: Work, kind: str) -> str:
    if kind == "arxiv" and work.ids.get("arxiv"):
        return f"https://arxiv.org/abs/{work.ids['arxiv']}"
    if kind == "doi" and work.ids.get("doi"):
        return f"https://doi.org/{work.ids['doi']}"
    return ""


def _same_place(url: str, *others: str) -> bool:
    bare = _bare_url(url)
    return any(o and _bare_url(o) == bare for o in others)


def _bare_url(url: str) -> str:
    """Scheme, www./dx. and an arXiv version dropped: 'http://arxiv.org/abs/2510.10657v2' ~ 'https://arxiv.org/abs/2510.10657'."""
    url = re.sub(r"^https?://(www\.|dx\.)?", "", url.strip().lower()).rstrip("/")
    return re.sub(r"^(arxiv\.org/abs/.+?)v\d+$", r"\1", url)


DEFAULT_LINK_ORDER = ("html", "doi", "arxiv", "pdf", "url")


def best_link(work: Work, available: dict[str, str], order: tuple[str, ...] | list[str] = DEFAULT_LINK_ORDER) -> str:
    """The one URL a title links to: the first of `order` the work has ('url' = Work.url)."""
    for kind in order:
        url = safe_url(work.url) if kind == "url" else available.get(kind, "")
        if url:
            return url
    return ""


def short_venue(work: Work) -> tuple:
    """The badge-style venue, sanitized markup (markup.rich): the curated `abbr` when there is one, else the venue."""
    abbr = work.extra.get("abbr")
    return rich(abbr if abbr else work.venue)


# ---- one work as the formats see it -------------------------------------------------------------------------

@dataclass(frozen=True)
class AuthorView:
    family: str
    given: str
    display: str           # 'Given Family' on one line, without marks
    marks: str             # equal-contribution marks: '*', '†'
    mine: bool             # one of the site's people (then family/given/display are the person's own spelling)


@dataclass(frozen=True)
class View:
    title: str             # plain text: slugs, file names, keys
    venue: str
    abstract: str
    title_rich: tuple      # the sanitized inline markup each format renders in its syntax (markup.rich)
    venue_rich: tuple
    abstract_rich: tuple
    date_parts: list[int]
    iso_date: str
    month: str             # BibTeX month macro, '' when unknown
    authors: list[AuthorView]
    links: dict[str, str]


def view(work: Work, people: list, site_kind: str) -> View:
    """The work's text on one line (sanitized markup and its plain text), its dates, its authors with the site's
    people marked, its links."""
    parts = date_parts(work)
    authors = []
    as_the_site_spells = work.provenance.get("authors", "").startswith("site:")   # adopted: the owner's spelling
    for author, person in zip(work.authors, owners(work, people)):
        family, given, display, marks = author_parts(author)
        if person is not None and not as_the_site_spells:
            family, given = split_name(person.name)
            display = person_display(person.name)
        authors.append(AuthorView(family, given, one_line(display), marks, person is not None))
    title, venue, abstract = rich(work.title), rich(work.venue), rich(work.abstract)
    return View(title=plain(title), venue=plain(venue), abstract=plain(abstract), title_rich=title,
                venue_rich=venue, abstract_rich=abstract,
                date_parts=parts, iso_date=iso_date(parts), month=MONTHS[parts[1] - 1] if len(parts) >= 2 else "",
                authors=authors, links=links(work, site_kind))
