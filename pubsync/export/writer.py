"""Putting rendered files on disk: what writing them would change (plan), then the change itself (apply).

`pubsync diff` and `sync --dry-run` show a plan; `sync` and `export` apply it, so both agree on every file. A
single-file export replaces its target; `markdown`/`html` fill the block between the pubsync markers of a page the
user keeps; a directory export (academicpages) adds and changes its pages and removes the pages pubsync wrote
earlier that are no longer produced, never touching files it did not write. Writes are atomic (files.write_atomic).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pubsync.errors import ExportError, ExportWriteError
from pubsync.files import write_atomic

START = "<!-- pubsync:start -->"
END = "<!-- pubsync:end -->"
SPLICED_FORMATS = ("markdown", "html")
DIRECTORY_FORMATS = ("academicpages",)
BUNDLE_FORMATS = ("hugoblox",)          # a folder per work; its index.md says whether pubsync wrote it
BUNDLE_FILES = ("cite.bib", "index.md")  # what pubsync writes in a bundle (and removes from a stale one)


@dataclass
class FileChange:
    path: Path
    old: bytes | None          # None: the file does not exist yet
    new: bytes | None          # None: the file is to be removed

    @property
    def kind(self) -> str:
        if self.old == self.new:
            return "unchanged"
        return "new" if self.old is None else "removed" if self.new is None else "changed"


def plan(fmt: str, files: dict[str, bytes], target: Path) -> list[FileChange]:
    """Every file writing `files` (a render's output) to `target` touches, unchanged ones included. Raises
    ExportError where writing would be refused, before anything is written."""
    target = Path(target)
    if fmt in SPLICED_FORMATS:
        return [_spliced(files[""], target)]
    if fmt in DIRECTORY_FORMATS:
        return _tree(files, target)
    if fmt in BUNDLE_FORMATS:
        return _bundles(files, target)
    if target.is_dir():
        raise ExportError(f"{target} is a directory, but this export is one file; give a file path")
    beside = [FileChange(target.parent / safe_relative(name, target.parent), _read(target.parent / name), files[name])
              for name in sorted(files) if name]       # more files of a multi-file export (bibtex `files`)
    return [FileChange(target, _read(target), files[""]), *beside]


def apply(changes: list[FileChange]) -> list[tuple[str, str]]:
    """Write the plan; [(path, "written" | "unchanged" | "removed")] in its order."""
    report = []
    for change in changes:
        path = change.path
        try:
            if change.new is None:
                path.unlink()
                report.append((str(path), "removed"))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            wrote = write_atomic(path, change.new)
        except OSError as e:
            raise ExportWriteError(f"cannot write {path}: {e.strerror or e}; the old file is unchanged — check the "
                                   "disk space and the folder's permissions") from None
        report.append((str(path), "written" if wrote else "unchanged"))
    return report


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as e:
        raise ExportWriteError(f"cannot read {path}: {e.strerror or e}; check the file's permissions") from None


def _spliced(block: bytes, target: Path) -> FileChange:
    old = _read(target)
    if old is None:
        raise ExportError(f"{target} does not exist; this export fills a page you keep: create it with the lines "
                          f"'{START}' and '{END}' where the list should go")
    try:
        text = old.decode("utf-8")
    except UnicodeDecodeError:
        raise ExportError(f"{target} is not UTF-8 text; pubsync only edits UTF-8 pages") from None
    return FileChange(target, old, splice(text, block.decode("utf-8"), target).encode("utf-8"))


def splice(existing: str, block: str, where: str | Path) -> str:
    """Put `block` between the marker comments of a hand-kept page; everything outside them stays byte for byte."""
    starts, ends = existing.count(START), existing.count(END)
    if starts == 0 or ends == 0:
        raise ExportError(f"{where} has no pubsync markers: add a line '{START}' and a line '{END}' where the "
                          "publication list should go; pubsync only writes between them")
    if starts > 1 or ends > 1:
        raise ExportError(f"{where} has {starts} '{START}' and {ends} '{END}' markers; keep exactly one of each")
    head, _, rest = existing.partition(START)
    if END not in rest:
        raise ExportError(f"{where}: '{END}' comes before '{START}'; put the start marker first")
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{block}{END}{tail}"


def _tree(files: dict[str, bytes], target: Path) -> list[FileChange]:
    """The pages of a directory export; pages pubsync wrote before (is_ours) and no longer makes are removed. A file
    pubsync did not write that stands where a page goes is an error."""
    from pubsync.export.academicpages import is_adopted, is_ours
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file, but this export writes a directory of files; point it at a folder")
    changes = []
    for name in sorted(files):
        rel = safe_relative(name, target)
        if len(rel.parts) != 1:
            raise ExportError(f"refusing to write {name!r} under {target}: this export writes flat file names only")
        old = _read(target / name)
        if old is not None and old != files[name] and not is_ours(old) and not is_adopted(files[name]):
            raise ExportError(f"{target / name} exists and was not written by pubsync; rename or remove it, or add "
                              "'generated_by: pubsync' to its front matter to let pubsync replace it")
        changes.append(FileChange(target / name, old, files[name]))
    if target.is_dir():
        for entry in sorted(os.scandir(target), key=lambda e: e.name):
            if entry.name in files or entry.name.startswith(".") or not entry.is_file():
                continue
            old = _read(Path(entry.path))
            if old is not None and is_ours(old):
                changes.append(FileChange(Path(entry.path), old, None))
    return sorted(changes, key=lambda c: c.path.name)


def _bundles(files: dict[str, bytes], target: Path) -> list[FileChange]:
    """The page bundles of a bundle export (<slug>/index.md + its other files): a bundle whose index.md pubsync
    wrote (is_ours) may be replaced; one it no longer makes loses the files pubsync writes in a bundle, and the
    rest of that folder (a featured.png, an index.pdf) stays. A bundle pubsync did not write is an error to write
    into, and is never touched otherwise."""
    from pubsync.export.academicpages import is_ours
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file, but this export writes a folder of page bundles; point it at a folder")
    bundles: dict[str, list[str]] = {}
    for name in sorted(files):
        rel = safe_relative(name, target)
        if len(rel.parts) != 2:
            raise ExportError(f"refusing to write {name!r} under {target}: a bundle export writes <folder>/<file>")
        bundles.setdefault(rel.parts[0], []).append(rel.parts[1])
    changes = []
    for folder, names in sorted(bundles.items()):
        index = _read(target / folder / "index.md")
        if index is not None and not is_ours(index) and index != files.get(f"{folder}/index.md"):
            raise ExportError(f"{target / folder} holds a page bundle pubsync did not write; rename or remove it, or "
                              "add 'generated_by: pubsync' to its index.md front matter to let pubsync replace it")
        changes += [FileChange(target / folder / n, _read(target / folder / n), files[f"{folder}/{n}"]) for n in names]
    if target.is_dir():
        for entry in sorted(os.scandir(target), key=lambda e: e.name):
            if entry.name in bundles or entry.name.startswith(".") or not entry.is_dir():
                continue
            index = _read(Path(entry.path) / "index.md")
            if index is not None and is_ours(index):
                changes += [FileChange(Path(entry.path) / n, old, None) for n in BUNDLE_FILES
                            if (old := _read(Path(entry.path) / n)) is not None]
    return sorted(changes, key=lambda c: c.path.parts)


def safe_relative(name: str, where: Path) -> PurePosixPath:
    """A generated relative path, refused when it is absolute, holds '..' or a backslash, or is empty."""
    if (not name or name.startswith("/") or "\\" in name or "\x00" in name
            or any(part in ("..", ".", "") for part in name.split("/"))):
        raise ExportError(f"refusing to write {name!r} under {where}: not a plain relative path inside the target")
    return PurePosixPath(name)
