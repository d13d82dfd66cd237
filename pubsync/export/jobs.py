"""Which exports a run writes, and writing (or planning) them from the store: the one definition `sync`,
`export`, `diff` and `sync --dry-run` share, so a `pubsync diff` right after a sync finds nothing to write."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pubsync.attribution import left_out
from pubsync.config import Config
from pubsync.errors import ExportError, ExportWriteError
from pubsync.export import ExportContext, render
from pubsync.export.writer import FileChange, apply, plan
from pubsync.records import Work
from pubsync.settings import Person
from pubsync.store import Store, now_iso

KEPT_EMPTY = "kept (no works to export)"


@dataclass(frozen=True)
class ExportJob:
    format: str
    people: tuple[Person, ...]       # () = the whole list, everyone's works
    target: Path | None              # None = standard output
    keep_when_empty: bool            # with no works at all, an existing target is kept as it is, never blanked


def export_jobs(cfg: Config, formats: list[str] | tuple[str, ...], *, person: Person | None = None,
                out: Path | None = None) -> list[ExportJob]:
    """For each format the whole list at its configured path, plus one file per person when `[export.<format>]
    per_person` is set. With `person`: only that person's list, at `out` or the person's path. `out` "-" is
    standard output."""
    to_stdout = out is not None and str(out) == "-"
    jobs = []
    for fmt in formats:
        if person is not None:
            targets = [((person,), out or cfg.export_path(fmt, person))]
        else:
            targets = [((), out or cfg.export_path(fmt))]
            if out is None and "per_person" in cfg.export_options.get(fmt, {}):
                targets += [((p,), cfg.export_path(fmt, p)) for p in cfg.people]
        jobs += [ExportJob(fmt, people, None if to_stdout else Path(target), not to_stdout)
                 for people, target in targets]
    return jobs


def site_works(store: Store, cfg: Config, people: tuple[Person, ...] = ()) -> list[Work]:
    """The works the site shows: not hidden, and neither left out by the site policy nor unconfirmed as the
    people's (attribution.left_out). For one person's list: that person's works. For the whole list: every work,
    except those whose owners in the config were all outside their active `years` when it appeared."""
    keys = [p.key for p in people or cfg.people]
    works = [w for w in store.works() if not left_out(w, keys, cfg.exclude_types, cfg.publish_unconfirmed)]
    if people:
        return [w for w in works if set(keys) & set(w.people)]
    members = {p.key: p for p in cfg.people}

    def in_lab(work: Work) -> bool:
        owners = [members[k] for k in work.people if k in members]
        if not owners or work.year is None:
            return True
        return any((p.years[0] is None or work.year >= p.years[0]) and (p.years[1] is None or work.year <= p.years[1])
                   for p in owners)
    return [w for w in works if in_lab(w)]


def held_back(store: Store, cfg: Config) -> dict[str, int]:
    """How many works the site leaves out, by why (attribution.left_out): 'unconfirmed', 'not mine', 'type
    peer-review', 'retracted', …; hidden works (curation.toml hide) are counted by the store."""
    keys = [p.key for p in cfg.people]
    counts: dict[str, int] = {}
    for work in store.works():
        why = left_out(work, keys, cfg.exclude_types, cfg.publish_unconfirmed)
        if why:
            counts[why] = counts.get(why, 0) + 1
    return dict(sorted(counts.items()))


def render_job(store: Store, cfg: Config, job: ExportJob) -> tuple[dict[str, bytes], int]:
    """The job's files, and how many works they show."""
    works = site_works(store, cfg, job.people)
    people = list(job.people) or cfg.people or store.people()
    context = ExportContext(people=people, site_kind=cfg.site_kind, scholar_users=sorted({p.scholar for p in people
                                                                                          if p.scholar}),
                            # the date of the data, not of the export: the same DB exports the same bytes any day
                            data_date=store.data_date() or now_iso()[:10],
                            options={k: v for k, v in cfg.export_options.get(job.format, {}).items()
                                     if k != "per_person"})
    try:
        return render(job.format, works, context), len(works)
    except ExportError as e:
        raise ExportError(f"{job.format}: {e}") from None


def plan_job(store: Store, cfg: Config, job: ExportJob) -> list[FileChange] | None:
    """Every file the job would touch (unchanged ones included); None when an existing target is kept because
    there are no works at all (a first sync whose every source failed never blanks a site)."""
    files, count = render_job(store, cfg, job)
    if count == 0 and job.keep_when_empty and job.target is not None and job.target.exists():
        return None
    try:
        return plan(job.format, files, job.target)
    except (ExportError, ExportWriteError) as e:
        raise type(e)(f"{job.format}: {e}") from None


def write_jobs(store: Store, cfg: Config, jobs: list[ExportJob]) -> list[tuple[ExportJob, list[tuple[str, str]]]]:
    """Write every job; (job, [(path, status)]) in job order. Every plan is made before anything is written, so an
    export refused for its input (exit 2) leaves every file as it was; a file the disk refuses does not hold back
    the others, and the first such error is raised once all are done."""
    plans = [(job, plan_job(store, cfg, job)) for job in jobs]
    reports = []
    refused: ExportWriteError | None = None
    for job, changes in plans:
        if changes is None:
            reports.append((job, [(str(job.target), KEPT_EMPTY)]))
            continue
        try:
            reports.append((job, apply(changes)))
        except ExportWriteError as e:
            refused = refused or ExportWriteError(f"{job.format}: {e}")
    if refused:
        raise refused
    return reports
