"""sync = pull → merge → export, and the other runs the CLI starts. Each run holds the database lock, is logged in
the `runs` table, and returns what happened for the CLI to print; every write to the DB is one transaction per step.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pubsync.attribution import attribute, tidy
from pubsync.citekeys import assign_keys, site_key
from pubsync.config import Config
from pubsync.curation import (Decision, append_decision, apply_curation, decision_pairs, load_curation,
                              record_attribution)
from pubsync.errors import EXIT_FAILED, EXIT_SOURCE_FAILED, UsageError
from pubsync.export.jobs import ExportJob, export_jobs, plan_job, write_jobs
from pubsync.explain import find_work_key, resolve_refs
from pubsync.merge import build_works, collector_paused
from pubsync.names import split_name
from pubsync.pull import fetch_and_store, store_saved_file
from pubsync.records import Author, Record, Work
from pubsync.settings import MergeSettings, Person
from pubsync.sources import module
from pubsync.store import Lock, Store, now_iso
from pubsync.summary import RunSummary, build_summary, snapshot_works


@dataclass
class MergeSummary:
    records: int = 0
    works: int = 0
    hidden: int = 0
    review: int = 0
    unparsable: list[str] = field(default_factory=list)


class _Run:
    """One logged run: its store, and how it ended (written to `runs` when the run closes)."""

    def __init__(self, store: Store, command: str) -> None:
        self.store = store
        self.id = store.start_run(command)
        self.status, self.exit_code = "ok", 0


@contextmanager
def _logged_run(db_path: Path, command: str) -> Iterator[_Run]:
    """The database, locked for this run (a second pubsync waits PUBSYNC_LOCK_WAIT seconds, default 0)."""
    with Lock(db_path, wait=float(os.environ.get("PUBSYNC_LOCK_WAIT", "0"))):
        store = Store(db_path)
        run = _Run(store, command)
        try:
            yield run
        except BaseException as e:
            run.status, run.exit_code = "failed", getattr(e, "exit_code", EXIT_FAILED)
            raise
        finally:
            store.end_run(run.id, run.status, run.exit_code)
            store.close()


def _finish(run: _Run, summary: RunSummary) -> RunSummary:
    if summary.failed_sources:
        run.status, run.exit_code = "partial", EXIT_SOURCE_FAILED
    return summary


# ---- the runs -------------------------------------------------------------------------------------------

def sync(db_path: Path, cfg: Config, *, dry_run: bool = False, progress: Any = None,
         transport: Any = None) -> RunSummary:
    """Pull every enabled source for everyone in the config, merge, write the configured exports. With `dry_run`
    nothing is written to the site: the summary's `planned` holds the files that would change."""
    with _logged_run(db_path, "sync --dry-run" if dry_run else "sync") as run:
        store = run.store
        before = snapshot_works(store)
        outcomes = fetch_and_store(store, cfg, cfg.people, run.id, transport=transport, progress=progress)
        merged = merge_works(store, cfg)
        jobs = export_jobs(cfg, cfg.formats)
        if dry_run:
            plans = [(job, [c for c in plan_job(store, cfg, job) or [] if c.kind != "unchanged"]) for job in jobs]
            exports = _reports([(job, [(str(c.path), "written") for c in changes]) for job, changes in plans])
        else:
            plans = []
            exports = _reports(write_jobs(store, cfg, jobs))
        summary = build_summary(outcomes, merged, before, snapshot_works(store), exports)
        summary.planned = [change for _, changes in plans for change in changes]
        return _finish(run, summary)


def _reports(reports: list[tuple[ExportJob, list[tuple[str, str]]]]) -> dict[str, list[tuple[str, str]]]:
    by_format: dict[str, list[tuple[str, str]]] = {}
    for job, report in reports:
        by_format.setdefault(job.format, []).extend(report)
    return by_format


def pull(db_path: Path, cfg: Config, people: list[Person], *, progress: Any = None,
         transport: Any = None) -> RunSummary:
    """Fetch and store these people's sources, then merge; no export is written."""
    with _logged_run(db_path, "pull") as run:
        before = snapshot_works(run.store)
        outcomes = fetch_and_store(run.store, cfg, people, run.id, transport=transport, progress=progress)
        merged = merge_works(run.store, cfg)
        return _finish(run, build_summary(outcomes, merged, before, snapshot_works(run.store)))


def merge(db_path: Path, cfg: Config) -> MergeSummary:
    """Rebuild records and works from the stored raw records and the decisions, without the network."""
    with _logged_run(db_path, "merge") as run:
        return merge_works(run.store, cfg)


def import_file(db_path: Path, cfg: Config, source: str, path: Path, profile: str) -> tuple[dict[str, int], MergeSummary]:
    """A saved response or page stored as `source`'s records of `profile`, then merged: (new/changed/unchanged
    counts, the merge)."""
    with _logged_run(db_path, f"import {source}") as run:
        counts = store_saved_file(run.store, source, path, profile)
        return counts, merge_works(run.store, cfg)


def decide(db_path: Path, cfg: Config, kind: str, a: str, b: str) -> MergeSummary:
    """Record that A and B are the same work ("same") or different works ("different"), in the database and in
    curation.toml, then merge."""
    with _logged_run(db_path, kind) as run:
        groups = [resolve_refs(run.store, a), resolve_refs(run.store, b)]
        if set(groups[0]) & set(groups[1]):
            raise UsageError(f"{a} and {b} name the same records; nothing to decide")
        run.store.add_decisions(kind, [(d.a, d.b) for d in decision_pairs(kind, groups)],
                                supersede=groups[0] + groups[1])
        if cfg.curation_path is not None:
            append_decision(cfg.curation_path, kind, groups)
        return merge_works(run.store, cfg)


def decide_attribution(db_path: Path, cfg: Config, ref: str, mine: bool) -> tuple[str, MergeSummary]:
    """Record in curation.toml that the work REF names is the person's (`mine`) or not, then merge. Returns the
    ref the decision is filed under: REF itself when it is an identifier or a record, else the work's most stable
    identifier (its DOI, arXiv id, OpenAlex id, else a record), because work keys follow clusters."""
    with _logged_run(db_path, "mine" if mine else "not-mine") as run:
        work = run.store.work(find_work_key(run.store, ref))
        if ":" not in ref:
            ref = next((f"{kind}:{work.ids[kind]}" for kind in ("doi", "arxiv", "openalex") if work.ids.get(kind)),
                       work.records[0] if work.records else work.key)
        record_attribution(cfg.curation_path, ref, mine)
        return ref, merge_works(run.store, cfg)


# ---- the merge stage ----------------------------------------------------------------------------------------

def merge_works(store: Store, cfg: Config) -> MergeSummary:
    """Records parsed from every raw record, matched and merged into works, keyed, curated, and stored."""
    with collector_paused():
        return _merge_works(store, cfg)


def _merge_works(store: Store, cfg: Config) -> MergeSummary:
    rows, unparsable = _parse_all(store)
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
    people = {p.key: p for p in [*store.people(), *named, *cfg.people]}    # the config's (aliases, ids) win
    _owner_as_author(result.works, people)
    keymap = assign_keys(result.works, store.citekeys())
    hidden = apply_curation(result.works, curation)
    tidy(result.works, unique)
    attribute(result.works, unique, owners, list(people.values()), curation)
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


def _parse_all(store: Store) -> tuple[list[tuple[str, int, Record]], list[str]]:
    rows, unparsable = [], []
    for rid, profile, raw in store.iter_raw():
        try:
            rows.extend((profile, rid, rec) for rec in module(raw.source).parse(raw))
        except Exception as e:
            unparsable.append(f"{raw.source}:{raw.source_id}: {e}")
    return rows, unparsable


def _owner_as_author(works: list[Work], people: dict[str, Person]) -> None:
    """A work no source gave authors for (an ORCID entry without contributors) is still the owner's own work:
    list the owner, marked incomplete, so keys and exports name someone rather than "anon"."""
    for work in works:
        owner = next((people[k] for k in work.people if k in people and people[k].name != k), None)
        if work.authors or owner is None:
            continue
        family, given = split_name(owner.name)
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


# ---- adopting the site's own list ----------------------------------------------------------------------------

def adopt(db_path: Path, cfg: Config, paths: list[Path], profile: str):
    """`pubsync adopt`: the site's list stored as the `site` source's records of `profile`, merged, and each
    BibTeX entry's work keeping the entry's own citation key (citekeys.assign_keys). Returns (adopt.AdoptSummary, MergeSummary)."""
    from pubsync.adopt import AdoptSummary, site_files, store_site_files
    files, skipped = site_files(cfg, paths)
    summary = AdoptSummary(files=files, skipped=skipped)
    with _logged_run(db_path, "adopt") as run:
        store_site_files(run.store, profile, files, summary)
        merged = merge_works(run.store, cfg)
        summary.keys_kept = sum(1 for w in run.store.works(include_hidden=True) if w.key and w.key == site_key(w))
        return summary, merged
