"""The one way pubsync replaces a file: whole or not at all, and only when its bytes change."""
from __future__ import annotations

import os
import stat
from pathlib import Path


def write_atomic(path: Path | str, data: bytes) -> bool:
    """Write `data` to a temp file beside `path`, then rename it over `path`: a reader (or a run killed half-way)
    sees the old file or the new one, never half of one. An existing file keeps its mode; a new one gets the umask's.
    When the file already holds these bytes nothing is written and its mtime stays. Returns whether it wrote.
    Raises OSError (the old file untouched, no temp file left)."""
    path = os.fspath(path)
    head, name = os.path.split(path)
    tmp = os.path.join(head, f".{name}.pubsync-tmp")
    try:
        with open(path, "rb") as f:
            old: bytes | None = f.read()
    except FileNotFoundError:
        old = None
    if old == data:
        _remove(tmp)                   # left by a run killed mid-write: the target is already whole
        return False
    try:
        with open(tmp, "wb") as f:
            if old is not None:
                os.fchmod(f.fileno(), stat.S_IMODE(os.stat(path).st_mode))
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    return True


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
