"""Errors the CLI turns into exit codes and one clear line, never a traceback."""


class PubsyncError(Exception):
    """Failed, nothing lost: exit 1."""
    exit_code = 1


class UsageError(PubsyncError):
    """Bad usage or configuration: exit 2. The message names the file, key or argument and what to do."""
    exit_code = 2


class ConfigError(UsageError):
    pass
