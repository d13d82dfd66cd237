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
from pubsync.explain import explain_work
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
    store = Store(state.db_path, create=False)
    try:
        data = store.counts()
        data["sources"] = store.last_outcomes()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    tty = sys.stdout.isatty()
    console = Console(no_color=not tty, width=None if tty else 160)   # logs: wide enough not to squeeze columns
    console.print(f"works: {data['works']}  hidden: {data['hidden']}  waiting for review: {data['review']}")
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
    """List pairs of works the matcher was unsure about, with the evidence and the command that settles each.

    Example:

    \b
        pubsync review
    """
    store = Store(state.db_path, create=False)
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


def _decide(state: State, kind: str, a: str, b: str) -> None:
    cfg = state.config()
    merged = pipeline.decide(state.db_path, cfg, kind, a, b)
    state.say(f"recorded: {a} and {b} are {'the same work' if kind == 'same' else 'different works'}"
              f" ({cfg.curation_path or 'database only'})")
    say_merged(state, merged)


COMMANDS = (status, explain, review, same, different)
