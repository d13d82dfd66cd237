"""Plain settings dataclasses shared by config.py (which fills them from config.toml/env) and the stages. Light on
purpose: loading a config imports this, not the matcher."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pubsync.names import slugify

DEFAULT_BASE_URLS = {
    "orcid": "https://pub.orcid.org/v3.0",
    "openalex": "https://api.openalex.org",
    "arxiv": "https://export.arxiv.org/api",
    "scholar": "https://scholar.google.com",
    "crossref": "https://api.crossref.org",
    "dblp": "https://dblp.org",
    "semanticscholar": "https://api.semanticscholar.org/graph/v1",
}

# Minimum seconds between two requests to one source: arXiv's terms ask for 3 s; OpenAlex allows 10/s,
# ORCID's public API 24/s (we stay well under), Crossref's public pool 5/s (2026); Scholar has no API and is slow on purpose.
DEFAULT_MIN_INTERVAL = {"orcid": 0.1, "openalex": 0.1, "arxiv": 3.0, "scholar": 5.0, "crossref": 0.2,
                        # DBLP throttles scripts (429 + Retry-After); Semantic Scholar's keyless pool is shared, 1/s
                        "dblp": 1.0, "semanticscholar": 1.0}


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
    dblp: str = ""                 # DBLP person id (pid), 62/2078
    semanticscholar: str = ""      # Semantic Scholar author id

    def __post_init__(self) -> None:
        if not self.key:
            self.key = self.orcid or slugify(self.name, fallback="me")


# ---- [merge] --------------------------------------------------------------------------------------

SELF = "orcid-self"        # ORCID entries the person made themselves: their corrections beat every service
SAME_THRESHOLD = 0.0       # match log-odds above which records merge (the learned model's decision threshold)
MAYBE_THRESHOLD = -2.5     # above this (and not same): the review queue

SITE = "site"              # the site's own list, adopted (`pubsync adopt`): the owner's display fields win
DEFAULT_FIELD_ORDER: dict[str, tuple[str, ...]] = {
    "title": (SITE, SELF, "crossref", "openalex", "orcid", "dblp", "semanticscholar", "arxiv", "scholar", "bibtex"),
    # authors: the site's complete list when it is first here; else the longest untruncated list, this order
    # breaking ties
    "authors": (SITE, "crossref", "openalex", "arxiv", "orcid", "dblp", "semanticscholar", "scholar", "bibtex"),
    "date": (SITE, SELF, "crossref", "openalex", "orcid", "dblp", "semanticscholar", "arxiv", "scholar", "bibtex"),
    "venue": (SITE, SELF, "crossref", "openalex", "orcid", "dblp", "semanticscholar", "arxiv", "scholar", "bibtex"),
    "type": (SITE, SELF, "crossref", "openalex", "orcid", "dblp", "semanticscholar", "arxiv", "scholar", "bibtex"),
    "abstract": (SITE, "crossref", "openalex", "arxiv", "orcid", "dblp", "semanticscholar", "scholar", "bibtex"),
    "url": (SITE, SELF, "crossref", "openalex", "orcid", "dblp", "semanticscholar", "arxiv", "scholar", "bibtex"),
    "links": (SITE, "crossref", "openalex", "arxiv", "orcid", "dblp", "semanticscholar", "scholar", "bibtex"),
}


@dataclass
class MergeSettings:
    """The `[merge]` table: per-field source order, the match thresholds, how preprints are shown."""
    field_order: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_FIELD_ORDER))
    same_threshold: float = SAME_THRESHOLD
    maybe_threshold: float = MAYBE_THRESHOLD
    # "link": the published version is the work's metadata, the preprint a Version plus links["arxiv"];
    # "separate": preprint versions become works of their own (each names the other in extra["version_of"]).
    preprint_display: str = "link"

    def order(self, name: str) -> tuple[str, ...]:
        return tuple(self.field_order.get(name) or DEFAULT_FIELD_ORDER[name])

    @classmethod
    def from_config(cls, table: Mapping[str, Any]) -> "MergeSettings":
        """Build from the `[merge]` table of config.toml. Raises ValueError naming the bad key."""
        settings = cls()
        known_sources = set(DEFAULT_FIELD_ORDER["title"])   # the sources, "orcid-self", "site"
        for key, value in table.items():
            if key in DEFAULT_FIELD_ORDER:
                if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f'[merge] {key} must be a list of source names, e.g. ["crossref", "openalex"]')
                unknown = [v for v in value if v not in known_sources]
                if unknown:
                    raise ValueError(f"[merge] {key}: unknown source {unknown[0]!r}; use {sorted(known_sources)}")
                settings.field_order[key] = tuple(value)
            elif key in ("same_threshold", "maybe_threshold"):
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise ValueError(f"[merge] {key} must be a number (log-odds; default {getattr(cls, key)})")
                setattr(settings, key, float(value))
            elif key == "preprint_display":
                if value not in ("link", "separate"):
                    raise ValueError('[merge] preprint_display must be "link" or "separate"')
                settings.preprint_display = value
            else:
                known = sorted([*DEFAULT_FIELD_ORDER, "same_threshold", "maybe_threshold", "preprint_display"])
                raise ValueError(f"[merge] unknown key {key!r}; known keys: {', '.join(known)}")
        if settings.maybe_threshold > settings.same_threshold:
            raise ValueError("[merge] maybe_threshold must not exceed same_threshold")
        return settings
