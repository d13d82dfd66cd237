"""The commands that show the merged works and settle questions about them: status, explain, review, same,
different."""
from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from pubsync import pipeline
from pubsync.cli.runs import say_merged
from pubsync.cli.state import State
from pubsync.explain import explain_work, review_queue, strongest
from pubsync.export.jobs import held_back
from pubsync.store import Store


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def status(state: State, as_json: bool) -> None:
    """Works, records per source, and each source's last run and outcome.

    Example:

    \b
        pubsync status --json
    """
    cfg = state.config()
    store = Store(state.db_path, create=False)
    try:
        data = store.counts()
        data["held_back"] = held_back(store, cfg)
        data["sources"] = store.last_outcomes()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    tty = sys.stdout.isatty()
    console = Console(no_color=not tty, width=None if tty else 160)   # logs: wide enough not to squeeze columns
    held = ", ".join(f"{n} {why}" for why, n in data["held_back"].items())
    console.print(f"works: {data['works']}  hidden: {data['hidden']}  held back: {sum(data['held_back'].values())}"
                  f"{f' ({held})' if held else ''}  waiting for review: {data['review']}")
    table = Table("source", "profile", "records", "last run", "outcome", "fetched", "new", "changed", "error")
    for row in data["sources"]:
        table.add_row(row["source"], row["profile"], str(data["raw_records"].get(row["source"], 0)), row["at"] or "",
                      row["outcome"], str(row["fetched"]), str(row["new"]), str(row["changed"]), row["error"] or "")
    console.print(table)


@click.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def explain(state: State, key: str, as_json: bool) -> None:
    """Show a merged work, the source of each field, and the records merged into it and why. KEY is a work key,
    doi:…, arxiv:… or a record ref such as orcid:12345.

    Example:

    \b
        pubsync explain doi:10.5555/12345678
    """
    store = Store(state.db_path, create=False)
    try:
        text = explain_work(store, state.config(), key, as_json=as_json)
    finally:
        store.close()
    click.echo(text)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def review(state: State, as_json: bool) -> None:
    """List what waits for you, with the evidence and the command that settles each: works pubsync is unsure are
    yours (held off the site until you say), and pairs of works the matcher was unsure are one.

    Example:

    \b
        pubsync review --json
    """
    store = Store(state.db_path, create=False)
    try:
        items = review_queue(store, state.config())
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(items, indent=2, sort_keys=True, ensure_ascii=False))
        return
    if not items:
        state.say("nothing waits for review")
        return
    for n, item in enumerate(items, 1):
        if item["kind"] == "attribution":
            [work] = item["works"]
            what = "retracted — still yours to list?" if item["why"] == "retracted" else \
                f"yours? score {item['score']:+.1f}" if item["score"] is not None else "yours?"
            click.echo(f"{n}. {what}  {work['key']}  {work['year'] or ''}  {work['title'][:70]}")
            for reason in item["reasons"]:
                click.echo(f"   {reason}")
        else:
            click.echo(f"{n}. one work? score {item['score']:+.2f} = {strongest(item['components'])}")
            for side in ("a", "b"):
                refs = sorted({pair[0 if side == 'a' else 1] for pair in item["records"]})
                more = f", +{len(refs) - 1} more" if len(refs) > 1 else ""
                click.echo(f"   {item[side]:28} {item[side + '_year'] or '':4}  {item[side + '_title'][:70]}  "
                           f"({refs[0]}{more})")
        click.echo(f"   {item['settle'][0]}    or    {item['settle'][1]}")


@click.command()
@click.argument("a")
@click.argument("b")
@click.pass_obj
def same(state: State, a: str, b: str) -> None:
    """Record that A and B (work keys, doi:…, arxiv:…, or record refs) are one work; every later merge obeys.

    Example:

    \b
        pubsync same doi:10.1000/a arxiv:2101.00001
    """
    _decide(state, "same", a, b)


@click.command()
@click.argument("a")
@click.argument("b")
@click.pass_obj
def different(state: State, a: str, b: str) -> None:
    """Record that A and B are different works; no later merge joins them.

    Example:

    \b
        pubsync different doi:10.1000/a doi:10.1000/b
    """
    _decide(state, "different", a, b)


@click.command()
@click.argument("ref")
@click.pass_obj
def mine(state: State, ref: str) -> None:
    """Record that the work REF names (a work key, doi:…, arxiv:…, openalex:W…, or a record ref) is yours: it is
    published whatever the attribution evidence says. Kept in curation.toml.

    Example:

    \b
        pubsync mine doi:10.5555/12345678
    """
    _decide_attribution(state, ref, True)


@click.command(name="not-mine")
@click.argument("ref")
@click.pass_obj
def not_mine(state: State, ref: str) -> None:
    """Record that the work REF names is not yours: it stays in the database, never on the site. Kept in
    curation.toml.

    Example:

    \b
        pubsync not-mine openalex:W4406250764
    """
    _decide_attribution(state, ref, False)


def _decide_attribution(state: State, ref: str, is_mine: bool) -> None:
    cfg = state.config()
    filed, merged = pipeline.decide_attribution(state.db_path, cfg, ref, is_mine)
    state.say(f"recorded: {ref} is {'yours' if is_mine else 'not yours'} ({cfg.curation_path}, works.{filed!r})")
    say_merged(state, merged)


def _decide(state: State, kind: str, a: str, b: str) -> None:
    cfg = state.config()
    merged = pipeline.decide(state.db_path, cfg, kind, a, b)
    state.say(f"recorded: {a} and {b} are {'the same work' if kind == 'same' else 'different works'}"
              f" ({cfg.curation_path or 'database only'})")
    say_merged(state, merged)


COMMANDS = (status, explain, review, same, different, mine, not_mine)
