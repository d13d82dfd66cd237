"""Rendered fragments kept between runs, so a nightly export renders only the works that changed.

A fragment is a pure function of its work, its format's context (options, people, site kind) and the code that
rendered it (engine.py), so it is filed under digests of exactly those: the work's fields (WORK_FIELDS), the
context without the data date (no fragment reads it), and the source of the export package. A change to any of
them is a new digest, hence a miss, never a stale hit.

One file per format and people group (`<db>.render-cache/<format>-<group>.frag`): new fragments are appended, and
the file is rewritten with only those the last run used once dead ones take as much room as live ones. The files
are a cache: each record carries its own CRC, and anything odd about a file (another context, a torn or damaged
record) is a miss. They are as trusted as the database beside them (whoever can write either
decides what the site shows), and they hold no pickle, so reading one never runs code.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import marshal
import os
import struct
import sys
import unicodedata
import zlib
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable

from pubsync.records import Work

MAGIC = b"PSFRAG02"
# Every Work field an exporter reads. tests/test_export_cache.py changes each other field and checks that no format's
# output changes, so a field an exporter starts reading without being listed here fails a test.
WORK_FIELDS = ("key", "title", "authors", "authors_complete", "year", "date", "venue", "type", "ids", "url", "abstract",
               "links", "citations", "people", "extra")
_AUTHOR = attrgetter("name", "family", "given", "orcid", "openalex")
_sha256 = hashlib.sha256


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """The export package's source, and the versions of what else decides a fragment's bytes (Python's Unicode
    tables, pylatexenc): an upgrade of any of them renders everything afresh."""
    h = hashlib.blake2b(digest_size=16)
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")) + [here.parent / "records.py"]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    try:
        latex = importlib.metadata.version("pylatexenc")
    except importlib.metadata.PackageNotFoundError:
        latex = ""
    h.update(f"{sys.version}\0{unicodedata.unidata_version}\0{latex}".encode())
    return h.digest()


def work_digest(work: Work) -> bytes | None:
    """16 bytes that change whenever a field an exporter reads changes; None when a value cannot be serialised
    (the work is then rendered every time)."""
    w = work
    fields = (w.key, w.title, [_AUTHOR(a) for a in w.authors], w.authors_complete, w.year, w.date, w.venue, w.type,
              w.ids, w.url, w.abstract, w.links, w.citations, w.people, w.extra)
    try:
        data = marshal.dumps(fields, 2)      # version 2: no back-references, so equal values give equal bytes
    except ValueError:
        return None
    return _sha256(data).digest()[:16]       # OpenSSL's SHA-256 (CPU instructions) is twice blake2b's speed here


def fragment_key(work_key: bytes, arg: Any) -> bytes:
    """The work's digest, or with the plan's argument for it (citations-yml's paper key) folded in."""
    if arg is None:
        return work_key
    return _sha256(work_key + repr(arg).encode("utf-8", "backslashreplace")).digest()[:16]


class FragmentCache:
    """The slot files in one directory. New fragments are appended to a slot by whichever process renders them,
    as it goes (engine.py); the rewrites that drop dead fragments wait for flush(), which the caller runs after
    writing the exports."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.pending: list[tuple[Slot, dict[bytes, Any]]] = []

    def slot(self, fmt: str, group: str, context: bytes) -> Slot:
        name = f"{fmt}-{hashlib.blake2b(group.encode('utf-8'), digest_size=6).hexdigest()}.frag"
        return Slot(self, self.directory / name, context)

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        for slot, entries in pending:
            slot.rewrite(entries)


class Slot:
    """The cache file of one format for one people group: a header (magic, context digest), then records, each
    with its own length and CRC. New fragments are appended; the file is rewritten with only the live ones when
    it holds more than as much again in dead ones. Every write is best effort: a cache that cannot be written is
    only a slower next run."""

    def __init__(self, cache: FragmentCache, path: Path, context: bytes) -> None:
        self.cache = cache
        self.path = path
        self.context = hashlib.blake2b(context + code_digest(), digest_size=16).digest()
        self.known: dict[bytes, Any] = {}
        self.valid = 0           # bytes of the file that are a good header and good records (0: none)

    def load(self) -> dict[bytes, Any]:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        if data[:len(MAGIC)] != MAGIC or data[len(MAGIC):_HEADER] != self.context:
            return {}
        self.known, self.valid = _records(data)
        return self.known

    def open_append(self) -> int | None:
        """A descriptor that appends to the slot file, made ready for new records (a fresh header when the file
        is not this context's, a torn tail cut off); None when the cache cannot be written. Appends of whole
        records are atomic, so two processes may share it."""
        try:
            if not self.valid:
                self._replace(b"")
                self.valid = _HEADER
            else:
                os.truncate(self.path, self.valid)
            return os.open(self.path, os.O_WRONLY | os.O_APPEND)
        except OSError:
            return None

    def finish(self, fd: int | None, entries: Callable[[], dict[bytes, Any]]) -> None:
        """After this run's appends: close `fd`, and queue a rewrite with only `entries()` (every fragment this run
        used) for flush() when the file holds as much again in fragments no longer used."""
        size = self.valid
        if fd is not None:
            try:
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
        if self.known and size:
            live = entries()
            if size > 2 * (_HEADER + _size(live)):
                self.cache.pending.append((self, live))

    def rewrite(self, entries: dict[bytes, Any]) -> None:
        try:
            self._replace(b"".join(_encode(entries)))
        except (OSError, TypeError):
            pass

    def _replace(self, records: bytes) -> None:
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(MAGIC + self.context + records)
            os.replace(tmp, self.path)
        finally:
            if tmp.exists():
                tmp.unlink()


def append(fd: int, entries: dict[bytes, Any]) -> None:
    """Best effort: `entries` as records at the end of a slot file opened by Slot.open_append()."""
    try:
        data = memoryview(b"".join(_encode(entries)))
        while data:
            data = data[os.write(fd, data):]
    except (OSError, TypeError):
        pass


_HEADER = len(MAGIC) + 16
_RECORD = struct.Struct("<II")           # length of the payload, CRC-32 of it
_PART = struct.Struct("<cI")             # b"b" bytes / b"s" text, length


def _size(entries: dict[bytes, Any]) -> int:
    """About the bytes `entries` take in a file."""
    total = 0
    for fragment in entries.values():
        for piece in (fragment if type(fragment) is tuple else (fragment,)):
            total += len(piece) + 5
        total += 26
    return total


def _encode(entries: dict[bytes, Any]) -> list[bytes]:
    """The records of `entries`, as pieces to write one after another (no record is copied together)."""
    out: list[bytes] = []
    add = out.append
    pack_record, pack_part, crc32 = _RECORD.pack, _PART.pack, zlib.crc32
    for key, fragment in entries.items():
        if type(fragment) is bytes:                  # most formats: one piece of bytes
            head = key + b"\x01" + pack_part(b"b", len(fragment))
            add(pack_record(len(head) + len(fragment) + 1, crc32(b"-", crc32(fragment, crc32(head)))))
            add(head)
            add(fragment)
            add(b"-")
            continue
        pieces = fragment if type(fragment) is tuple else (fragment,)
        payload = [key, bytes((len(pieces),))]
        for piece in pieces:
            if type(piece) is bytes:
                payload += (pack_part(b"b", len(piece)), piece)
            elif type(piece) is str:
                raw = piece.encode("utf-8", "surrogatepass")
                payload += (pack_part(b"s", len(raw)), raw)
            else:
                raise TypeError(f"cannot cache a fragment part of type {type(piece).__name__}")
        payload.append(b"t" if type(fragment) is tuple else b"-")
        record = b"".join(payload)
        add(pack_record(len(record), crc32(record)))
        add(record)
    return out


def _records(data: bytes) -> tuple[dict[bytes, Any], int]:
    """The records of a slot file (later ones win) and how far the file is good: reading stops at the first
    record that is cut short or fails its CRC."""
    out: dict[bytes, Any] = {}
    view = memoryview(data)
    pos = _HEADER
    end = len(data)
    unpack_record, unpack_part, crc32 = _RECORD.unpack_from, _PART.unpack_from, zlib.crc32
    record_size, part_size = _RECORD.size, _PART.size
    while pos + record_size <= end:
        length, crc = unpack_record(data, pos)
        start = pos + record_size
        stop = start + length
        if stop > end or length < 18 or crc32(view[start:stop]) != crc:
            break
        try:
            count = data[start + 16]
            at = start + 17
            if count == 1 and data[at] == 98:                    # b"b": one piece of bytes
                size = unpack_part(data, at)[1]
                at += part_size
                fragment: Any = data[at:at + size]
                at += size
                if data[at:at + 1] == b"t":
                    fragment = (fragment,)
            else:
                pieces: list[Any] = []
                for _ in range(count):
                    tag, size = unpack_part(data, at)
                    at += part_size
                    raw = data[at:at + size]
                    at += size
                    pieces.append(raw if tag == b"b" else raw.decode("utf-8", "surrogatepass"))
                fragment = tuple(pieces) if data[at:at + 1] == b"t" else pieces[0]
            if at + 1 != stop:
                break
        except (struct.error, IndexError, UnicodeDecodeError):
            break
        out[data[start:start + 16]] = fragment
        pos = stop
    return out, pos
