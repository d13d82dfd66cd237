"""What writing an export would change on disk, as a unified diff — computed without writing anything.

It mirrors `pubsync.export.write`: a single-file export replaces its target; `markdown`/`html` fill the block between
the pubsync markers of a page the user keeps; a directory export (academicpages) adds and changes its pages and removes
the pages pubsync wrote earlier that are no longer produced, never touching files it did not write.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

SPLICED_FORMATS = ("markdown", "html")
DIRECTORY_FORMATS = ("academicpages",)


@dataclass
class FileChange:
    path: Path
    old: bytes | None          # None: the file does not exist yet
    new: bytes | None          # None: the file would be removed

    @property
    def kind(self) -> str:
        return "new" if self.old is None else "removed" if self.new is None else "changed"


def plan_changes(files: dict[str, bytes], target: Path, fmt: str = "",
                 is_ours: Callable[[bytes], bool] | None = None) -> list[FileChange]:
    """The files that differ between rendered `files` (render()'s output) and what is under `target`, sorted by path.
    Raises pubsync.export.ExportError where write() would refuse (a spliced page without markers)."""
    target = Path(target)
    if fmt in SPLICED_FORMATS:
        return _spliced_change(files.get("", b""), target)
    if set(files) <= {""} and fmt not in DIRECTORY_FORMATS:
        if not files:
            return []
        old = _read(target)
        return [] if old == files[""] else [FileChange(target, old, files[""])]
    return _tree_changes(files, target, is_ours or _default_is_ours(fmt))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _spliced_change(block: bytes, target: Path) -> list[FileChange]:
    from pubsync.export import ExportError, splice
    old = _read(target)
    if old is None:
        raise ExportError(f"{target} does not exist; this export fills a page you keep: create it with the pubsync "
                          "marker lines where the list should go")
    try:
        new = splice(old.decode("utf-8"), block.decode("utf-8"), target).encode("utf-8")
    except UnicodeDecodeError:
        raise ExportError(f"{target} is not UTF-8 text; pubsync only edits UTF-8 pages") from None
    return [] if new == old else [FileChange(target, old, new)]


def _default_is_ours(fmt: str) -> Callable[[bytes], bool]:
    try:
        from pubsync.export.academicpages import is_ours
        return is_ours
    except ImportError:                   # no directory exporter: claim nothing, so nothing is shown as removed
        return lambda data: False


def _tree_changes(files: dict[str, bytes], target: Path, is_ours: Callable[[bytes], bool]) -> list[FileChange]:
    from pubsync.export.writer import safe_relative
    changes: list[FileChange] = []
    produced: set[Path] = set()
    for name, data in files.items():
        path = target.joinpath(*safe_relative(name, target).parts)
        produced.add(path)
        old = _read(path)
        if old != data:
            changes.append(FileChange(path, old, data))
    if target.is_dir():
        for path in target.iterdir():
            if path in produced or not path.is_file() or path.name.startswith("."):
                continue
            old = _read(path)
            if old is not None and is_ours(old):
                changes.append(FileChange(path, old, None))
    return sorted(changes, key=lambda c: str(c.path))


# ---- text --------------------------------------------------------------------------------------

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


def export_diff(files: dict[str, bytes], target: Path, fmt: str = "", *, root: Path | None = None,
                is_ours: Callable[[bytes], bool] | None = None) -> str:
    """A unified diff of what writing `files` to `target` would change; "" when nothing would."""
    return "".join(format_change(c, root) for c in plan_changes(files, target, fmt, is_ours))


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
