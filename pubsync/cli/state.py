"""What every command gets from the group's options: the config and database paths, verbosity, and printing."""
from __future__ import annotations

from pathlib import Path

import click

from pubsync.config import Config, load_config


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

    def config(self, required: bool = False) -> Config:
        return load_config(self.config_path, required=required)

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
