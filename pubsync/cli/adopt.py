"""`pubsync adopt`: the site's own publication list becomes pubsync's starting point."""
from __future__ import annotations

from pathlib import Path

import click

from pubsync import pipeline
from pubsync.cli.runs import say_merged
from pubsync.cli.state import State, warn


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--profile", default="", help="Whose list it is (an ORCID iD or a person's key in the config).")
@click.pass_obj
def adopt(state: State, paths: tuple[Path, ...], profile: str) -> None:
    """Adopt the site's existing publication list: every entry (BibTeX, academicpages pages, a YAML/JSON data
    list, a Markdown or HTML list in a page) becomes a record of the source `site`, whose fields win over the
    other sources'. With no PATH: the files the config's exports point at and the site kind's usual places.
    Re-run it after editing the list by hand.

    Example (an existing al-folio site, before the first sync):

    \b
        pubsync init --orcid 0000-0002-1825-0097
        pubsync adopt
        pubsync diff
    """
    cfg = state.config()
    who = profile or (cfg.people[0].key if cfg.people else "default")
    summary, merged = pipeline.adopt(state.db_path, cfg, list(paths), who)
    pages: dict[str, int] = {}
    for f in summary.files:
        if f.form == "academicpages":          # one page per paper: counted by folder
            folder = f.name.rsplit("/", 1)[0] + "/" if "/" in f.name else "./"
            pages[folder] = pages.get(folder, 0) + 1
        else:
            state.say(f"adopted {len(f.raws)} entries from {f.name} ({f.form})")
    for folder, count in sorted(pages.items()):
        state.say(f"adopted {count} pages from {folder} (academicpages)")
    for f in summary.files:
        if f.form == "data":
            warn(f"pubsync: note: to write {f.name} back in its own keys, add \"site-data\" to [export] formats and "
                 f"set [export.site-data] path = \"{f.name}\" (papers-yml writes pubsync's own schema)")
        elif f.form in ("markdown", "html") and not (f.form in cfg.formats
                                                      and cfg.export_path(f.form) == cfg.site_root / f.name):
            warn(f"pubsync: note: your list is kept by hand in {f.name}: to have pubsync keep it, put "
                 f"<!-- pubsync:start --> and <!-- pubsync:end --> around it, set [export] formats = [\"{f.form}\"] "
                 f"and [export.{f.form}] path = \"{f.name}\", order = \"site\"")
    for line in summary.skipped:
        warn(f"pubsync: skipped {line}")
    state.say(f"site: {summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged, "
              f"{summary.removed} removed" + (f"; {summary.keys_kept} works keep the site's citation key"
                                             if summary.keys_kept else ""))
    say_merged(state, merged)
    state.say("next: pubsync diff (the first export may normalise the files' formatting once; the entries and "
              "their fields stay the site's)")


COMMANDS = (adopt,)
