"""Exit codes, and the errors the CLI turns into them with one clear line, never a traceback."""

EXIT_OK = 0
EXIT_FAILED = 1            # failed, nothing lost
EXIT_USAGE = 2             # bad usage or configuration
EXIT_SOURCE_FAILED = 3     # finished, but a source failed or looked broken (its earlier records kept)
EXIT_CHANGED = 10          # --exit-code: the exports changed (or would change), like `git diff --exit-code`


class PubsyncError(Exception):
    """Failed, nothing lost: exit 1."""
    exit_code = EXIT_FAILED


class UsageError(PubsyncError):
    """Bad usage or configuration: exit 2. The message names the file, key or argument and what to do."""
    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    pass


class ExportError(UsageError):
    """An export cannot be produced as configured (an option, a page without markers, a file pubsync did not write
    in the way); str(e) says what, where, and what to do."""


class ExportWriteError(PubsyncError):
    """The disk refused an export (read-only, full, permissions): not the user's input, so exit 1."""
