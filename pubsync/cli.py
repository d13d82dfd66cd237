"""The command line: parse arguments, call the pipeline, print what it returns. Exit codes:
0 done · 1 failed, nothing lost · 2 bad usage or config · 3 finished but a source failed (its earlier records kept)."""
from __future__ import annotations

import json
import logging
import os
import sys
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from pubsync import __version__
from pubsync.errors import PubsyncError, UsageError

EXIT_SOURCE_FAILED = 3
EXIT_CHANGED = 10


class State:
    def __init__(self, config: str, db: str, verbose: int, quiet: bool):
        self.config_path = Path(config)
        self.db_path = Path(db)
        self.verbose, self.quiet = verbose, quiet
        self.config_given = config != "config.toml"
        # Hugo owns ./config.toml; `pubsync init` then writes ./pubsync.toml, found here without --config.
        alt = Path("pubsync.toml")
        if not self.config_given and alt.exists() and not _looks_like_pubsync_config(self.config_path):
            self.config_path = alt

    def config(self, required: bool = False):
        from pubsync.config import load_config
        return load_config(self.config_path, required=required)

    def store(self, create: bool = True):
        from pubsync.store import Store
        return Store(self.db_path, create=create)

    def say(self, *lines: str) -> None:
        if not self.quiet:
            for line in lines:
                click.echo(line)


def _looks_like_pubsync_config(path: Path) -> bool:
    try:
        return "[[people]]" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def warn(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", envvar="PUBSYNC_CONFIG", default="config.toml", show_default=True,
              help="Profile config (env PUBSYNC_CONFIG).")
@click.option("--db", envvar="PUBSYNC_DB", default="data/pubsync.db", show_default=True,
              help="SQLite database (env PUBSYNC_DB).")
@click.option("-v", "--verbose", count=True, help="More detail (tracebacks on internal errors with -vv).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors (for cron).")
@click.version_option(__version__, prog_name="pubsync")
@click.pass_context
def cli(ctx: click.Context, config: str, db: str, verbose: int, quiet: bool) -> None:
    """pubsync keeps a publication list in sync with ORCID, OpenAlex, arXiv and Google Scholar,
    and writes what your site reads (al-folio papers.bib, papers.yml, academicpages pages, …)."""
    ctx.obj = State(config, db, verbose, quiet)
    _setup_logging(verbose, quiet)


class _OneLine(logging.Formatter):
    """Log records as one line; tracebacks only with -vv."""

    def __init__(self, tracebacks: bool):
        super().__init__("pubsync: %(message)s")
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if not self.tracebacks:
            record.exc_info = record.exc_text = None
        return super().format(record)


def _setup_logging(verbose: int, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine(tracebacks=verbose >= 2))
    root = logging.getLogger("pubsync")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose >= 2 else logging.INFO if verbose else logging.WARNING)


def _run(state: State, command: str, body) -> int:
    """Run `body(store, run_id)` as one logged run under the DB lock; returns its exit code."""
    from pubsync.store import Lock
    with Lock(state.db_path, wait=float(os.environ.get("PUBSYNC_LOCK_WAIT", "0"))):
        store = state.store()
        run_id = store.start_run(command)
        code = 1
        try:
            code = body(store, run_id)
        finally:
            status = {0: "ok", EXIT_SOURCE_FAILED: "partial", EXIT_CHANGED: "ok"}.get(code, "failed")
            store.end_run(run_id, status, code)
            store.close()
    return code


def _merge_and_say(state: State, store, cfg) -> None:
    from pubsync.pipeline import merge
    summary = merge(store, cfg)
    state.say(f"merged {summary.records} records into {summary.works} works"
              + (f" ({summary.hidden} hidden)" if summary.hidden else "")
              + (f"; {summary.review} pairs wait for review (pubsync review)" if summary.review else ""))
    for line in summary.unparsable[:5]:
        warn(f"pubsync: unreadable stored record skipped: {line}")


def _export_and_say(state: State, store, cfg, fmt: str, out: Path | None = None, people=None) -> None:
    report = _export(store, cfg, fmt, out, people=people)
    for path, status in report:
        if status != "unchanged" or state.verbose:
            state.say(f"{fmt}: {status} {path}")
    if report and all(s == "unchanged" for _, s in report) and not state.verbose:
        state.say(f"{fmt}: unchanged")


@cli.command()
@click.option("--dry-run", is_flag=True, help="Pull and merge, then show what the exports would change instead of writing them.")
@click.option("--exit-code", "exit_on_change", is_flag=True,
              help="Exit 10 when exports changed (or would change), like git diff --exit-code; 3 still wins.")
@click.option("--json", "as_json", is_flag=True, help="The run summary as JSON on stdout.")
@click.pass_obj
def sync(state: State, dry_run: bool, exit_on_change: bool, as_json: bool) -> None:
    """Pull every enabled source for everyone in the config, merge, and write the configured exports."""
    cfg = state.config(required=True)
    if not cfg.people:
        raise UsageError(f"{cfg.path}: no [[people]] in the config; add one with at least name and orcid")

    def body(store, run_id):
        from pubsync.pipeline import export_all, export_runs, merge, pull
        from pubsync.summary import build_summary, snapshot_works
        before = snapshot_works(store)
        with _progress(state, cfg.people) as progress:
            outcomes = pull(store, cfg, cfg.people, run_id, progress=progress)
        _warn_failed(outcomes)
        merged = merge(store, cfg)
        after = snapshot_works(store)
        exports: dict[str, list[tuple[str, str]]] = {}
        runs = export_runs(cfg, cfg.formats)
        reports = ([(fmt, _diff_export(state, store, cfg, fmt, people)) for fmt, people in runs] if dry_run
                   else export_all(store, cfg, runs))
        for fmt, report in reports:
            exports.setdefault(fmt, []).extend(report)
        summary = build_summary(outcomes, merged, before, after, exports)
        _print_summary(state, summary, as_json)
        return summary.exit_code(exit_on_change=exit_on_change)
    sys.exit(_run(state, "sync --dry-run" if dry_run else "sync", body))


@contextmanager
def _progress(state: State, people: list):
    """A live line on a terminal ("fetching… orcid 67 ✓, openalex …"); in a log with -v, one line per finished
    source; nothing with -q. Yields the callback the fetchers call as each source finishes."""
    from pubsync.sources import FetchResult
    done: list[str] = []
    lock = threading.Lock()
    console = Console(stderr=True) if not state.quiet and sys.stderr.isatty() else None
    status = console.status("fetching…") if console else None

    def callback(profile: str, source: str, outcome) -> None:
        who = f" ({profile})" if len(people) > 1 else ""
        text = (f"{source}{who} {len(outcome.raws)} ✓" if isinstance(outcome, FetchResult)
                else f"{source}{who} failed")
        with lock:
            done.append(text)
            if status is not None:
                status.update("fetching… " + ", ".join(done))
            elif state.verbose and not state.quiet:
                warn(f"pubsync: fetched {text}")
    if status is not None:
        with status:
            yield callback
    else:
        yield callback


def _warn_failed(outcomes: list) -> None:
    for o in outcomes:
        if o.failed:
            warn(f"pubsync: {o.source} {'suspect' if o.outcome == 'suspect' else 'failed'} for {o.profile}: {o.error}")


def _export(store, cfg, fmt: str, out: Path | None = None, people=None) -> list[tuple[str, str]]:
    from pubsync.pipeline import export
    return export(store, cfg, fmt, out, people=people)[1]


def _diff_export(state: State, store, cfg, fmt: str, people) -> list[tuple[str, str]]:
    """--dry-run: print the diff of one export; report each file that would change as "written"."""
    from pubsync.diff import format_change
    from pubsync.pipeline import export_changes
    changes = export_changes(store, cfg, fmt, people)
    for change in changes:
        state.say(format_change(change, cfg.site_root).rstrip("\n"))
    return [(str(c.path), "written") for c in changes]


def _print_summary(state: State, summary, as_json: bool) -> None:
    from pubsync.summary import render_text, to_json
    if as_json:
        click.echo(json.dumps(to_json(summary), indent=2, sort_keys=True))
    elif not state.quiet:
        click.echo(render_text(summary, color=sys.stdout.isatty()).rstrip("\n"))


@cli.command()
@click.option("--orcid", default="", help="ORCID iD, e.g. 0000-0002-1825-0097.")
@click.option("--openalex", default="", help="OpenAlex author id, e.g. A5003721947.")
@click.option("--arxiv", default="", help="arXiv ids (comma-separated) or an author query such as 'au:Carberry_J'.")
@click.option("--scholar", default="", help="Google Scholar user id (opt-in; Scholar may block scripts).")
@click.option("--json", "as_json", is_flag=True, help="The run summary as JSON on stdout.")
@click.pass_obj
def pull(state: State, orcid: str, openalex: str, arxiv: str, scholar: str, as_json: bool) -> None:
    """Fetch and store records, then merge. With ID flags no config file is needed; with only --orcid the
    OpenAlex author and arXiv ids are discovered from it."""
    from pubsync.config import person_from_flags
    cfg = state.config(required=state.config_given)
    if orcid or openalex or arxiv or scholar:
        person = person_from_flags(orcid, openalex, arxiv, scholar)
        match = [p for p in cfg.people if person.orcid and p.orcid == person.orcid]
        people = match or [person]
        if scholar:
            cfg.sources["scholar"].enabled = True
    else:
        people = cfg.people
        if not people:
            raise UsageError("nothing to pull: give --orcid/--openalex/--arxiv/--scholar, or [[people]] in the config")

    def body(store, run_id):
        from pubsync.pipeline import merge, pull as do_pull
        from pubsync.summary import build_summary, snapshot_works
        before = snapshot_works(store)
        with _progress(state, people) as progress:
            outcomes = do_pull(store, cfg, people, run_id, progress=progress)
        _warn_failed(outcomes)
        merged = merge(store, cfg)
        summary = build_summary(outcomes, merged, before, snapshot_works(store))
        _print_summary(state, summary, as_json)
        return summary.exit_code()
    sys.exit(_run(state, "pull", body))


@cli.command()
@click.pass_obj
def merge(state: State) -> None:
    """Rebuild the merged works from the stored raw records and decisions (no network)."""
    cfg = state.config()
    def body(store, run_id):
        _merge_and_say(state, store, cfg)
        return 0
    sys.exit(_run(state, "merge", body))


@cli.command()
@click.option("--format", "fmt", required=True, help="bibtex, papers-yml, academicpages, citations-yml, csl-json, markdown, html.")
@click.option("--out", default=None, help="Output path, or - for standard output (single-file formats).")
@click.option("--person", default=None, help="Lab mode: only this person's works (name, key or ORCID iD).")
@click.pass_obj
def export(state: State, fmt: str, out: str | None, person: str | None) -> None:
    """Write one export from the merged works."""
    from pubsync.export import FORMATS
    if fmt not in FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    cfg = state.config()
    people = [cfg.person(person)] if person else None
    store = state.store(create=False)
    try:
        if out == "-":
            from pubsync.pipeline import export as do_export
            files, _ = do_export(store, cfg, fmt, people=people, dry_run=True)
            if len(files) != 1:
                raise UsageError(f"--out -: {fmt} writes {len(files)} files; give a directory with --out")
            sys.stdout.buffer.write(next(iter(files.values())))
        else:
            _export_and_say(state, store, cfg, fmt, Path(out) if out else None, people=people)
    finally:
        store.close()


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def status(state: State, as_json: bool) -> None:
    """Works, records per source, and each source's last run and outcome."""
    store = state.store(create=False)
    try:
        data = store.counts()
        data["sources"] = store.last_outcomes()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    from rich.table import Table
    tty = sys.stdout.isatty()
    console = Console(no_color=not tty, width=None if tty else 160)   # logs: wide enough not to squeeze columns
    console.print(f"works: {data['works']}  hidden: {data['hidden']}  waiting for review: {data['review']}")
    table = Table("source", "profile", "records", "last run", "outcome", "fetched", "new", "changed", "error")
    for row in data["sources"]:
        table.add_row(row["source"], row["profile"], str(data["raw_records"].get(row["source"], 0)), row["at"] or "",
                      row["outcome"], str(row["fetched"]), str(row["new"]), str(row["changed"]), row["error"] or "")
    console.print(table)


@cli.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def explain(state: State, key: str, as_json: bool) -> None:
    """Show a merged work, the source of each field, and the records merged into it and why."""
    from pubsync.explain import explain_work
    store = state.store(create=False)
    try:
        text = explain_work(store, state.config(), key, as_json=as_json)
    finally:
        store.close()
    click.echo(text)


@cli.command(name="import")
@click.argument("source")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--profile", default="", help="Whose records these are (an ORCID iD or a person's key in the config).")
@click.pass_obj
def import_(state: State, source: str, file: Path, profile: str) -> None:
    """Feed a saved response or page (e.g. a Scholar profile saved from the browser) through the same parser
    as the network path, then merge."""
    from pubsync.pipeline import import_file
    cfg = state.config()
    if not file.exists():
        raise UsageError(f"{file}: no such file")
    profile = profile or (cfg.people[0].key if cfg.people else "default")

    def body(store, run_id):
        counts = import_file(store, source, file, profile)
        state.say(f"{source}: imported {sum(counts.values())} records from {file} ({counts['new']} new, "
                  f"{counts['changed']} changed, {counts['unchanged']} unchanged)")
        _merge_and_say(state, store, cfg)
        return 0
    sys.exit(_run(state, f"import {source}", body))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def review(state: State, as_json: bool) -> None:
    """List pairs of works the matcher was unsure about, with the evidence and the command that settles each."""
    store = state.store(create=False)
    try:
        pairs = store.review_pairs()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(pairs, indent=2, sort_keys=True, ensure_ascii=False))
        return
    if not pairs:
        state.say("nothing waits for review")
        return
    for n, p in enumerate(pairs, 1):
        evidence = ", ".join(f"{k} {v:+.2f}" for k, v in sorted(p["components"].items(), key=lambda kv: -abs(kv[1])))
        click.echo(f"{n}. {p['score']:.0%} alike — {evidence}")
        for side in ("a", "b"):
            refs = sorted({pair[0 if side == 'a' else 1] for pair in p["records"]})
            more = f", +{len(refs) - 1} more" if len(refs) > 1 else ""
            click.echo(f"   {p[side]:28} {p[side + '_year'] or '':4}  {p[side + '_title'][:70]}  ({refs[0]}{more})")
        click.echo(f"   pubsync same {p['a']} {p['b']}    or    pubsync different {p['a']} {p['b']}")


def _decide(state: State, kind: str, a: str, b: str) -> None:
    from pubsync.curation import append_decision, decision_pairs
    from pubsync.explain import resolve_refs
    cfg = state.config()

    def body(store, run_id):
        groups = [resolve_refs(store, a), resolve_refs(store, b)]
        if set(groups[0]) & set(groups[1]):
            raise UsageError(f"{a} and {b} name the same records; nothing to decide")
        store.add_decisions(kind, [(d.a, d.b) for d in decision_pairs(kind, groups)],
                            supersede=groups[0] + groups[1])
        if cfg.curation_path is not None:
            append_decision(cfg.curation_path, kind, groups)
        state.say(f"recorded: {a} and {b} are {'the same work' if kind == 'same' else 'different works'}"
                  f" ({cfg.curation_path or 'database only'})")
        _merge_and_say(state, store, cfg)
        return 0
    sys.exit(_run(state, kind, body))


@cli.command()
@click.argument("a")
@click.argument("b")
@click.pass_obj
def same(state: State, a: str, b: str) -> None:
    """Record that A and B (work keys, doi:…, arxiv:…, or record refs) are one work."""
    _decide(state, "same", a, b)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.pass_obj
def different(state: State, a: str, b: str) -> None:
    """Record that A and B are different works; no later merge joins them."""
    _decide(state, "different", a, b)


def main() -> None:
    verbose = any(a in ("-vv", "-vvv") for a in sys.argv[1:])
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(2)
    except click.Abort:
        warn("pubsync: aborted")
        sys.exit(1)
    except PubsyncError as e:
        warn(f"pubsync: {e}")
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        warn("pubsync: interrupted; the database is as it was before the interrupted step")
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # the last line of defence: one line, no traceback unless asked
        if verbose:
            traceback.print_exc()
        warn(f"pubsync: internal error: {type(e).__name__}: {e} (run with -vv for details; nothing was lost)")
        sys.exit(1)


try:                                           # init, report, diff: commands that live in their own module
    from pubsync import cli_more  # noqa: E402,F401
except ImportError as _e:                      # pragma: no cover - only while that module is being written
    if "cli_more" not in str(_e):
        raise
