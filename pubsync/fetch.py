"""Fetch one person's (or several people's) sources concurrently, with cross-source discovery.

Phase 1 runs ORCID, OpenAlex and Scholar at once, with DBLP and Semantic Scholar when the person has their ids.
OpenAlex then looks up, in DOI batches, the ORCID DOIs its author listing lacked; arXiv waits for ORCID and OpenAlex
and fetches the arXiv ids they name (only ids not already stored); Crossref (optional) fills DOIs whose venue, type
or date no other record gives, as ORCID and OpenAlex report in their `discovered["doi_fields"]`. A sync lasts as
long as its slowest chain, not the sum of its sources. A failing source yields a SourceError in its slot; the others
carry on.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterable

import httpx

from pubsync.http import Clock, HttpSession, one_line
from pubsync.records import canonical_orcid
from pubsync.settings import Person, SourceSettings
from pubsync.sources import DOI_FIELDS, FetchResult, SourceError, Target, module

log = logging.getLogger(__name__)
Outcome = FetchResult | SourceError


Progress = Callable[[str, str, "Outcome"], None]      # (person key, source, outcome) as each source finishes


def fetch_people(people: list[Person], settings: dict[str, SourceSettings], known: dict[str, dict[str, dict[str, str]]],
                 *, transport: httpx.BaseTransport | None = None, clock: Clock | None = None,
                 progress: Progress | None = None) -> dict[str, dict[str, Outcome]]:
    """{person.key: {source: FetchResult | SourceError}}; `known` is {person.key: {source: {source_id: marker}}}."""
    if not people:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, len(people)), thread_name_prefix="pubsync-person") as pool:
        futures = {p.key: pool.submit(fetch_person, p, settings, known.get(p.key, {}), transport=transport, clock=clock,
                                      progress=progress)
                   for p in people}
        return {key: future.result() for key, future in futures.items()}


def fetch_person(person: Person, settings: dict[str, SourceSettings], known: dict[str, dict[str, str]],
                 *, transport: httpx.BaseTransport | None = None, clock: Clock | None = None,
                 progress: Progress | None = None) -> dict[str, Outcome]:
    """Run the person's enabled sources concurrently. Scholar and Crossref run only when enabled in `settings`."""
    run = _Runner(person, settings, known, transport, clock, progress)
    on = run.enabled
    with ThreadPoolExecutor(max_workers=7, thread_name_prefix=f"pubsync-{person.key}") as pool:
        f_orcid = pool.submit(run.orcid) if on("orcid") and canonical_orcid(person.orcid) else None
        f_openalex = pool.submit(run.openalex, f_orcid) if on("openalex") and (person.orcid or person.openalex) else None
        f_scholar = pool.submit(run.scholar) if on("scholar") and person.scholar else None
        f_arxiv = pool.submit(run.arxiv, f_orcid, f_openalex) if on("arxiv") else None
        f_crossref = pool.submit(run.crossref, f_orcid, f_openalex) if on("crossref") else None
        f_dblp = pool.submit(run.dblp) if on("dblp") and person.dblp else None
        f_s2 = pool.submit(run.semanticscholar) if on("semanticscholar") and person.semanticscholar else None
        slots = {"orcid": f_orcid, "openalex": f_openalex, "scholar": f_scholar, "arxiv": f_arxiv,
                 "crossref": f_crossref, "dblp": f_dblp, "semanticscholar": f_s2}
        results = {name: f.result() for name, f in slots.items() if f is not None}
    return {name: r for name, r in results.items() if r is not None}


def _ok(future: Future | None) -> FetchResult | None:
    if future is None:
        return None
    result = future.result()
    return result if isinstance(result, FetchResult) else None


class _Runner:
    def __init__(self, person: Person, settings: dict[str, SourceSettings], known: dict[str, dict[str, str]],
                 transport: httpx.BaseTransport | None, clock: Clock | None, progress: Progress | None = None):
        self.person, self.settings, self.known = person, settings, known
        self.transport, self.clock, self.progress = transport, clock, progress

    def enabled(self, name: str) -> bool:
        s = self.settings.get(name)
        return bool(s and s.enabled)

    def target(self, **fields: Any) -> Target:
        p = self.person
        return Target(profile=p.key, orcid=canonical_orcid(p.orcid), openalex=p.openalex, scholar=p.scholar,
                      arxiv_query=p.arxiv_query, dblp=p.dblp, semanticscholar=p.semanticscholar, **fields)

    def _guarded(self, name: str, body: Callable[[HttpSession], FetchResult | None]) -> Outcome | None:
        started = time.monotonic()
        session = HttpSession(self.settings[name], transport=self.transport, clock=self.clock,
                              blocked=getattr(module(name), "blocked", None))
        try:
            result = body(session)
            if result is not None:
                result.requests = session.requests
                result.seconds = time.monotonic() - started
                self._report(name, result)
            return result
        except SourceError as e:
            error = e
        except Exception as e:           # a parser bug must cost one source, not the sync; say what broke
            log.exception("%s: unexpected failure", name)
            error = SourceError(f"{name}: unexpected {type(e).__name__}: {one_line(session.redact(str(e)), 200)}")
        finally:
            session.close()
        error.requests = session.requests             # read by the pipeline's outcome report
        error.seconds = time.monotonic() - started
        self._report(name, error)
        return error

    def _report(self, name: str, outcome: Outcome) -> None:
        if self.progress is not None:
            try:
                self.progress(self.person.key, name, outcome)
            except Exception:                # a display problem must never cost a source
                log.debug("progress callback failed", exc_info=True)

    # ---- the sources ----

    def _fetch(self, name: str, target: Target) -> Outcome | None:
        return self._guarded(name, lambda s: module(name).fetch(s, target, self.known.get(name, {})))

    def orcid(self) -> Outcome | None:
        return self._fetch("orcid", self.target())

    def openalex(self, f_orcid: Future | None) -> Outcome | None:
        def body(session: HttpSession) -> FetchResult:
            known = self.known.get("openalex", {})
            source = module("openalex")
            first = source.fetch(session, self.target(), known)
            found_dois = set(first.discovered.get("dois", []))
            by_orcid = _ok(f_orcid)
            extra = [d for d in (by_orcid.discovered.get("dois", []) if by_orcid else []) if d not in found_dois]
            if not extra:
                return first
            second = source.fetch(session, Target(profile=self.person.key, dois=extra), known)
            ids = {r.source_id for r in first.raws}
            first.raws.extend(r for r in second.raws if r.source_id not in ids)
            for key in ("arxiv_ids", "dois"):
                merged = list(first.discovered.get(key, []))
                merged += [v for v in second.discovered.get(key, []) if v not in merged]
                first.discovered[key] = merged
            first.discovered["doi_fields"] = combined_doi_fields(first, second)
            return first
        return self._guarded("openalex", body)

    def scholar(self) -> Outcome | None:
        return self._fetch("scholar", self.target())

    def dblp(self) -> Outcome | None:
        return self._fetch("dblp", self.target())

    def semanticscholar(self) -> Outcome | None:
        return self._fetch("semanticscholar", self.target())

    def arxiv(self, f_orcid: Future | None, f_openalex: Future | None) -> Outcome | None:
        ids = list(self.person.arxiv_ids)
        for result in (_ok(f_orcid), _ok(f_openalex)):
            if result:
                ids += [i for i in result.discovered.get("arxiv_ids", []) if i not in ids]
        if not ids and not self.person.arxiv_query:
            return None
        return self._fetch("arxiv", self.target(arxiv_ids=ids))

    def crossref(self, f_orcid: Future | None, f_openalex: Future | None) -> Outcome | None:
        already = self.known.get("crossref", {})
        lacking = dois_lacking_metadata(combined_doi_fields(_ok(f_orcid), _ok(f_openalex)))
        dois = [d for d in lacking if d not in already]
        if not dois:
            return None
        return self._fetch("crossref", self.target(dois=dois))


def combined_doi_fields(*results: FetchResult | None) -> dict[str, list[str]]:
    """The results' `doi_fields` as one: each DOI with every field some result gives for it."""
    given: dict[str, set[str]] = {}
    for result in results:
        for doi, fields in (result.discovered.get("doi_fields", {}) if result else {}).items():
            given.setdefault(doi, set()).update(fields)
    return {doi: [name for name in DOI_FIELDS if name in fields] for doi, fields in given.items()}


def dois_lacking_metadata(doi_fields: dict[str, Iterable[str]]) -> list[str]:
    """DOIs for which no record gives a venue, a specific type, or a date."""
    return sorted(doi for doi, fields in doi_fields.items() if not set(DOI_FIELDS) <= set(fields))
