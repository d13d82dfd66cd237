"""The commands that write or show the site's files: export, diff, init, report."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pubsync.adopt import formatting_only
from pubsync.cli.state import State, warn
from pubsync.errors import EXIT_CHANGED, UsageError
from pubsync.export import FORMATS, SITE_KINDS
from pubsync.export.diff import diff_stat, format_change
from pubsync.export.jobs import export_jobs, held_back, plan_job, render_job, write_jobs
from pubsync.init import WORKFLOW_SECRETS, init_site, write_workflow
from pubsync.report import gather, to_json, write_report
from pubsync.store import Store


def _check_formats(formats: tuple[str, ...] | list[str]) -> None:
    for fmt in formats:
        if fmt not in FORMATS:
            raise UsageError(f"--format: unknown format {fmt!r}; one of {', '.join(FORMATS)}")


@click.command()
@click.option("--format", "fmt", required=True, help=f"One of: {', '.join(FORMATS)}.")
@click.option("--out", default=None, help="Output path, or - for standard output (single-file formats).")
@click.option("--person", default=None, help="Lab mode: only this person's works (name, key or ORCID iD).")
@click.pass_obj
def export(state: State, fmt: str, out: str | None, person: str | None) -> None:
    """Write one export from the merged works (no network).

    Example:

    \b
        pubsync export --format bibtex --out -
    """
    _check_formats([fmt])
    cfg = state.config()
    [job] = export_jobs(cfg, [fmt], person=cfg.person(person) if person else None, out=Path(out) if out else None)
    store = Store(state.db_path, create=False)
    try:
        if job.target is None:
            files, _ = render_job(store, cfg, job)
            if len(files) != 1:
                raise UsageError(f"--out -: {fmt} writes {len(files)} files; give a directory with --out")
            sys.stdout.buffer.write(next(iter(files.values())))
            return
        [(_, report)] = write_jobs(store, cfg, [job])
    finally:
        store.close()
    for path, status in report:
        if status != "unchanged" or state.verbose:
            state.say(f"{fmt}: {status} {path}")
    if report and all(s == "unchanged" for _, s in report) and not state.verbose:
        state.say(f"{fmt}: unchanged")


@click.command()
@click.option("--format", "formats", multiple=True, help="Only this export (repeatable); default: every configured one.")
@click.option("--exit-code", is_flag=True, help="Exit 10 when an export would change (like git diff --exit-code).")
@click.option("--stat", is_flag=True, help="One line per changed file instead of the full diff.")
@click.pass_obj
def diff(state: State, formats: tuple[str, ...], exit_code: bool, stat: bool) -> None:
    """Show what writing the exports would change on disk, as a unified diff, without writing anything.

    Example (before the first sync of an existing site):

    \b
        pubsync diff --stat
    """
    _check_formats(formats)
    cfg = state.config()
    store = Store(state.db_path, create=False)
    try:
        changes = [c for job in export_jobs(cfg, formats or cfg.formats) for c in plan_job(store, cfg, job) or []
                   if c.kind != "unchanged"]
    finally:
        store.close()
    if stat:
        click.echo(diff_stat(changes, cfg.site_root), nl=False)
    else:
        for change in changes:
            text = format_change(change, cfg.site_root)
            click.echo(_coloured(text) if sys.stdout.isatty() else text, nl=False)
    for change in changes:
        if formatting_only(change.path, change.old, change.new, cfg.site_root):
            state.say(f"note: {change.path}: formatting only (every entry and value as before; pubsync normalises "
                      "an adopted file once)")
    if not changes:
        state.say("exports are up to date")
    sys.exit(EXIT_CHANGED if exit_code and changes else 0)


def _coloured(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith(("+++", "---", "diff ")):
            out.append(click.style(line, bold=True))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        else:
            out.append(line)
    return "".join(out)


@click.command()
@click.option("--orcid", default="", help="Your ORCID iD, e.g. 0000-0002-1825-0097 (the checksum is verified); "
              "needed unless only --workflow is asked for.")
@click.option("--kind", type=click.Choice(SITE_KINDS), default=None,
              help="The site's layout; detected from the folder when left out.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The site's root folder, where config.toml and curation.toml are written.")
@click.option("--name", default="", help="Your name as the site shows it (default: read from the site's _config.yml).")
@click.option("--email", default="", help="A contact address sent to OpenAlex and Crossref (their polite pool).")
@click.option("--force", is_flag=True, help="Replace an existing pubsync config or workflow (curation.toml is never "
              "replaced).")
@click.option("--workflow", is_flag=True, help="Also write .github/workflows/pubsync.yml: the pubsync GitHub Action "
              "every night and on demand (with only --workflow, just that file).")
@click.pass_obj
def init(state: State, orcid: str, kind: str | None, directory: Path, name: str, email: str, force: bool,
         workflow: bool) -> None:
    """Write a commented config.toml and an empty curation.toml for your ORCID iD, detecting the site layout
    (al-folio, academicpages, Hugo, a Jekyll _data/ folder) when run inside a site repository.

    Example (in your site's repository):

    \b
        pubsync init --orcid 0000-0002-1825-0097
        pubsync init --workflow
    """
    config_name = state.config_path.name if state.config_given else "config.toml"
    if not orcid and not workflow:
        raise UsageError("--orcid is required: pubsync init --orcid 0000-0002-1825-0097 (or --workflow alone to "
                         "write only the GitHub workflow)")
    if orcid:
        config_name = _init_config(state, orcid, kind, directory, name, email, force, config_name)
    if workflow:
        path = write_workflow(directory, config_name, force, config_given=state.config_given or bool(orcid))
        state.say(f"wrote {path}: the pubsync Action every night at 04:17 UTC and from the Run workflow button")
        state.say("add these repository secrets (Settings → Secrets and variables → Actions):")
        for secret, why in WORKFLOW_SECRETS:
            state.say(f"  {secret}  {why}")
        state.say("and allow Actions to open pull requests (Settings → Actions → General → Workflow permissions)")


def _init_config(state: State, orcid: str, kind: str | None, directory: Path, name: str, email: str, force: bool,
                 config_name: str) -> str:
    """Write config.toml + curation.toml and say what was done; the config's file name."""
    result = init_site(directory, orcid, kind=kind or "", config_name=config_name,
                       config_explicit=state.config_given, name=name, email=email, force=force)
    how = (f"detected from {', '.join(result.layout.evidence)}" if result.kind == result.layout.kind
           and result.layout.evidence else "given with --kind" if kind else "no site layout recognised here")
    article = "an" if result.kind[0] in "aeiou" else "a"
    state.say(f"wrote {result.config_path} for {article} {result.kind} site ({how})")
    if result.curation_path is not None:
        state.say(f"wrote {result.curation_path} (your decisions and site extras go there)")
    for note in result.notes:
        warn(f"pubsync: note: {note}")
    for target in result.existing_targets:
        warn(f"pubsync: note: {target} already holds your list: run 'pubsync adopt' first, so that your entries and "
             "every field of theirs are kept (the sources then only add to them); 'pubsync diff' shows the change "
             "before 'pubsync sync' writes it")
    config_flag = "" if result.config_path.name == "config.toml" else f" --config {result.config_path.name}"
    adopt = f"'pubsync{config_flag} adopt', " if result.existing_targets else ""
    state.say(f"next: check {result.config_path.name}, then {adopt}'pubsync{config_flag} pull', "
              f"'pubsync{config_flag} diff' and 'pubsync{config_flag} sync'")
    return result.config_path.name


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="Where to write the page.")
@click.option("--title", default="", help="The page title (default: the names of the people in the config).")
@click.option("--json", "as_json", is_flag=True, help="Print the page's numbers as JSON instead of writing HTML.")
@click.pass_obj
def report(state: State, out: Path, title: str, as_json: bool) -> None:
    """Write a static HTML page (works offline, no scripts): works and citations per year, which source knows
    which work, each source's last run, and the review queue.

    Example:

    \b
        pubsync report --out site/pubsync-report.html
    """
    cfg = state.config()
    names = [p.name for p in cfg.people if p.name]
    title = title or ("Publications of " + ", ".join(names) if names else "Publications")
    store = Store(state.db_path, create=False)
    try:
        held = held_back(store, cfg)
        if as_json:
            click.echo(json.dumps(to_json(gather(store, title, held)), indent=2, sort_keys=True, ensure_ascii=False))
            return
        try:
            data = write_report(store, out, title, held)
        except OSError as e:
            raise UsageError(f"--out: cannot write {out}: {e.strerror}") from None
    finally:
        store.close()
    state.say(f"wrote {out} ({data.works_total} works, {len(data.review)} waiting for review)")


COMMANDS = (export, diff, init, report)
