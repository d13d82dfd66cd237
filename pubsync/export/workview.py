"""What every exporter reads off a Work the same way: order, dates, venue, links (with safe URLs)."""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote as url_quote

from pubsync.records import Work

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Link types in the order every format lists them; names match al-folio's buttons and Hugo Blox link types.
LINK_TYPES = ("arxiv", "pdf", "doi", "html", "code", "website", "slides", "poster", "supp", "video", "blog",
              "dataset")
_SITE_DIRS = {
    "al-folio": {"pdf": "/assets/pdf/", "supp": "/assets/pdf/", "poster": "/assets/pdf/", "slides": "/assets/pdf/",
                 "html": "/assets/html/", "preview": "/assets/img/publication_preview/"},
    "academicpages": {"pdf": "/files/", "supp": "/files/", "poster": "/files/", "slides": "/files/"},
}

_SAFE_SCHEMES = ("http", "https", "ftp", "mailto")
_URL_CLEAN = re.compile(r"[A-Za-z0-9/:?#\[\]@!$&'()*+,;=%\-._~]*")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def sort_works(works: list[Work]) -> list[Work]:
    """Newest first; works without a year last; then title and key, so the order never depends on the input's."""
    return sorted(works, key=sort_key)


def sort_key(work: Work) -> tuple:
    return (-(work.year or 0), _neg_date(work.date), work.title.casefold(), work.key)


_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=4096)
def _date_numbers(date: str) -> tuple[int, ...]:
    return tuple(int(p) for p in _DIGITS.findall(date or "")[:3])


@lru_cache(maxsize=4096)
def _neg_date(date: str) -> tuple[int, ...]:
    parts = list(_date_numbers(date))
    return tuple(-p for p in parts + [0] * (3 - len(parts)))


def date_parts(work: Work) -> list[int]:
    """[year, month, day] as precise as known (CSL date-parts); [] when there is no year."""
    parts = list(_date_numbers(work.date))
    if work.year and (not parts or parts[0] != work.year):
        parts = [work.year]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        parts = parts[:1]
    if len(parts) == 3 and not 1 <= parts[2] <= 31:
        parts = parts[:2]
    return parts


def iso_date(work: Work) -> str:
    """YYYY-MM-DD with missing parts as 01; 1900-01-01 without a year (academicpages' own default)."""
    return iso_date_of(date_parts(work))


def iso_date_of(parts: list[int]) -> str:
    if not parts:
        return "1900-01-01"
    year, month, day = (parts + [1, 1])[:3]
    return f"{year:04d}-{month:02d}-{day:02d}"


def month_of(parts: list[int]) -> str:
    return MONTHS[parts[1] - 1] if len(parts) >= 2 else ""


def safe_url(value: object) -> str:
    """A URL safe to put in an attribute, a Markdown link or a BibTeX field; '' for javascript:, data:, etc.

    Relative paths are kept (al-folio resolves bare file names). Spaces, quotes, angle brackets, braces, backslashes
    and control characters are percent-encoded, so the value can break out of no syntax."""
    if not isinstance(value, str):
        return ""
    return _safe_url(value)


@lru_cache(maxsize=1 << 16)     # every format asks for the same links of the same works
def _safe_url(value: str) -> str:
    url = (value if value.isprintable() else _INVISIBLE.sub("", value)).strip()   # printable: nothing to drop
    if not url:
        return ""
    m = _SCHEME.match(url)
    if m and m.group(1).lower() not in _SAFE_SCHEMES:
        return ""
    if _URL_CLEAN.fullmatch(url):
        return url
    return url_quote(url, safe="/:?#[]@!$&'()*+,;=%-._~", errors="replace")


def site_file(value: str, kind: str, site_kind: str) -> str:
    """A bare file name where the site keeps such files: al-folio's own rule ('paper.pdf' in `pdf` means
    /assets/pdf/paper.pdf), academicpages' /files/ folder; other site kinds get the value as is."""
    if value and not _SCHEME.match(value) and not value.startswith(("/", "#", ".")):
        prefix = _SITE_DIRS.get(site_kind, {}).get(kind)
        if prefix:
            return prefix + value
    return value


def links(work: Work, site_kind: str = "plain") -> dict[str, str]:
    """type → URL, in LINK_TYPES order then any other curated *link* types; curation extras win over source links."""
    out: dict[str, str] = {}
    extra, work_links = work.extra, work.links
    for kind in (LINK_TYPES if extra or work_links else _DERIVED_TYPES):
        raw = extra.get(kind) if kind not in _DERIVED_TYPES else None
        if not isinstance(raw, str) or not raw.strip():
            raw = work_links.get(kind) or _derived(work, kind)
        url = _link_url(str(raw).strip(), kind, site_kind) if raw else ""
        if url:
            out[kind] = url
    if work_links:
        for kind in sorted(work_links):
            if kind not in out and kind not in LINK_TYPES and kind != "url":
                url = safe_url(work_links[kind])
                if url:
                    out[kind] = url
    html = out.get("html")
    if html and not extra.get("html") and _same_place(html, out.get("doi", ""), out.get("arxiv", "")):
        del out["html"]           # a source's landing page that is just the DOI or arXiv link: one button, not two
    return out


def _same_place(url: str, *others: str) -> bool:
    bare = _bare_url(url)
    return any(o and _bare_url(o) == bare for o in others)


def _bare_url(url: str) -> str:
    """Scheme, www./dx. and an arXiv version dropped: 'http://arxiv.org/abs/2510.10657v2' ~ 'https://arxiv.org/abs/2510.10657'."""
    url = re.sub(r"^https?://(www\.|dx\.)?", "", url.strip().lower()).rstrip("/")
    return re.sub(r"^(arxiv\.org/abs/.+?)v\d+$", r"\1", url)


def arxiv_link(work: Work) -> str:
    """links(work, site_kind)["arxiv"] (or ''), which no site kind changes."""
    raw = work.links.get("arxiv") or _derived(work, "arxiv")
    return _link_url(str(raw).strip(), "arxiv", "plain") if raw else ""


_DERIVED_TYPES = ("arxiv", "doi")     # in LINK_TYPES order; links built from ids, never taken from extras


def _derived(work: Work, kind: str) -> str:
    if kind == "arxiv":
        arxiv = work.ids.get("arxiv", "")
        return f"https://arxiv.org/abs/{arxiv}" if arxiv else ""
    if kind == "doi":
        doi = work.ids.get("doi", "")
        return f"https://doi.org/{doi}" if doi else ""
    return ""


@lru_cache(maxsize=1 << 16)
def _link_url(raw: str, kind: str, site_kind: str) -> str:
    return _safe_url(site_file(raw, kind, site_kind))


DEFAULT_LINK_ORDER = ("html", "doi", "arxiv", "pdf", "url")


def best_link(work: Work, site_kind: str = "plain", order: tuple[str, ...] | list[str] = DEFAULT_LINK_ORDER,
              available: dict[str, str] | None = None) -> str:
    """The one URL a title links to: the first of `order` the work has ('url' = Work.url)."""
    if available is None:
        available = links(work, site_kind)
    for kind in order:
        url = safe_url(work.url) if kind == "url" else available.get(kind, "")
        if url:
            return url
    return ""


def venue(work: Work) -> str:
    return " ".join(work.venue.split())


def short_venue(work: Work) -> str:
    """The badge-style venue: the curated `abbr` when there is one, else the venue."""
    abbr = work.extra.get("abbr")
    return " ".join(str(abbr).split()) if abbr else venue(work)


_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")


_UNTIDY = re.compile("[\x00-\x1f\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ud800-\udfff]|  |^ | $")


def holds_any(text: str, chars: str, pattern: re.Pattern[str]) -> bool:
    """Whether `text` holds any of `chars`; `pattern` is the character class of them. A regex class costs some ten
    instructions a character, `in` scans at memchr speed: one regex call is quicker over a name, a scan per
    character over an abstract."""
    if len(text) < 128:
        return pattern.search(text) is not None
    for ch in chars:
        if ch in text:
            return True
    return False


def one_line(text: object) -> str:
    """Text on one line, whitespace collapsed, control characters and lone surrogates dropped."""
    if text is None:
        return ""
    if type(text) is not str:
        text = str(text)
    # Fast path (C-speed checks): printable text, i.e. none of _UNTIDY's characters, and no stray spaces.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    if not _UNTIDY.search(text):
        return text
    return " ".join(_INVISIBLE.sub("", text).split())
