"""The commands that fetch or rebuild data: sync, pull, merge, import."""
from __future__ import annotations

import json
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from pubsync import pipeline
from pubsync.cli.state import State, warn
from pubsync.config import person_from_flags
from pubsync.errors import UsageError
from pubsync.export.diff import format_change
from pubsync.sources import FetchResult
from pubsync.summary import RunSummary, render_text, to_json


@click.command()
@click.option("--dry-run", is_flag=True, help="Pull and merge, then show what the exports would change instead of writing them.")
@click.option("--exit-code", "exit_on_change", is_flag=True,
              help="Exit 10 when exports changed (or would change), like git diff --exit-code; 3 still wins.")
@click.option("--json", "as_json", is_flag=True, help="The run summary as JSON on stdout.")
@click.pass_obj
def sync(state: State, dry_run: bool, exit_on_change: bool, as_json: bool) -> None:
    """Pull every enabled source for everyone in the config, merge, and write the configured exports.

    Example (the nightly job):

    \b
        pubsync sync --exit-code
    """
    cfg = state.config(required=True)
    if not cfg.people:
        raise UsageError(f"{cfg.path}: no [[people]] in the config; add one with at least name and orcid")
    with _progress(state, len(cfg.people)) as progress:
        summary = pipeline.sync(state.db_path, cfg, dry_run=dry_run, progress=progress)
    for change in summary.planned:
        state.say(format_change(change, cfg.site_root).rstrip("\n"))
    _finish(state, summary, as_json)
    sys.exit(summary.exit_code(exit_on_change=exit_on_change))


@click.command()
@click.option("--orcid", default="", help="ORCID iD, e.g. 0000-0002-1825-0097.")
@click.option("--openalex", default="", help="OpenAlex author id, e.g. A5003721947.")
@click.option("--arxiv", default="", help="arXiv ids (comma-separated) or an author query such as 'au:Carberry_J'.")
@click.option("--scholar", default="", help="Google Scholar user id (opt-in; Scholar may block scripts).")
@click.option("--dblp", default="", help="DBLP person id, e.g. 62/2078 (from the dblp.org/pid/… URL).")
@click.option("--semanticscholar", default="", help="Semantic Scholar author id, e.g. 1723755 (key: S2_API_KEY).")
@click.option("--json", "as_json", is_flag=True, help="The run summary as JSON on stdout.")
@click.pass_obj
def pull(state: State, orcid: str, openalex: str, arxiv: str, scholar: str, dblp: str, semanticscholar: str,
         as_json: bool) -> None:
    """Fetch and store records, then merge. With ID flags no config file is needed; with only --orcid the
    OpenAlex author and arXiv ids are discovered from it.

    Example:

    \b
        pubsync pull --orcid 0000-0002-1825-0097
    """
    cfg = state.config(required=state.config_given)
    if orcid or openalex or arxiv or scholar or dblp or semanticscholar:
        person = person_from_flags(orcid, openalex, arxiv, scholar, dblp, semanticscholar)
        people = [p for p in cfg.people if person.orcid and p.orcid == person.orcid
                  or person.dblp and p.dblp == person.dblp] or [person]
        if scholar:
            cfg.sources["scholar"].enabled = True
    else:
        people = cfg.people
        if not people:
            raise UsageError("nothing to pull: give --orcid/--openalex/--arxiv/--scholar/--dblp/--semanticscholar, "
                             "or [[people]] in the config")
    with _progress(state, len(people)) as progress:
        summary = pipeline.pull(state.db_path, cfg, people, progress=progress)
    _finish(state, summary, as_json)
    sys.exit(summary.exit_code())


@click.command()
@click.pass_obj
def merge(state: State) -> None:
    """Rebuild the merged works from the stored raw records and decisions (no network).

    Example (after editing curation.toml or upgrading pubsync):

    \b
        pubsync merge
    """
    say_merged(state, pipeline.merge(state.db_path, state.config()))


@click.command(name="import")
@click.argument("source")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--profile", default="", help="Whose records these are (an ORCID iD or a person's key in the config).")
@click.pass_obj
def import_(state: State, source: str, file: Path, profile: str) -> None:
    """Feed a saved response or page (e.g. a Scholar profile saved from the browser) through the same parser
    as the network path, then merge.

    Example:

    \b
        pubsync import scholar "Josiah Carberry - Google Scholar.html"
    """
    cfg = state.config()
    if not file.exists():
        raise UsageError(f"{file}: no such file")
    counts, merged = pipeline.import_file(state.db_path, cfg, source, file,
                                          profile or (cfg.people[0].key if cfg.people else "default"))
    state.say(f"{source}: imported {sum(counts.values())} records from {file} ({counts['new']} new, "
              f"{counts['changed']} changed, {counts['unchanged']} unchanged)")
    say_merged(state, merged)


COMMANDS = (sync, pull, merge, import_)


def say_merged(state: State, summary: pipeline.MergeSummary) -> None:
    state.say(f"merged {summary.records} records into {summary.works} works"
              + (f" ({summary.hidden} hidden)" if summary.hidden else "")
              + (f"; {summary.review} pairs wait for review (pubsync review)" if summary.review else ""))
    for line in summary.unparsable[:5]:
        warn(f"pubsync: unreadable stored record skipped: {line}")


def _finish(state: State, summary: RunSummary, as_json: bool) -> None:
    for o in summary.failed_sources:
        warn(f"pubsync: {o.source} {'suspect' if o.outcome == 'suspect' else 'failed'} for {o.profile}: {o.error}")
    if as_json:
        click.echo(json.dumps(to_json(summary), indent=2, sort_keys=True))
    elif not state.quiet:
        click.echo(render_text(summary, color=sys.stdout.isatty()).rstrip("\n"))


@contextmanager
def _progress(state: State, n_people: int):
    """A live line on a terminal ("fetching… orcid 67 ✓, openalex …"); in a log with -v, one line per finished
    source; nothing with -q. Yields the callback the fetchers call as each source finishes."""
    done: list[str] = []
    lock = threading.Lock()
    console = Console(stderr=True) if not state.quiet and sys.stderr.isatty() else None
    status = console.status("fetching…") if console else None

    def callback(profile: str, source: str, outcome) -> None:
        who = f" ({profile})" if n_people > 1 else ""
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
