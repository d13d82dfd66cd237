"""sync = pull → merge → export. Orchestrates the stages; every write to the DB is one transaction per step."""
from __future__ import annotations

import gc
import importlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubsync.config import Config
from pubsync.curation import Decision, apply_curation, load_curation
from pubsync.errors import PubsyncError, UsageError
from pubsync.records import Author, Record, Work
from pubsync.settings import Person
from pubsync.sources import FetchResult, RawRecord, SourceError
from pubsync.store import Store, now_iso

SOURCE_MODULES = ("orcid", "openalex", "arxiv", "scholar", "crossref")
MIN_RECORDS_FOR_SHRINK_CHECK = 4


def source_module(name: str):
    if name not in SOURCE_MODULES:
        raise UsageError(f"unknown source {name!r}; one of {', '.join(SOURCE_MODULES)}")
    return importlib.import_module(f"pubsync.sources.{name}")


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


@dataclass
class MergeSummary:
    records: int = 0
    works: int = 0
    hidden: int = 0
    review: int = 0
    unparsable: list[str] = field(default_factory=list)


# ---- pull ---------------------------------------------------------------------------------------

def pull(store: Store, cfg: Config, people: list[Person], run_id: int, *, transport: Any = None,
         progress: Any = None) -> list[SourceOutcome]:
    """Fetch every person's enabled sources and store what came back. A failed source changes nothing.
    `progress(person_key, source, outcome)` is called from the fetching threads as each source finishes."""
    from pubsync.fetch import fetch_people
    known = {p.key: {s: store.known_markers(p.key, s) for s in SOURCE_MODULES} for p in people}
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
    module = source_module(source)
    good: list[RawRecord] = []
    bad = 0
    for raw in result.raws:
        try:
            module.parse(raw)
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
    with store.transaction():
        counts = store.save_raw(profile, good, seen=[f"{source}:{sid}" for sid in result.unchanged])
    outcome.new, outcome.changed = counts["new"], counts["changed"]
    outcome.unchanged = counts["unchanged"] + len(result.unchanged)
    if result.complete and before >= MIN_RECORDS_FOR_SHRINK_CHECK and total_now < cfg.shrink_ratio * before:
        outcome.outcome = "suspect"
        outcome.error = (f"returned {total_now} records where {before} were stored before; kept all {before} "
                         "(a source that suddenly returns far fewer is treated as broken)")
    elif bad:
        outcome.error = f"{bad} unreadable record(s) skipped"
    return outcome


def import_file(store: Store, source: str, path: Path, profile: str) -> dict[str, int]:
    """`pubsync import SOURCE FILE`: a saved response through the same parser as the network path."""
    module = source_module(source)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"{path}: cannot read: {e.strerror}") from None
    try:
        raws = module.load(data, path.name)
    except SourceError as e:
        raise UsageError(f"{path}: not a {source} response pubsync can read: {e}") from None
    for raw in raws:
        try:
            module.parse(raw)
        except Exception as e:
            raise UsageError(f"{path}: record {raw.source_id}: cannot be read as {source}: {e}") from None
    with store.transaction():
        return store.save_raw(profile, raws)


# ---- merge --------------------------------------------------------------------------------------

def parse_all(store: Store) -> tuple[list[tuple[str, int, Record]], list[str]]:
    rows, unparsable = [], []
    modules = {name: source_module(name) for name in SOURCE_MODULES}
    for rid, profile, raw in store.iter_raw():
        try:
            rows.extend((profile, rid, rec) for rec in modules[raw.source].parse(raw))
        except Exception as e:
            unparsable.append(f"{raw.source}:{raw.source_id}: {e}")
    return rows, unparsable


def merge(store: Store, cfg: Config) -> MergeSummary:
    """Rebuild records and works from the raw records and the decisions, without the network."""
    gc_was_on = gc.isenabled()
    gc.disable()            # hundreds of thousands of small objects that all live to the end: collections only cost
    try:
        return _merge(store, cfg)
    finally:
        if gc_was_on:
            gc.enable()


def _merge(store: Store, cfg: Config) -> MergeSummary:
    from pubsync.citekeys import assign_keys
    from pubsync.merge import MergeSettings, build_works
    rows, unparsable = parse_all(store)
    curation = load_curation(cfg.curation_path)
    decisions = [Decision(*d) for d in store.decisions()] + curation.decisions
    owners: dict[str, set[str]] = {}
    unique: dict[str, Record] = {}
    for profile, _, rec in rows:
        owners.setdefault(rec.ref, set()).add(profile)
        unique.setdefault(rec.ref, rec)
    records = [unique[ref] for ref in sorted(unique)]
    result = build_works(records, decisions, MergeSettings.from_config(cfg.merge), owners)
    named = _names_from_authorships(store, records)
    _owner_as_author(result.works, {p.key: p for p in [*store.people(), *named, *cfg.people]})
    keymap = assign_keys(result.works, store.citekeys())
    hidden = apply_curation(result.works, curation)
    works = sorted(result.works, key=lambda w: w.key)
    with store.transaction():
        for person in named:
            store.save_person(person)
        store.replace_records(rows)
        store.replace_works(works, hidden, result.review)
        store.save_citekeys(keymap)
        store.snapshot_citations(records, now_iso()[:10])
    return MergeSummary(records=len(records), works=len(works) - len(hidden), hidden=len(hidden),
                        review=len(result.review), unparsable=unparsable)


def _owner_as_author(works: list[Work], people: dict[str, Person]) -> None:
    """A work no source gave authors for (an ORCID entry without contributors) is still the owner's own work:
    list the owner, marked incomplete, so keys and exports name someone rather than "anon"."""
    from pubsync.export.names import person_family_given
    for work in works:
        owner = next((people[k] for k in work.people if k in people and people[k].name != k), None)
        if work.authors or owner is None:
            continue
        family, given = person_family_given(owner)
        work.authors = [Author(name=owner.name, family=family, given=given, orcid=owner.orcid, openalex=owner.openalex)]
        work.authors_complete = False
        work.provenance["authors"] = f"profile:{owner.key}"


def _names_from_authorships(store: Store, records: list[Record]) -> list[Person]:
    """People pulled by identifier alone get the name the sources print next to their ORCID iD or OpenAlex id,
    so exports write the owner's name consistently (the most frequent spelling wins; ties by sort order)."""
    found = []
    for person in store.people():
        if person.name != person.key:
            continue
        spellings: dict[str, int] = {}
        for rec in records:
            for a in rec.authors:
                if (person.orcid and a.orcid == person.orcid) or (person.openalex and a.openalex == person.openalex):
                    name = a.name or f"{a.given} {a.family}".strip()
                    if name:
                        spellings[name] = spellings.get(name, 0) + 1
        if spellings:
            person.name = min(spellings, key=lambda n: (-spellings[n], n))
            found.append(person)
    return found


# ---- export -------------------------------------------------------------------------------------

def site_works(store: Store, cfg: Config, people: list[Person] | None = None) -> list[Work]:
    """The works the site shows: not hidden, not of an excluded type. For one person's page (`people`): that
    person's works. For the lab list: every work, except those whose owners in the config were all outside their
    active `years` when it appeared."""
    works = [w for w in store.works() if w.type not in cfg.exclude_types]
    if people:
        keys = {p.key for p in people}
        return [w for w in works if keys & set(w.people)]
    members = {p.key: p for p in cfg.people}

    def in_lab(work: Work) -> bool:
        owners = [members[k] for k in work.people if k in members]
        if not owners or work.year is None:
            return True
        return any((p.years[0] is None or work.year >= p.years[0]) and (p.years[1] is None or work.year <= p.years[1])
                   for p in owners)
    return [w for w in works if in_lab(w)]


def export(store: Store, cfg: Config, fmt: str, out: Path | None = None, *, people: list[Person] | None = None,
           dry_run: bool = False) -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    """Render one format; write it to `out` (default: the configured path). Returns (files, write report)."""
    from pubsync.export import FragmentCache
    cache = FragmentCache(render_cache_dir(store))
    rendered, count = _render(store, cfg, [fmt], people, cache)
    files = rendered[fmt]
    try:
        if dry_run:
            return files, []
        kept = _kept_when_empty(count, _target(cfg, fmt, people, out))
        return files, kept if kept is not None else _write(cfg, fmt, files, people, out)
    finally:
        cache.flush()


def export_all(store: Store, cfg: Config,
               runs: list[tuple[str, list[Person] | None]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every (format, people) of export_runs() written, each set of people's formats rendered in one pass, then all
    written together (export.write_many); [(format, write report)] in the order of `runs`."""
    from pubsync.export import FragmentCache, write_many
    cache = FragmentCache(render_cache_dir(store))
    groups: dict[tuple[str, ...] | None, list[str]] = {}
    for fmt, people in runs:
        groups.setdefault(_group(people), []).append(fmt)
    rendered: dict[tuple[str, tuple[str, ...] | None], dict[str, bytes]] = {}
    counts: dict[tuple[str, ...] | None, int] = {}
    by_key = {p.key: p for p in cfg.people}
    for keys, formats in groups.items():
        people = [by_key[k] for k in keys] if keys else None
        files_of, counts[keys] = _render(store, cfg, formats, people, cache)
        for fmt, files in files_of.items():
            rendered[fmt, keys] = files
    reports: dict[int, list[tuple[str, str]]] = {}
    jobs, places = [], []
    for i, (fmt, people) in enumerate(runs):
        target = _target(cfg, fmt, people, None)
        kept = _kept_when_empty(counts[_group(people)], target)
        if kept is not None:
            reports[i] = kept
        else:
            jobs.append((fmt, rendered[fmt, _group(people)], target))
            places.append(i)
    with _write_errors(runs[0][0] if len(runs) == 1 else None):
        for i, report in zip(places, write_many(jobs, cache)):
            reports[i] = report
    return [(fmt, reports[i]) for i, (fmt, _) in enumerate(runs)]


KEPT_EMPTY = "kept (no works to export)"


def _kept_when_empty(works: int, target: Path) -> list[tuple[str, str]] | None:
    """With no works at all (a first sync whose every source failed, say), an export that exists already is kept
    as it is rather than replaced by an empty list: a failing source never blanks a site."""
    if works == 0 and target.exists():
        return [(str(target), KEPT_EMPTY)]
    return None


def _group(people: list[Person] | None) -> tuple[str, ...] | None:
    return tuple(p.key for p in people) if people else None


def _render(store: Store, cfg: Config, formats: list[str], people: list[Person] | None,
            cache: Any = None) -> tuple[dict[str, dict[str, bytes]], int]:
    """The formats rendered, and how many works they show."""
    from pubsync.export import ExportContext, ExportError, render_many
    works = site_works(store, cfg, people)
    owners = people or cfg.people or store.people()
    # The date of the data, not of the export: the same DB exports the same bytes on any day.
    data_date = (store.last_good_fetch() or now_iso())[:10]
    scholar_users = sorted({p.scholar for p in owners if p.scholar})
    contexts = {fmt: ExportContext(people=owners, site_kind=cfg.site_kind, data_date=data_date,
                                   scholar_users=scholar_users,
                                   options={k: v for k, v in cfg.export_options.get(fmt, {}).items() if k != "per_person"})
                for fmt in formats}
    try:
        return render_many(works, contexts, cache=cache), len(works)
    except ExportError as e:
        raise UsageError(f"{e.format or formats[0]}: {e}") from None


def render_cache_dir(store: Store) -> Path:
    """Where rendered fragments are kept between runs (pubsync/export/cache.py): beside the database."""
    return Path(f"{store.path}.render-cache")


def _target(cfg: Config, fmt: str, people: list[Person] | None, out: Path | None) -> Path:
    return out or cfg.export_path(fmt, people[0] if people and len(people) == 1 and len(cfg.people) > 1 else None)


def _write(cfg: Config, fmt: str, files: dict[str, bytes], people: list[Person] | None,
           out: Path | None) -> list[tuple[str, str]]:
    from pubsync.export import write
    with _write_errors(fmt, out):
        return write(fmt, files, _target(cfg, fmt, people, out))


@contextmanager
def _write_errors(fmt: str | None, out: Path | None = None):
    """Export errors as pubsync's: the disk's (exit 1) or the user's (exit 2), named by format."""
    from pubsync.export import ExportError, ExportWriteError
    try:
        yield
    except ExportWriteError as e:
        raise PubsyncError(f"{e.format or fmt}: {e}") from None
    except ExportError as e:
        raise UsageError(f"{e.format or fmt}: {e}") from None
    except OSError as e:
        raise PubsyncError(f"{e.filename or out or fmt}: cannot write the {fmt or 'site'} export: {e.strerror}; "
                           "nothing was half-written") from None


def export_runs(cfg: Config, formats: list[str] | tuple[str, ...]) -> list[tuple[str, list[Person] | None]]:
    """(format, people) for every file set sync writes: the whole list, plus one per person with `per_person`."""
    runs: list[tuple[str, list[Person] | None]] = []
    for fmt in formats:
        runs.append((fmt, None))
        if "per_person" in cfg.export_options.get(fmt, {}):
            runs.extend((fmt, [p]) for p in cfg.people)
    return runs


def export_changes(store: Store, cfg: Config, fmt: str, people: list[Person] | None = None):
    """What writing one export would change on disk (pubsync.diff.FileChange list), writing nothing."""
    from pubsync.diff import plan_changes
    from pubsync.export import ExportError
    files, _ = export(store, cfg, fmt, people=people, dry_run=True)
    target = cfg.export_path(fmt, people[0] if people else None)
    if not site_works(store, cfg, people) and target.exists():
        return []                  # what export() would do: keep it (_kept_when_empty)
    try:
        return plan_changes(files, target, fmt)
    except ExportError as e:
        raise UsageError(f"{fmt}: {e}") from None
