"""Source modules: each translates one service's format into Records.

Contract of every module in this package (NAMES; `module(name)` gives one):

    NAME: str                                   # "orcid", …
    def fetch(session, target, known) -> FetchResult
        Network side. `session` is a pubsync.http.HttpSession bound to this source's base URL, timeouts,
        retries and rate limit; `target` is a Target; `known` maps source_id -> the `modified` marker of
        raw records already stored (for incremental fetches). Raises SourceError with a one-line message.
    def parse(raw: RawRecord) -> list[Record]
        Pure: one stored raw record -> normalized records (usually one). Never touches the network.
    def load(data: bytes, name: str) -> list[RawRecord]
        Pure: split a saved response / page (as `pubsync import SOURCE FILE` gets it) into raw records,
        the same way `fetch` splits a live response. Raises SourceError on garbage.

`FetchResult.discovered` carries what the other sources need, without their knowing this source's format:

    "dois": [doi, …]            work DOIs the source lists (orcid, openalex): OpenAlex looks up ORCID's it lacked
    "arxiv_ids": [id, …]        arXiv ids the source names (orcid, openalex): arXiv fetches them
    "openalex": "A…"            the person's OpenAlex author id, found through their ORCID iD (openalex)
    "doi_fields": {doi: [...]}  for each DOI of the records fetched this time, which of DOI_FIELDS they give
                                (orcid, openalex; made by `doi_fields`): Crossref fills DOIs no source describes fully
    "not_found": [doi, …]       DOIs Crossref does not know (crossref)

FILE_SOURCES (site, bibtex) are read from files only: they have `load` and `parse`, no `fetch`.

Optional, for a service that refuses automated access (scholar):

    def blocked(status: int, final_url: str, text: str) -> str | None
        Pure: one answer (status, URL after redirects, decoded body) -> a one-line reason when it is the service
        refusing automated access, else None. pubsync.fetch gives it to the source's HttpSession, which then raises
        `Blocked` at once instead of retrying.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable, Iterable

from pubsync.records import Record, canonical_doi

NAMES = ("orcid", "openalex", "arxiv", "scholar", "crossref", "dblp", "semanticscholar")
# Sources read from files only (never fetched): the site's own list (`pubsync adopt`), a user's .bib (`import bibtex`).
FILE_SOURCES = ("site", "bibtex")
DOI_FIELDS = ("venue", "type", "date")     # what a record must give for Crossref to have nothing to add


def module(name: str) -> ModuleType:
    """The source module called `name` (one of NAMES)."""
    if name not in NAMES and name not in FILE_SOURCES:
        raise ValueError(f"unknown source {name!r}; the sources are {', '.join(NAMES + FILE_SOURCES)}")
    return importlib.import_module(f"{__name__}.{name}")


class SourceError(Exception):
    """A source failed; str(e) is one line naming the cause (HTTP status, timeout, captcha, bad body…)."""


@dataclass
class RawRecord:
    source: str
    source_id: str
    payload: str                   # the record's text as received: a JSON object, an Atom <entry>, a Scholar <tr>
    content_type: str = "json"     # "json" | "xml" | "html"
    modified: str = ""             # the source's own last-modified marker, for incremental fetches


@dataclass
class Target:
    """What to fetch for one person. Empty fields are not fetched."""
    profile: str                   # the person's key (their ORCID iD when they have one)
    orcid: str = ""
    openalex: str = ""             # author id A…; found through the ORCID iD when empty
    arxiv_ids: list[str] = field(default_factory=list)
    arxiv_query: str = ""          # e.g. 'au:Carberry_J'
    scholar: str = ""
    dois: list[str] = field(default_factory=list)   # for DOI batch look-ups (OpenAlex, Crossref)
    dblp: str = ""                 # DBLP person id, 62/2078
    semanticscholar: str = ""      # Semantic Scholar author id


@dataclass
class FetchResult:
    raws: list[RawRecord]
    complete: bool = True          # the source listed its whole set (so a shrink can be judged), not a partial/incremental fetch
    unchanged: list[str] = field(default_factory=list)  # source_ids seen again but not re-fetched (incremental)
    requests: int = 0
    seconds: float = 0.0           # wall time of the whole fetch, set by pubsync.fetch
    person_name: str = ""          # the name the source holds for the person, when it says
    discovered: dict[str, object] = field(default_factory=dict)  # what other sources need; see the module docstring


def readable_records(raws: Iterable[RawRecord], parse: Callable[[RawRecord], list[Record]]) -> list[Record]:
    """The records `parse` makes of `raws`, skipping a raw it cannot read: that one is the pipeline's to report."""
    records: list[Record] = []
    for raw in raws:
        try:
            records.extend(parse(raw))
        except Exception:
            continue
    return records


def doi_fields(records: Iterable[Record]) -> dict[str, list[str]]:
    """{DOI: which of DOI_FIELDS the records with that DOI give}: a venue, a specific type (not "other"), a date.
    Every DOI of the records is a key, with [] when its records give none of them."""
    given: dict[str, set[str]] = {}
    for record in records:
        doi = canonical_doi(record.ids.get("doi"))
        if not doi:
            continue
        fields = given.setdefault(doi, set())
        if record.venue:
            fields.add("venue")
        if record.type != "other":
            fields.add("type")
        if record.date:
            fields.add("date")
    return {doi: [name for name in DOI_FIELDS if name in fields] for doi, fields in given.items()}
