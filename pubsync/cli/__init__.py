"""The command line, the only face: each command parses its arguments, calls the pipeline, prints what it returns.
Exit codes are pubsync.errors' EXIT_*; every error is one line on stderr, never a traceback (unless -vv)."""
from __future__ import annotations

import logging
import sys
import traceback

import click

from pubsync import __version__
from pubsync.cli import adopt, runs, site, works
from pubsync.cli.state import State, warn
from pubsync.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, PubsyncError


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
    and writes what your site reads (al-folio papers.bib, papers.yml, academicpages pages, …).

    Example (a first run on a site, then the nightly job):

    \b
        pubsync init --orcid 0000-0002-1825-0097
        pubsync pull && pubsync diff
        pubsync sync
    """
    ctx.obj = State(config, db, verbose, quiet)
    _setup_logging(verbose, quiet)


for command in (*runs.COMMANDS, *site.COMMANDS, *works.COMMANDS, *adopt.COMMANDS):
    cli.add_command(command)


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


def main() -> None:
    verbose = any(a in ("-vv", "-vvv") for a in sys.argv[1:])
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        help_hint = f" (see '{e.ctx.command_path} --help')" if getattr(e, "ctx", None) else ""
        warn(f"pubsync: {' '.join(e.format_message().split()).rstrip('.')}{help_hint}")
        sys.exit(EXIT_USAGE)
    except click.Abort:
        warn("pubsync: aborted")
        sys.exit(EXIT_FAILED)
    except PubsyncError as e:
        warn(f"pubsync: {e}")
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        warn("pubsync: interrupted; the database is as it was before the interrupted step")
        sys.exit(EXIT_FAILED)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as e:  # the last line of defence: one line, no traceback unless asked
        if verbose:
            traceback.print_exc()
        warn(f"pubsync: internal error: {type(e).__name__}: {e} (run with -vv for details; nothing was lost)")
        sys.exit(EXIT_FAILED)
