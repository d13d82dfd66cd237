"""Pulling: fetch people's sources (fetch.py) and store what came back, one transaction per source; or store a
saved response (`pubsync import`). A failed, unreadable or suddenly shrunken answer changes nothing stored."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pubsync.config import Config
from pubsync.errors import UsageError
from pubsync.settings import Person
from pubsync.sources import NAMES, FetchResult, RawRecord, SourceError, module
from pubsync.store import Store

MIN_RECORDS_FOR_SHRINK_CHECK = 4


def source_module(name: str):
    """The source module a user named (`pubsync import SOURCE`); an unknown name is a usage error."""
    try:
        return module(name)
    except ValueError as e:
        raise UsageError(str(e)) from None


@dataclass
class SourceOutcome:
    profile: str
    source: str
    outcome: str                   # "ok" | "failed" | "suspect"
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    requests: int = 0
    seconds: float = 0.0
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome != "ok"


def fetch_and_store(store: Store, cfg: Config, people: list[Person], run_id: int, *, transport: Any = None,
                    progress: Any = None) -> list[SourceOutcome]:
    """Fetch every person's enabled sources and store what came back. A failed source changes nothing.
    `progress(person_key, source, outcome)` is called from the fetching threads as each source finishes."""
    from pubsync.fetch import fetch_people
    known = {p.key: {s: store.known_markers(p.key, s) for s in NAMES} for p in people}
    results = fetch_people(people, cfg.sources, known, transport=transport, progress=progress)
    outcomes = []
    for person in people:
        for result in results.get(person.key, {}).values():
            if isinstance(result, FetchResult):
                person.name = person.name or result.person_name
                person.openalex = person.openalex or str(result.discovered.get("openalex", "") or "")
        with store.transaction():
            store.save_person(person)
        for source, result in sorted(results.get(person.key, {}).items()):
            outcome = _store_result(store, cfg, person.key, source, result)
            store.record_source_outcome(run_id, person.key, source, outcome.outcome, **{
                k: getattr(outcome, k) for k in ("fetched", "new", "changed", "unchanged", "requests", "seconds", "error")})
            outcomes.append(outcome)
    return outcomes


def _store_result(store: Store, cfg: Config, profile: str, source: str, result: FetchResult | Exception) -> SourceOutcome:
    if isinstance(result, Exception):
        message = str(result) if isinstance(result, SourceError) else f"{type(result).__name__}: {result}"
        return SourceOutcome(profile, source, "failed", error=" ".join(message.split()) or type(result).__name__,
                             seconds=round(getattr(result, "seconds", 0.0), 3),
                             requests=getattr(result, "requests", 0))
    parse = module(source).parse
    good: list[RawRecord] = []
    bad = 0
    for raw in result.raws:
        try:
            parse(raw)
            good.append(raw)
        except Exception:                  # a record the parser cannot read is garbage: keep the old one
            bad += 1
    outcome = SourceOutcome(profile, source, "ok", fetched=len(result.raws), requests=result.requests,
                            seconds=round(result.seconds, 3))
    if result.raws and not good:
        outcome.outcome, outcome.error = "failed", f"none of the {bad} records returned could be read; kept the earlier ones"
        return outcome
    before = store.count_raw(profile, source)
    total_now = len({r.source_id for r in good} | set(result.unchanged))
    if result.complete and before >= MIN_RECORDS_FOR_SHRINK_CHECK and total_now < cfg.shrink_ratio * before:
        outcome.outcome = "suspect"
        outcome.error = (f"returned {total_now} records where {before} were stored before; kept all {before} "
                         "(a source that suddenly returns far fewer is treated as broken)")
    with store.transaction():
        counts = store.save_raw(profile, good, seen=[f"{source}:{sid}" for sid in result.unchanged])
    outcome.new, outcome.changed = counts["new"], counts["changed"]
    outcome.unchanged = counts["unchanged"] + len(result.unchanged)
    if bad and outcome.outcome == "ok":
        outcome.error = f"{bad} unreadable record(s) skipped"
    return outcome


def store_saved_file(store: Store, source: str, path: Path, profile: str) -> dict[str, int]:
    """`pubsync import SOURCE FILE`: a saved response through the same parser as the network path."""
    saved = source_module(source)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"{path}: cannot read: {e.strerror}") from None
    try:
        raws = saved.load(data, path.name)
    except SourceError as e:
        raise UsageError(f"{path}: not a {source} response pubsync can read: {e}") from None
    for raw in raws:
        try:
            saved.parse(raw)
        except Exception as e:
            raise UsageError(f"{path}: record {raw.source_id}: cannot be read as {source}: {e}") from None
    with store.transaction():
        return store.save_raw(profile, raws)
