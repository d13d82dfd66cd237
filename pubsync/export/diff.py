"""What writing the exports would change, as text: a unified diff per file, or one line per file (--stat)."""
from __future__ import annotations

import difflib
import os
from pathlib import Path

from pubsync.export.writer import FileChange


def _label(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return Path(os.path.relpath(path, root)).as_posix()
        except ValueError:                # another drive on Windows
            pass
    return path.as_posix()


def _lines(data: bytes | None) -> list[str] | None:
    """The text's lines with their endings; None when the bytes are not UTF-8 (shown as a binary change)."""
    if data is None:
        return []
    try:
        return data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def format_change(change: FileChange, root: Path | None = None, context: int = 3) -> str:
    label = _label(change.path, root)
    a = "/dev/null" if change.old is None else f"a/{label}"
    b = "/dev/null" if change.new is None else f"b/{label}"
    head = f"diff --pubsync a/{label} b/{label}\n"
    if change.old is None:
        head += "new file\n"
    elif change.new is None:
        head += "deleted file\n"
    old_lines, new_lines = _lines(change.old), _lines(change.new)
    if old_lines is None or new_lines is None:
        return head + f"Binary files {a} and {b} differ\n"
    body = []
    for line in difflib.unified_diff(old_lines, new_lines, a, b, n=context):
        body.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return head + "".join(body)


def diff_stat(changes: list[FileChange], root: Path | None = None) -> str:
    """One line per file: 'new', 'removed' or '+added -deleted' lines."""
    out = []
    for c in changes:
        old, new = _lines(c.old), _lines(c.new)
        if old is None or new is None:
            counts = "binary"
        else:
            plus = minus = 0     # from the opcodes: a line that itself starts with '---' is no header
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
                if tag != "equal":
                    minus += i2 - i1
                    plus += j2 - j1
            counts = f"+{plus} -{minus}"
        out.append(f"{c.kind:8} {_label(c.path, root)}  {counts}\n")
    return "".join(out)
