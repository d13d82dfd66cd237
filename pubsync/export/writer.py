"""Writing exports: atomic replace, no write when the bytes are the same, nothing outside the target, and marker
splicing for hand-kept pages."""
from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from typing import Callable

START = "<!-- pubsync:start -->"
END = "<!-- pubsync:end -->"


class ExportError(Exception):
    """An export cannot be produced or written; str(e) says what, where, and what to do. `format` names the export
    format it came from when a renderer raised it."""
    format = ""


class ExportWriteError(ExportError):
    """The disk refused (read-only, full, permissions): not the user's input, so not a usage error."""


def write_bytes(path: Path | str, data: bytes, old: bytes | None | bool = True) -> str:
    """'written' or 'unchanged'. A temp file in the same directory + os.replace, so a reader never sees half a file;
    an identical file is not touched (its mtime stays). `old` is the current content when the caller has read it
    already (None: no such file); True means read it here. The parent directory must exist."""
    path = os.fspath(path)
    try:
        if old is True:
            old = _read_or_none(path)
        head, name = os.path.split(path)
        tmp = os.path.join(head, f".{name}.pubsync-tmp")
        if old == data:
            _drop(tmp)              # left by a run killed mid-write: the target is already whole
            return "unchanged"
        mode = stat.S_IMODE(os.stat(path).st_mode) if old is not None else None
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)   # the umask decides for new files
        try:
            try:
                if mode is not None:
                    os.fchmod(fd, mode)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError as e:
        raise ExportWriteError(f"cannot write {path}: {e.strerror or e}; the old file is unchanged — check the disk "
                               "space and the folder's permissions") from None
    return "written"


def _drop(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _read_or_none(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportWriteError(f"cannot create the folder {path}: {e.strerror or e}") from None


class _NewFiles:
    """Makes new files whole before they appear (Linux: an unnamed file, O_TMPFILE, linked in once written): one
    directory entry made instead of a temp file's plus a rename. make() returns the names it made; the others (where
    the platform or the file system cannot, a name was taken meanwhile, or a write failed) are for the caller to
    write as write_bytes() does, which reports what the disk refused."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> "_NewFiles":
        if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):
            try:
                self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                self.fd = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)

    def make(self, files: dict[str, bytes], names: list[str]) -> set[str]:
        if self.fd is None or not names or not self._create(names[0], files[names[0]]):   # can this file system?
            return set()
        return {names[0], *[name for name in names[1:] if self._create(name, files[name])]}

    def _create(self, name: str, data: bytes) -> bool:
        try:
            fd = os.open(".", os.O_TMPFILE | os.O_WRONLY, 0o666, dir_fd=self.fd)   # the umask decides the mode
        except OSError:                                 # not on this file system
            return False
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=self.fd, follow_symlinks=True)
        except OSError:           # the name taken meanwhile, a full disk…: the caller's way writes it or says why
            return False
        finally:
            os.close(fd)
        return True


def safe_relative(name: str, where: Path) -> PurePosixPath:
    """A generated relative path, refused when it is absolute, holds '..' or a backslash, or is empty."""
    rel = PurePosixPath(name)
    if (not name or rel.is_absolute() or "\\" in name or "\x00" in name
            or any(part in ("..", ".", "") for part in name.split("/"))):
        raise ExportError(f"refusing to write {name!r} under {where}: not a plain relative path inside the target")
    return rel


def write_tree(files: dict[str, bytes], target: Path, is_ours: Callable[[bytes], bool]) -> list[tuple[str, str]]:
    """Write `files` (flat names) into the directory `target`; remove files there that pubsync wrote before (is_ours)
    and that are no longer produced. Files pubsync did not write are never touched; one in the way of a new file is
    an error (raised before anything is written)."""
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file, but this export writes a directory of files; point it at a folder")
    for name in files:
        if "/" in str(safe_relative(name, target)):
            raise ExportError(f"refusing to write {name!r} under {target}: this export writes flat file names only")
    _make_dir(target)
    present = {entry.name for entry in os.scandir(target) if entry.is_file() and not entry.name.startswith(".")}
    prefix = str(target / "_")[:-1]       # str(target / name) for a flat name, without a Path per file
    current: dict[str, bytes | None] = {}
    for name, data in files.items():
        old = current[name] = _read_or_none(prefix + name) if name in present else None
        if old is not None and old != data and not is_ours(old):
            raise ExportError(f"{target / name} exists and was not written by pubsync; rename or remove it, or add "
                              "'generated_by: pubsync' to its front matter to let pubsync replace it")
    with _NewFiles(target) as new_files:
        made = new_files.make(files, [name for name in sorted(files) if current[name] is None])
    results = [(prefix + name, "written" if name in made else "unchanged" if current[name] == files[name] else
                write_bytes(prefix + name, files[name], current[name])) for name in sorted(files)]
    for name in sorted(present - set(files)):
        path = target / name
        try:
            ours = is_ours(path.read_bytes())
        except OSError:
            continue
        if ours:
            path.unlink()
            results.append((str(path), "removed"))
    return results


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


def write_spliced(block: bytes, target: Path) -> list[tuple[str, str]]:
    if not target.is_file():
        raise ExportError(f"{target} does not exist; this export fills a page you keep: create it with the lines "
                          f"'{START}' and '{END}' where the list should go")
    try:
        existing = target.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ExportError(f"{target} is not UTF-8 text; pubsync only edits UTF-8 pages") from None
    text = splice(existing, block.decode("utf-8"), target)
    return [(str(target), write_bytes(target, text.encode("utf-8"), existing.encode("utf-8")))]


def write_single(data: bytes, target: Path) -> list[tuple[str, str]]:
    if target.is_dir():
        raise ExportError(f"{target} is a directory, but this export is one file; give a file path")
    _make_dir(target.parent)
    return [(str(target), write_bytes(target, data))]
