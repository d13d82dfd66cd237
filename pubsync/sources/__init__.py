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

NAMES = ("orcid", "openalex", "arxiv", "scholar", "crossref")


def module(name: str) -> ModuleType:
    """The source module called `name` (one of NAMES)."""
    if name not in NAMES:
        raise ValueError(f"unknown source {name!r}; the sources are {', '.join(NAMES)}")
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


@dataclass
class FetchResult:
    raws: list[RawRecord]
    complete: bool = True          # the source listed its whole set (so a shrink can be judged), not a partial/incremental fetch
    unchanged: list[str] = field(default_factory=list)  # source_ids seen again but not re-fetched (incremental)
    requests: int = 0
    seconds: float = 0.0           # wall time of the whole fetch, set by pubsync.fetch
    person_name: str = ""          # the name the source holds for the person, when it says
    discovered: dict[str, object] = field(default_factory=dict)  # e.g. {"openalex": "A…", "arxiv_ids": [...]}
