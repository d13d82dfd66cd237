"""Plain settings dataclasses shared by config.py (which fills them from config.toml/env) and the stages."""
from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_BASE_URLS = {
    "orcid": "https://pub.orcid.org/v3.0",
    "openalex": "https://api.openalex.org",
    "arxiv": "https://export.arxiv.org/api",
    "scholar": "https://scholar.google.com",
    "crossref": "https://api.crossref.org",
}

# Minimum seconds between two requests to one source: arXiv's terms ask for 3 s; OpenAlex allows 10/s,
# ORCID's public API 24/s (we stay well under), Crossref's public pool 5/s (2026); Scholar has no API and is slow on purpose.
DEFAULT_MIN_INTERVAL = {"orcid": 0.1, "openalex": 0.1, "arxiv": 3.0, "scholar": 5.0, "crossref": 0.2}


@dataclass
class SourceSettings:
    name: str
    enabled: bool = True
    base_url: str = ""
    timeout: float = 20.0          # seconds, connect and read, per request
    retries: int = 3               # attempts after the first, for 429/5xx/network errors
    max_seconds: float = 300.0     # the whole source, all requests and waits included
    min_interval: float = 0.0      # seconds between requests (rate limit)
    mailto: str = ""               # contact for the User-Agent (and OpenAlex/Crossref polite pools)
    cache: bool = False            # HTTP cache with conditional requests (hishel)
    incremental: bool = False      # OpenAlex: ask only for works updated since the newest one stored
                                   # (fewer requests for big profiles, but a shrinking listing can no longer be told)
    cache_dir: str = "data/http-cache"


@dataclass
class Person:
    name: str
    key: str = ""                  # stable profile key: the ORCID iD, else a slug of the name
    orcid: str = ""
    openalex: str = ""
    scholar: str = ""
    arxiv_query: str = ""
    arxiv_ids: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)   # other spellings of the name, for marking in author lists
    role: str = ""
    years: tuple[int | None, int | None] = (None, None)  # active years in a lab (inclusive); None = open

    def __post_init__(self) -> None:
        if not self.key:
            from re import sub
            self.key = self.orcid or sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "me"
